/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.solver;

import ai.djl.ndarray.NDManager;

/**
 * Solves (exactly or approximately) the adjoint system {@code g = v + J^T g} of recurrent
 * back-propagation. The gradient method then pushes {@code g} once through the recorded last step
 * into the weights and the drive.
 *
 * <p>Implementations: {@link NeumannSeries} (the reference's rules, the default), {@link
 * FixedPointAdjoint} (any {@link FixedPointSolver} on {@code g -> v + J^T g}: plain iteration or
 * Anderson with a tolerance), {@link JacobianFree} ({@code g = v}) and {@link PhantomGradient}
 * (damped, truncated). A user-written solver needs only {@link AdjointProblem#vjp}: each call is
 * one backward through one step.
 */
public interface AdjointSolver {

    /**
     * Solves the system.
     *
     * @param problem the right-hand side and the products {@code J^T u}
     * @param manager the manager the solution must belong to
     * @return {@code g} and the statistics
     */
    AdjointResult solve(AdjointProblem problem, NDManager manager);

    /**
     * Returns a short description for logs and reports, such as {@code "neumann(15)"}.
     *
     * @return the description (by default the class's simple name)
     */
    default String describe() {
        return getClass().getSimpleName();
    }
}
