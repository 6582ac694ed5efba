/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.ndarray.NDList;

import org.crbp.core.solver.AdjointResult;

/**
 * What one {@link GradientMethod#forwardBackward} call produced: the predictions, the task loss,
 * the Lipschitz penalty and the diagnostics of the recurrence.
 */
public final class StepResult {

    private final NDList predictions;
    private final float loss;
    private final float penalty;
    private final boolean penaltyApplied;
    private final int adjointIterations;
    private final boolean diverged;
    private final float residual;
    private final float maxJacobianColumnSum;
    private final boolean contractionMeasured;
    private final int steps;
    private final boolean forwardConverged;
    private final float adjointResidual;
    private final boolean adjointConverged;
    private final AdjointResult.Stop adjointStop;

    private StepResult(Builder builder) {
        predictions = builder.predictions;
        loss = builder.loss;
        penalty = builder.penalty;
        penaltyApplied = builder.penaltyApplied;
        adjointIterations = builder.adjointIterations;
        diverged = builder.diverged;
        residual = builder.residual;
        maxJacobianColumnSum = builder.maxJacobianColumnSum;
        contractionMeasured = builder.contractionMeasured;
        steps = builder.steps;
        forwardConverged = builder.forwardConverged;
        adjointResidual = builder.adjointResidual;
        adjointConverged = builder.adjointConverged;
        adjointStop = builder.adjointStop;
    }

    /**
     * Returns why the adjoint solve stopped: {@code null} for a method without one (BPTT).
     * {@link AdjointResult.Stop#cutShort()} says whether the implicit gradient of this batch is
     * approximate (growth guard, norm cap, budget, a non-finite or exploded solution).
     *
     * @return the reason, or {@code null}
     */
    public AdjointResult.Stop adjointStop() {
        return adjointStop;
    }

    /**
     * Whether this batch's adjoint solve was cut short (see {@link #adjointStop()}); false for
     * methods without one.
     *
     * @return whether the implicit gradient is approximate
     */
    public boolean adjointCutShort() {
        return adjointStop != null && adjointStop.cutShort();
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
     * BPTT); for another adjoint solver, its number of vector-Jacobian products.
     *
     * @return the number of Neumann terms used
     * @deprecated use {@link #adjointIterations()}: the same number, under the name that fits
     *     every adjoint solver
     */
    @Deprecated
    public int neumannTerms() {
        return adjointIterations();
    }

    /**
     * Returns the number of vector-Jacobian products of the adjoint solve: the number of Neumann
     * terms {@code (J^T)^k v} for the Neumann series, the iterations of any other adjoint solver;
     * 0 for BPTT.
     *
     * @return the adjoint iterations
     */
    public int adjointIterations() {
        return adjointIterations;
    }

    /**
     * Returns whether the adjoint solver met its convergence rule (false for BPTT, for the
     * approximations by design, and when the budget ran out).
     *
     * @return whether the adjoint solve converged
     */
    public boolean adjointConverged() {
        return adjointConverged;
    }

    /**
     * Returns the adjoint solver's last measured residual (relative term size for the Neumann
     * series), NaN when none.
     *
     * @return the adjoint residual
     */
    public float adjointResidual() {
        return adjointResidual;
    }

    /**
     * Returns the number of cell steps the forward pass ran: the forward solver's evaluations plus
     * the recorded step for RBP (fewer than the method's steps when a tolerance stopped it), the
     * method's steps for BPTT; 0 when unknown.
     *
     * @return the steps
     */
    public int steps() {
        return steps;
    }

    /**
     * Returns whether the forward solver met its tolerance (always false with tolerance 0, the
     * fixed-depth default, unless an exact fixed point was hit).
     *
     * @return whether the forward solve converged
     */
    public boolean forwardConverged() {
        return forwardConverged;
    }

    /**
     * Returns whether {@link #maxJacobianColumnSum()} was measured in this batch; when false it is
     * the latest earlier measurement (the contraction monitor runs every k-th batch).
     *
     * @return whether the contraction was measured now
     */
    public boolean contractionMeasured() {
        return contractionMeasured;
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
     * step's Jacobian), NaN when it was never computed. See {@link #contractionMeasured()}.
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
                "StepResult[loss=%.5g, penalty=%.5g, steps=%d, residual=%.3g, adjoint=%d"
                        + " (converged=%b, diverged=%b, stop=%s), maxJTone=%.4g]",
                loss, penalty, steps, residual, adjointIterations, adjointConverged, diverged,
                adjointStop, maxJacobianColumnSum);
    }

    /** The builder for {@link StepResult}. */
    public static final class Builder {
        private NDList predictions;
        private float loss = Float.NaN;
        private float penalty;
        private boolean penaltyApplied;
        private int adjointIterations;
        private boolean diverged;
        private float residual = Float.NaN;
        private float maxJacobianColumnSum = Float.NaN;
        private boolean contractionMeasured;
        private int steps;
        private boolean forwardConverged;
        private float adjointResidual = Float.NaN;
        private boolean adjointConverged;
        private AdjointResult.Stop adjointStop;

        Builder() {}

        /**
         * Sets why the adjoint solve stopped.
         *
         * @param stop the reason
         * @return this builder
         */
        public Builder optAdjointStop(AdjointResult.Stop stop) {
            this.adjointStop = stop;
            return this;
        }

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
         * @deprecated use {@link #optAdjoint}, which also takes the residual and convergence
         */
        @Deprecated
        public Builder optNeumannSeries(int terms, boolean diverged) {
            this.adjointIterations = terms;
            this.diverged = diverged;
            return this;
        }

        /**
         * Sets the adjoint solve's statistics (replaces {@link #optNeumannSeries}).
         *
         * @param products the number of vector-Jacobian products
         * @param residual the last residual, NaN if none
         * @param converged whether it converged
         * @param diverged whether it diverged
         * @return this builder
         */
        public Builder optAdjoint(int products, float residual, boolean converged,
                boolean diverged) {
            this.adjointIterations = products;
            this.adjointResidual = residual;
            this.adjointConverged = converged;
            this.diverged = diverged;
            return this;
        }

        /**
         * Sets the forward pass's statistics.
         *
         * @param steps the number of cell steps run
         * @param converged whether the forward solver met its tolerance
         * @return this builder
         */
        public Builder optForward(int steps, boolean converged) {
            this.steps = steps;
            this.forwardConverged = converged;
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
            return optMaxJacobianColumnSum(value, !Float.isNaN(value));
        }

        /**
         * Sets {@code max(J^T 1)} and whether it was measured in this batch.
         *
         * @param value the largest column sum (the latest measurement)
         * @param measuredNow whether it was measured in this batch
         * @return this builder
         */
        public Builder optMaxJacobianColumnSum(float value, boolean measuredNow) {
            this.maxJacobianColumnSum = value;
            this.contractionMeasured = measuredNow;
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
            return new StepResult(this);
        }
    }
}
