/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

/**
 * The Lipschitz coefficient penalty (LCP): {@code reduce(relu(J^T 1 - lambda)^2)} at the last
 * step, where {@code J} is the Jacobian of one step with respect to the state. It pushes every
 * column sum of {@code J} below {@code lambda}, which makes the dynamics locally contractive
 * around the state reached, so that recurrent back-propagation's Neumann series converges.
 *
 * <p>The penalty is added to the task loss times {@code weight}. Defaults follow the reference
 * Pathfinder code: lambda 0.9, weight 10, mean over all elements, every batch.
 */
public final class LipschitzPenalty {

    /** How the per-element penalty is reduced to a number. */
    public enum Reduction {
        /** The mean over all elements of the state (the Pathfinder reference). */
        MEAN,
        /** The sum over all elements (the panoptic-segmentation reference). */
        SUM,
        /**
         * The sum over each image's elements, averaged over the images of the batch: a violation
         * costs the same whatever the batch size, and does not fade as the state grows.
         */
        PER_IMAGE,
        /**
         * The mean over the violating elements only ({@code u_i > lambda}): the average squared
         * excess of the elements that break the bound, so that a few violating pixels cost as
         * much as many. The count is held constant in the gradient (it is piecewise constant).
         */
        VIOLATING
    }

    private final double lambda;
    private final float weight;
    private final Reduction reduction;
    private final int every;

    private LipschitzPenalty(Builder builder) {
        lambda = builder.lambda;
        weight = builder.weight;
        reduction = builder.reduction;
        every = builder.every;
    }

    /**
     * Creates a builder with the reference defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the target bound on {@code J^T 1}.
     *
     * @return lambda, in [0, 1)
     */
    public double getLambda() {
        return lambda;
    }

    /**
     * Returns the weight of the penalty in the total loss.
     *
     * @return the weight, 0 or more
     */
    public float getWeight() {
        return weight;
    }

    /**
     * Returns how the per-element penalty is reduced.
     *
     * @return the reduction
     */
    public Reduction getReduction() {
        return reduction;
    }

    /**
     * Returns how often the penalty is applied: every {@code k}-th batch.
     *
     * @return k, at least 1
     */
    public int getEvery() {
        return every;
    }

    /**
     * Returns a float as the double with the same shortest decimal representation.
     *
     * @param value a float
     * @return the double, NaN and infinities unchanged
     */
    static double decimal(float value) {
        return Float.isFinite(value) ? Double.parseDouble(Float.toString(value)) : value;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "LCP(lambda=" + lambda + ", weight=" + weight + ", " + reduction + ", every " + every
                + ")";
    }

    /** The builder for {@link LipschitzPenalty}. */
    public static final class Builder {

        private double lambda = 0.9;
        private float weight = 10f;
        private Reduction reduction = Reduction.MEAN;
        private int every = 1;

        Builder() {}

        /**
         * Sets the bound on {@code J^T 1} (default 0.9), held as a double as in the reference.
         *
         * @param lambda the bound, in [0, 1)
         * @return this builder
         */
        public Builder optLambda(double lambda) {
            this.lambda = lambda;
            return this;
        }

        /**
         * Sets the bound on {@code J^T 1} from a float, taken at its shortest decimal value
         * ({@code 0.9f} becomes the double {@code 0.9}, not {@code 0.8999999761581421}).
         *
         * @param lambda the bound, in [0, 1)
         * @return this builder
         */
        public Builder optLambda(float lambda) {
            this.lambda = decimal(lambda);
            return this;
        }

        /**
         * Sets the weight of the penalty in the loss (default 10).
         *
         * @param weight the weight, 0 or more
         * @return this builder
         */
        public Builder optWeight(float weight) {
            this.weight = weight;
            return this;
        }

        /**
         * Sets the reduction over elements (default {@link Reduction#MEAN}).
         *
         * @param reduction the reduction
         * @return this builder
         */
        public Builder optReduction(Reduction reduction) {
            this.reduction = reduction;
            return this;
        }

        /**
         * Applies the penalty only every {@code k}-th batch (default 1: every batch).
         *
         * @param k the period, at least 1
         * @return this builder
         */
        public Builder optEvery(int k) {
            this.every = k;
            return this;
        }

        /**
         * Builds the penalty.
         *
         * @return the penalty
         * @throws IllegalArgumentException if a value is out of range
         */
        public LipschitzPenalty build() {
            Checks.checkLambda(lambda);
            Checks.checkWeight(weight);
            if (reduction == null) {
                throw new IllegalArgumentException("The penalty reduction must not be null");
            }
            Checks.checkPeriod(every, "The penalty period");
            return new LipschitzPenalty(this);
        }
    }
}
