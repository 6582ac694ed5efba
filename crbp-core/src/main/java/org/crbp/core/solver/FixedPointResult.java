/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.solver;

import ai.djl.ndarray.NDList;

import java.util.Arrays;

/**
 * What a {@link FixedPointSolver} returned: the last iterate and its statistics.
 *
 * <p>Residuals are relative: {@code ||F(z) - z|| / ||F(z)||}, over the whole batch ({@link
 * #residuals()}, one per evaluation) and per sample for the last evaluation ({@link
 * #sampleResiduals()}).
 */
public final class FixedPointResult {

    private final NDList state;
    private final int evaluations;
    private final double[] residuals;
    private final double[] sampleResiduals;
    private final boolean converged;
    private final boolean diverged;
    private final int restarts;

    private FixedPointResult(Builder builder) {
        state = builder.state;
        evaluations = builder.evaluations;
        residuals = builder.residuals;
        sampleResiduals = builder.sampleResiduals;
        converged = builder.converged;
        diverged = builder.diverged;
        restarts = builder.restarts;
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
     * Returns the last iterate (the approximate fixed point).
     *
     * @return the state
     */
    public NDList state() {
        return state;
    }

    /**
     * Returns the number of evaluations of the map.
     *
     * @return the evaluations
     */
    public int evaluations() {
        return evaluations;
    }

    /**
     * Returns the batch's relative residual after every evaluation, oldest first.
     *
     * @return a copy of the history (empty when the budget was 0)
     */
    public double[] residuals() {
        return residuals.clone();
    }

    /**
     * Returns the last batch residual.
     *
     * @return the residual, NaN when nothing was evaluated
     */
    public double residual() {
        return residuals.length == 0 ? Double.NaN : residuals[residuals.length - 1];
    }

    /**
     * Returns every sample's relative residual at the last evaluation.
     *
     * @return a copy (empty when nothing was evaluated)
     */
    public double[] sampleResiduals() {
        return sampleResiduals.clone();
    }

    /**
     * Returns whether the tolerance was met. With tolerance 0 (a fixed budget) this is true only
     * for an exact fixed point.
     *
     * @return whether the solve converged
     */
    public boolean converged() {
        return converged;
    }

    /**
     * Returns whether the solve stopped on a residual that was not finite.
     *
     * @return whether the iteration blew up
     */
    public boolean diverged() {
        return diverged;
    }

    /**
     * Returns how often a safeguard fell back to a plain step (Anderson: a step that increased the
     * residual).
     *
     * @return the number of restarts
     */
    public int restarts() {
        return restarts;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return String.format(
                "FixedPointResult[evaluations=%d, residual=%.3g, converged=%b, diverged=%b,"
                        + " restarts=%d, maxSampleResidual=%.3g]",
                evaluations, residual(), converged, diverged, restarts,
                Arrays.stream(sampleResiduals).max().orElse(Double.NaN));
    }

    /** The builder for {@link FixedPointResult}. */
    public static final class Builder {
        private NDList state;
        private int evaluations;
        private double[] residuals = new double[0];
        private double[] sampleResiduals = new double[0];
        private boolean converged;
        private boolean diverged;
        private int restarts;

        Builder() {}

        /**
         * Sets the last iterate (required).
         *
         * @param state the state
         * @return this builder
         */
        public Builder setState(NDList state) {
            this.state = state;
            return this;
        }

        /**
         * Sets the number of evaluations of the map and the batch residual after each.
         *
         * @param evaluations the number of evaluations
         * @param residuals the residual history, one per evaluation
         * @return this builder
         */
        public Builder optHistory(int evaluations, double[] residuals) {
            this.evaluations = evaluations;
            this.residuals = residuals.clone();
            return this;
        }

        /**
         * Sets the per-sample residuals of the last evaluation.
         *
         * @param sampleResiduals one residual per sample
         * @return this builder
         */
        public Builder optSampleResiduals(double[] sampleResiduals) {
            this.sampleResiduals = sampleResiduals.clone();
            return this;
        }

        /**
         * Sets whether the tolerance was met and whether the iteration blew up.
         *
         * @param converged whether the tolerance was met
         * @param diverged whether a residual was not finite
         * @return this builder
         */
        public Builder optOutcome(boolean converged, boolean diverged) {
            this.converged = converged;
            this.diverged = diverged;
            return this;
        }

        /**
         * Sets the number of safeguard restarts.
         *
         * @param restarts the count
         * @return this builder
         */
        public Builder optRestarts(int restarts) {
            this.restarts = restarts;
            return this;
        }

        /**
         * Builds the result.
         *
         * @return the result
         * @throws IllegalArgumentException if the state is missing
         */
        public FixedPointResult build() {
            if (state == null) {
                throw new IllegalArgumentException("A FixedPointResult needs the state");
            }
            return new FixedPointResult(this);
        }
    }
}
