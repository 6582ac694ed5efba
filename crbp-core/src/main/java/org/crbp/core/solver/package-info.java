/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * Solvers for the two halves of recurrent back-propagation: the forward fixed point {@code h* =
 * F(x, h*; w)} ({@link org.crbp.core.solver.FixedPointSolver}: plain iteration, Anderson
 * acceleration) and the adjoint {@code g^T (I - J) = v^T} ({@link
 * org.crbp.core.solver.AdjointSolver}: the Neumann series with the reference's stop rules,
 * iteration with a tolerance, Anderson, Jacobian-free backprop, the damped phantom gradient).
 *
 * <p>The solvers see the cell only through {@link org.crbp.core.solver.FixedPointMap} and {@link
 * org.crbp.core.solver.AdjointProblem}, so a solver written outside crbp plugs in the same way.
 */
package org.crbp.core.solver;
