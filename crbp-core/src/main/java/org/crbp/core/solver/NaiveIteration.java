/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.solver;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.Arrays;
import java.util.Locale;

/**
 * Plain fixed-point iteration {@code z_(k+1) = F(z_k)} until the relative residual meets a
 * tolerance or the budget is spent. Tolerance 0 (the default) runs the whole budget: the
 * classic fixed number of steps. Memory is constant in the number of iterations: each iterate is
 * freed as soon as the next exists.
 *
 * <pre>{@code
 * FixedPointSolver solver = NaiveIteration.builder().optTolerance(1e-3).build();
 * }</pre>
 */
public final class NaiveIteration implements FixedPointSolver {

    private final double tolerance;
    private final Residual.StopRule stopRule;

    private NaiveIteration(Builder builder) {
        tolerance = builder.tolerance;
        stopRule = builder.stopRule;
    }

    /**
     * Creates a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the tolerance on the relative residual (0: run the whole budget).
     *
     * @return the tolerance
     */
    public double getTolerance() {
        return tolerance;
    }

    /** {@inheritDoc} */
    @Override
    public FixedPointResult solve(FixedPointMap map, NDList initial, int maxEvaluations) {
        Solvers.checkBudget(maxEvaluations);
        NDManager manager = initial.head().getManager();
        NDList current = initial;
        double[] history = new double[maxEvaluations];
        double[] samples = new double[0];
        int evaluations = 0;
        boolean converged = false;
        boolean diverged = false;
        while (evaluations < maxEvaluations) {
            NDList next = map.apply(current, manager);
            Residual residual = Residual.of(next, current);
            if (current != initial) {
                States.closeExcept(current, next);
            }
            current = next;
            history[evaluations++] = residual.batch();
            samples = residual.samples();
            if (!residual.isFinite()) {
                diverged = true;
                break;
            }
            if (residual.meets(tolerance, stopRule)) {
                converged = true;
                break;
            }
        }
        return FixedPointResult.builder()
                .setState(current)
                .optHistory(evaluations, Arrays.copyOf(history, evaluations))
                .optSampleResiduals(samples)
                .optOutcome(converged, diverged)
                .build();
    }

    /** {@inheritDoc} */
    @Override
    public String describe() {
        return tolerance == 0
                ? "naive"
                : String.format(Locale.ROOT, "naive(tol=%.3g, %s)", tolerance, stopRule);
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return describe();
    }

    /** The builder for {@link NaiveIteration}. */
    public static final class Builder {
        private double tolerance;
        private Residual.StopRule stopRule = Residual.StopRule.BATCH;

        Builder() {}

        /**
         * Stops when the relative residual is at most {@code tolerance} (default 0: never early).
         *
         * @param tolerance the tolerance, 0 or more
         * @return this builder
         */
        public Builder optTolerance(double tolerance) {
            this.tolerance = tolerance;
            return this;
        }

        /**
         * Chooses which residual stops the solve (default {@link Residual.StopRule#BATCH}).
         *
         * @param rule the rule
         * @return this builder
         */
        public Builder optStopRule(Residual.StopRule rule) {
            this.stopRule = rule;
            return this;
        }

        /**
         * Builds the solver.
         *
         * @return the solver
         * @throws IllegalArgumentException if a value is out of range
         */
        public NaiveIteration build() {
            Solvers.checkTolerance(tolerance);
            Solvers.checkNotNull(stopRule, "stop rule");
            return new NaiveIteration(this);
        }
    }
}
