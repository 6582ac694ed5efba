/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.ndarray.NDList;

/**
 * What one {@link GradientMethod#forwardBackward} call produced: the predictions, the task loss,
 * the Lipschitz penalty and the diagnostics of the recurrence.
 */
public final class StepResult {

    private final NDList predictions;
    private final float loss;
    private final float penalty;
    private final boolean penaltyApplied;
    private final int neumannTerms;
    private final boolean diverged;
    private final float residual;
    private final float maxJacobianColumnSum;

    StepResult(
            NDList predictions,
            float loss,
            float penalty,
            boolean penaltyApplied,
            int neumannTerms,
            boolean diverged,
            float residual,
            float maxJacobianColumnSum) {
        this.predictions = predictions;
        this.loss = loss;
        this.penalty = penalty;
        this.penaltyApplied = penaltyApplied;
        this.neumannTerms = neumannTerms;
        this.diverged = diverged;
        this.residual = residual;
        this.maxJacobianColumnSum = maxJacobianColumnSum;
    }

    /**
     * Creates a builder, for gradient methods written outside crbp.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the predictions at the last step, in the manager of the batch's data.
     *
     * @return the predictions
     */
    public NDList predictions() {
        return predictions;
    }

    /**
     * Returns the task loss (without the penalty).
     *
     * @return the loss
     */
    public float loss() {
        return loss;
    }

    /**
     * Returns the unweighted Lipschitz coefficient penalty {@code reduce(relu(J^T 1 - lambda)^2)},
     * 0 when the method has no penalty.
     *
     * @return the penalty
     */
    public float penalty() {
        return penalty;
    }

    /**
     * Returns whether the penalty was computed and its gradient added for this batch (it may be
     * applied only every k-th batch).
     *
     * @return whether the penalty took part in this batch
     */
    public boolean penaltyApplied() {
        return penaltyApplied;
    }

    /**
     * Returns the number of Neumann terms {@code (J^T)^k v} that went into the RBP gradient (0 for
     * BPTT).
     *
     * @return the number of Neumann terms used
     */
    public int neumannTerms() {
        return neumannTerms;
    }

    /**
     * Returns whether the Neumann series stopped because a term grew (a sign that the dynamics
     * are not contractive at the state reached) or became non-finite.
     *
     * @return whether the series diverged
     */
    public boolean diverged() {
        return diverged;
    }

    /**
     * Returns the last step's relative residual {@code ||h_T - h_(T-1)|| / ||h_T||}: how far the
     * state is from a fixed point.
     *
     * @return the residual
     */
    public float residual() {
        return residual;
    }

    /**
     * Returns {@code max(J^T 1)} over the state at the last step (the largest column sum of the
     * step's Jacobian), NaN when it was not computed.
     *
     * @return the largest entry of {@code J^T 1}
     */
    public float maxJacobianColumnSum() {
        return maxJacobianColumnSum;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return String.format(
                "StepResult[loss=%.5g, penalty=%.5g, neumannTerms=%d, diverged=%b, residual=%.3g,"
                        + " maxJTone=%.4g]",
                loss, penalty, neumannTerms, diverged, residual, maxJacobianColumnSum);
    }

    /** The builder for {@link StepResult}. */
    public static final class Builder {
        private NDList predictions;
        private float loss = Float.NaN;
        private float penalty;
        private boolean penaltyApplied;
        private int neumannTerms;
        private boolean diverged;
        private float residual = Float.NaN;
        private float maxJacobianColumnSum = Float.NaN;

        Builder() {}

        /**
         * Sets the predictions (required).
         *
         * @param predictions the predictions, in the manager of the batch's data
         * @return this builder
         */
        public Builder setPredictions(NDList predictions) {
            this.predictions = predictions;
            return this;
        }

        /**
         * Sets the task loss (required).
         *
         * @param loss the loss
         * @return this builder
         */
        public Builder setLoss(float loss) {
            this.loss = loss;
            return this;
        }

        /**
         * Sets the unweighted penalty and marks it as applied.
         *
         * @param penalty the penalty
         * @return this builder
         */
        public Builder optPenalty(float penalty) {
            this.penalty = penalty;
            this.penaltyApplied = true;
            return this;
        }

        /**
         * Sets the number of Neumann terms used and whether the series diverged.
         *
         * @param terms the number of terms
         * @param diverged whether the series diverged
         * @return this builder
         */
        public Builder optNeumannSeries(int terms, boolean diverged) {
            this.neumannTerms = terms;
            this.diverged = diverged;
            return this;
        }

        /**
         * Sets the last step's relative residual.
         *
         * @param residual the residual
         * @return this builder
         */
        public Builder optResidual(float residual) {
            this.residual = residual;
            return this;
        }

        /**
         * Sets {@code max(J^T 1)}.
         *
         * @param value the largest column sum
         * @return this builder
         */
        public Builder optMaxJacobianColumnSum(float value) {
            this.maxJacobianColumnSum = value;
            return this;
        }

        /**
         * Builds the result.
         *
         * @return the result
         * @throws IllegalArgumentException if the predictions are missing
         */
        public StepResult build() {
            if (predictions == null) {
                throw new IllegalArgumentException("A StepResult needs the predictions");
            }
            return new StepResult(predictions, loss, penalty, penaltyApplied, neumannTerms,
                    diverged, residual, maxJacobianColumnSum);
        }
    }
}
