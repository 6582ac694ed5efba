/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.solver;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.Locale;

/**
 * The adjoint system solved as a fixed point, {@code g = v + J^T g} from {@code g_0 = v}, by any
 * {@link FixedPointSolver}: with {@link NaiveIteration} the iterates are exactly the Neumann
 * partial sums, stopped by a relative tolerance on {@code ||g_(k+1) - g_k|| / ||g_(k+1)||}; with
 * {@link Anderson} fewer products reach the same tolerance when {@code J} has eigenvalues near 1.
 * Each evaluation is one vector-Jacobian product.
 *
 * <pre>{@code
 * AdjointSolver solver = FixedPointAdjoint.builder()
 *         .setSolver(Anderson.builder().optTolerance(1e-4).build())
 *         .optMaxIterations(30)
 *         .build();
 * }</pre>
 */
public final class FixedPointAdjoint implements AdjointSolver {

    private final FixedPointSolver solver;
    private final int maxIterations;

    private FixedPointAdjoint(Builder builder) {
        solver = builder.solver;
        maxIterations = builder.maxIterations;
    }

    /**
     * Creates a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@inheritDoc} */
    @Override
    public AdjointResult solve(AdjointProblem problem, NDManager manager) {
        NDList v = problem.rightHandSide();
        NDList start = States.copy(v, manager);
        if (States.norm(v) == 0) {
            return AdjointResult.builder().setSolution(start).optWork(0, 0)
                    .optOutcome(true, false).build();
        }
        FixedPointMap map = (g, target) -> {
            NDList product = problem.vjp(g, target);
            for (int i = 0; i < product.size(); i++) {
                NDArray p = product.get(i);
                p.addi(v.get(i));
            }
            return product;
        };
        FixedPointResult result = solver.solve(map, start, maxIterations);
        if (result.state() != start) {
            States.closeExcept(start, result.state());
        }
        return AdjointResult.builder()
                .setSolution(result.state())
                .optWork(result.evaluations(), result.residual())
                .optOutcome(result.converged(), result.diverged())
                .optTolerance(true)
                .build();
    }

    /** {@inheritDoc} */
    @Override
    public String describe() {
        return String.format(Locale.ROOT, "fixed-point adjoint(%s, max %d)", solver.describe(),
                maxIterations);
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return describe();
    }

    /** The builder for {@link FixedPointAdjoint}. */
    public static final class Builder {
        private FixedPointSolver solver;
        private int maxIterations = 30;

        Builder() {}

        /**
         * Sets the fixed-point solver (required), for example {@code
         * NaiveIteration.builder().optTolerance(1e-4).build()}.
         *
         * @param solver the solver
         * @return this builder
         */
        public Builder setSolver(FixedPointSolver solver) {
            this.solver = solver;
            return this;
        }

        /**
         * Sets the largest number of vector-Jacobian products (default 30).
         *
         * @param maxIterations the budget, at least 1
         * @return this builder
         */
        public Builder optMaxIterations(int maxIterations) {
            this.maxIterations = maxIterations;
            return this;
        }

        /**
         * Builds the solver.
         *
         * @return the solver
         * @throws IllegalArgumentException if the solver is missing or the budget below 1
         */
        public FixedPointAdjoint build() {
            Solvers.checkNotNull(solver, "fixed-point solver of the adjoint");
            Solvers.checkPositive(maxIterations, "The adjoint's iteration budget");
            return new FixedPointAdjoint(this);
        }
    }
}
