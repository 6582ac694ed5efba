/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.solver;

import ai.djl.ndarray.NDList;

/** What an {@link AdjointSolver} returned: the cotangent {@code g} and its statistics. */
public final class AdjointResult {

    private final NDList solution;
    private final int products;
    private final double residual;
    private final boolean converged;
    private final boolean diverged;

    private AdjointResult(Builder builder) {
        solution = builder.solution;
        products = builder.products;
        residual = builder.residual;
        converged = builder.converged;
        diverged = builder.diverged;
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
                + " diverged=%b]", products, residual, converged, diverged);
    }

    /** The builder for {@link AdjointResult}. */
    public static final class Builder {
        private NDList solution;
        private int products;
        private double residual = Double.NaN;
        private boolean converged;
        private boolean diverged;

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
