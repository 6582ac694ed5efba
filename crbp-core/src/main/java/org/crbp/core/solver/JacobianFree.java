/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.solver;

import ai.djl.ndarray.NDManager;

/**
 * Jacobian-free backprop (Fung et al. 2022): {@code g = v}, no vector-Jacobian product at all. The
 * gradient is that of the last step alone, a descent direction when the step is contractive
 * enough; the cheapest approximation of the implicit gradient.
 */
public final class JacobianFree implements AdjointSolver {

    /** Creates the solver. */
    public JacobianFree() {}

    /** {@inheritDoc} */
    @Override
    public AdjointResult solve(AdjointProblem problem, NDManager manager) {
        return AdjointResult.builder()
                .setSolution(States.copy(problem.rightHandSide(), manager))
                .optWork(0, Double.NaN)
                .build();
    }

    /** {@inheritDoc} */
    @Override
    public String describe() {
        return "jacobian-free";
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return describe();
    }
}
