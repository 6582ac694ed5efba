/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.solver;

import ai.djl.ndarray.NDList;

/** What an {@link AdjointSolver} returned: the cotangent {@code g} and its statistics. */
public final class AdjointResult {

    /** Why an adjoint solve stopped. */
    public enum Stop {
        /** Its convergence rule was met (a tolerance, or a term below the absolute tolerance). */
        CONVERGED,
        /** It used the products it plans without a tolerance (a fixed Neumann length, JFB). */
        COMPLETED,
        /** It ran out of its budget before reaching its tolerance. */
        BUDGET,
        /** A Neumann term was larger than the one before (the reference's growth guard). */
        GROWTH,
        /** The next term would have taken {@code ||g||} past the norm cap. */
        NORM_CAP,
        /** An iterate or the solution was NaN or infinite. */
        NOT_FINITE,
        /** The solution is many orders larger than the right-hand side: the series diverged. */
        EXPLODED;

        /**
         * Whether the solve stopped before giving the gradient it was asked for: every stop but
         * {@link #CONVERGED} and {@link #COMPLETED}. The implicit gradient is then approximate,
         * usually because the dynamics are not contractive at the state reached.
         *
         * @return whether the solve was cut short
         */
        public boolean cutShort() {
            return this != CONVERGED && this != COMPLETED;
        }
    }

    private final NDList solution;
    private final int products;
    private final double residual;
    private final boolean converged;
    private final boolean diverged;
    private final Stop stop;

    private AdjointResult(Builder builder) {
        solution = builder.solution;
        products = builder.products;
        residual = builder.residual;
        converged = builder.converged;
        diverged = builder.diverged;
        if (builder.stop != null) {
            stop = builder.stop;
        } else if (builder.converged) {
            stop = Stop.CONVERGED;
        } else if (builder.diverged) {
            stop = Stop.NOT_FINITE;
        } else {
            stop = builder.tolerance ? Stop.BUDGET : Stop.COMPLETED;
        }
    }

    /**
     * Returns why the solve stopped.
     *
     * @return the reason
     */
    public Stop stop() {
        return stop;
    }

    /**
     * Returns this result with another stop reason (and, for a cut-short reason, marked as not
     * converged; for {@link Stop#NOT_FINITE}, {@link Stop#EXPLODED} and {@link Stop#GROWTH},
     * as diverged); the solution is the same arrays.
     *
     * @param reason the reason
     * @return the result
     */
    public AdjointResult withStop(Stop reason) {
        Builder b = builder().setSolution(solution).optWork(products, residual)
                .optOutcome(converged && !reason.cutShort(), diverged
                        || reason == Stop.NOT_FINITE || reason == Stop.EXPLODED
                        || reason == Stop.GROWTH);
        b.stop = reason;
        return b.build();
    }

    /**
     * Creates a builder, for solvers written outside crbp.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns {@code g}, the cotangent of the last step's output.
     *
     * @return the solution
     */
    public NDList solution() {
        return solution;
    }

    /**
     * Returns the number of vector-Jacobian products used (for the Neumann series: the terms
     * added).
     *
     * @return the number of products
     */
    public int products() {
        return products;
    }

    /**
     * Returns the last relative residual or term size the solver measured, NaN if none.
     *
     * @return the residual
     */
    public double residual() {
        return residual;
    }

    /**
     * Returns whether the solver's own stopping rule for convergence was met (false when the
     * budget ran out, for approximations by design, and after divergence).
     *
     * @return whether the solve converged
     */
    public boolean converged() {
        return converged;
    }

    /**
     * Returns whether the solve stopped on a growing or non-finite iterate (a sign that the
     * dynamics are not contractive at the fixed point).
     *
     * @return whether it diverged
     */
    public boolean diverged() {
        return diverged;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return String.format("AdjointResult[products=%d, residual=%.3g, converged=%b,"
                + " diverged=%b, stop=%s]", products, residual, converged, diverged, stop);
    }

    /** The builder for {@link AdjointResult}. */
    public static final class Builder {
        private NDList solution;
        private int products;
        private double residual = Double.NaN;
        private boolean converged;
        private boolean diverged;
        private boolean tolerance;
        private Stop stop;

        Builder() {}

        /**
         * Sets the solution {@code g} (required).
         *
         * @param solution the solution
         * @return this builder
         */
        public Builder setSolution(NDList solution) {
            this.solution = solution;
            return this;
        }

        /**
         * Sets the number of vector-Jacobian products and the last residual.
         *
         * @param products the number of products
         * @param residual the last residual, NaN if none
         * @return this builder
         */
        public Builder optWork(int products, double residual) {
            this.products = products;
            this.residual = residual;
            return this;
        }

        /**
         * Sets the outcome.
         *
         * @param converged whether the stopping rule for convergence was met
         * @param diverged whether an iterate grew or was not finite
         * @return this builder
         */
        public Builder optOutcome(boolean converged, boolean diverged) {
            this.converged = converged;
            this.diverged = diverged;
            return this;
        }

        /**
         * Sets why the solve stopped. Without it the reason follows from the outcome: converged,
         * not finite when diverged, else the budget when the solver has a tolerance ({@link
         * #optTolerance}) and completed when it has none.
         *
         * @param reason the reason
         * @return this builder
         */
        public Builder optStop(Stop reason) {
            this.stop = reason;
            return this;
        }

        /**
         * Says whether the solver stops on a tolerance, so that reaching its budget means it was
         * cut short (default false: a fixed number of products).
         *
         * @param hasTolerance whether the solver has a tolerance
         * @return this builder
         */
        public Builder optTolerance(boolean hasTolerance) {
            this.tolerance = hasTolerance;
            return this;
        }

        /**
         * Builds the result.
         *
         * @return the result
         * @throws IllegalArgumentException if the solution is missing
         */
        public AdjointResult build() {
            if (solution == null) {
                throw new IllegalArgumentException("An AdjointResult needs the solution");
            }
            return new AdjointResult(this);
        }
    }
}
