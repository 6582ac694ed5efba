/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The Lipschitz coefficient penalty (LCP): {@code reduce(relu(J^T 1 - lambda)^2)} at the last
 * step (or, with {@link Probe#POWER}, {@code reduce(relu(||J^T u|| - lambda)^2)} over the images
 * for the dominant direction {@code u}; with {@link Probe#RESIDUAL}, {@code ||J u||} along the
 * direction the state still moves in), where {@code J} is the Jacobian of one step with respect
 * to the state. It pushes every
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

    /** Which vector the Jacobian is probed with. */
    public enum Probe {
        /**
         * {@code J^T 1}, the paper's column sums: one product, and a bound on signed sums only
         * (large negative entries satisfy it while the spectral radius stays near 1, or beyond
         * it with the opposite sign).
         */
        ONES,
        /**
         * {@code ||J^T u_k||} per image, with {@code u_k} the direction reached by {@code k} power
         * iterations from a fixed start, normalised per image: a lower bound on the spectral
         * norm that tracks the dominant mode, so the penalty bounds the spectral radius itself.
         * Costs {@code k} products instead of one.
         */
        POWER,
        /**
         * {@code ||J u||} per image along the direction the state still moves in, {@code u =
         * (F(h) - h) / ||F(h) - h||}: the gain of the step on its own slowest mode, which the
         * forward iteration has already found (its residual is a power iteration on {@code J}).
         * Unlike {@code J^T 1} it sees slow modes whatever the signs, and period-2 flips (gain
         * near 1). Images whose residual is at round-off level are settled and skipped. Costs two
         * evaluations of the step without gradient to measure, as many as the central difference
         * of the penalty's gradient.
         */
        RESIDUAL
    }

    private final double lambda;
    private final float weight;
    private final Probe probe;
    private final int powerIterations;
    private final Reduction reduction;
    private final int every;

    private LipschitzPenalty(Builder builder) {
        lambda = builder.lambda;
        weight = builder.weight;
        reduction = builder.reduction;
        every = builder.every;
        probe = builder.probe;
        powerIterations = builder.powerIterations;
    }

    /**
     * Returns the vector the Jacobian is probed with.
     *
     * @return the probe
     */
    public Probe getProbe() {
        return probe;
    }

    /**
     * Returns the number of products of the {@link Probe#POWER} probe.
     *
     * @return the number of power iterations, at least 1
     */
    public int getPowerIterations() {
        return powerIterations;
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
     * The penalty of one state tensor's column sums {@code u = J_ii^T 1} ({@link Probe#ONES}): the
     * reduction of {@code relu(u - lambda)^2}, and its cotangent {@code r = dP/du = 2 relu(u -
     * lambda) / n}, with {@code n} the reduction's divisor held constant.
     *
     * @param u the column sums of one state tensor
     * @param scope the manager of the cotangent
     * @return the value and the cotangent ({@code null} when nothing violates the bound)
     */
    ColumnSumPart columnSumPart(NDArray u, NDManager scope) {
        try (NDArray shifted = u.sub(lambda);
                NDArray excess = shifted.maximum(0);
                NDArray squares = excess.square();
                NDArray total = squares.sum()) {
            double normaliser = normaliser(u, excess);
            double part = normaliser == 0 ? 0 : Jacobians.toDouble(total) / normaliser;
            if (!(part > 0)) {
                return new ColumnSumPart(part, null);
            }
            NDArray r = excess.mul(2.0 / normaliser);
            r.attach(scope);
            return new ColumnSumPart(part, r);
        }
    }

    /** The divisor of the summed squared excess under the reduction (0: nothing violates). */
    private double normaliser(NDArray u, NDArray excess) {
        switch (reduction) {
            case MEAN:
                return u.size();
            case SUM:
                return 1;
            case PER_IMAGE:
                return u.getShape().get(0);
            case VIOLATING:
                try (NDArray violating = excess.gt(0);
                        NDArray count = violating.sum()) {
                    return Jacobians.toDouble(count);
                }
            default:
                throw new IllegalStateException("unknown reduction " + reduction);
        }
    }

    /** One state tensor's share of the {@link Probe#ONES} penalty. */
    static final class ColumnSumPart {
        /** The reduced penalty of the tensor, 0 or more (NaN when the column sums are). */
        final double value;
        /** {@code dP/du}, or {@code null} when it is zero. */
        final NDArray cotangent;

        ColumnSumPart(double value, NDArray cotangent) {
            this.value = value;
            this.cotangent = cotangent;
        }
    }

    /**
     * The penalty over per-image gains {@code g_b} ({@link Probe#POWER}, {@link Probe#RESIDUAL}).
     *
     * @param gains the gain of each image of the batch
     * @return the penalty and its cotangent factors
     */
    GainPenalty gainPenalty(double[] gains) {
        return new GainPenalty(gains, this);
    }

    /**
     * The relative residual {@code ||F(h) - h|| / ||h||} below which an image counts as settled
     * for the {@link LipschitzPenalty.Probe#RESIDUAL} probe: a few hundred units of round-off,
     * where the residual's direction is noise.
     */
    static double settledResidual(DataType type) {
        switch (type) {
            case FLOAT64:
                return 1e-12;
            case FLOAT32:
                return 1e-5;
            default:
                return 1e-2;
        }
    }

    /**
     * The penalty {@code reduce(relu(g_b - lambda)^2)} over per-image gains {@code g_b} (the
     * power and residual probes): the mean and per-image reductions both average over the images.
     */
    static final class GainPenalty {
        final double[] gains;
        final double[] excess;
        final double normaliser;
        final double value;

        private GainPenalty(double[] gains, LipschitzPenalty lcp) {
            this.gains = gains;
            int images = gains.length;
            excess = new double[images];
            int violating = 0;
            double squares = 0;
            for (int b = 0; b < images; b++) {
                excess[b] = Math.max(gains[b] - lcp.getLambda(), 0);
                squares += excess[b] * excess[b];
                violating += excess[b] > 0 ? 1 : 0;
            }
            switch (lcp.getReduction()) {
                case SUM:
                    normaliser = 1;
                    break;
                case VIOLATING:
                    normaliser = violating;
                    break;
                default:
                    // MEAN and PER_IMAGE: one value per image, averaged over the batch
                    normaliser = images;
                    break;
            }
            value = violating == 0 ? 0 : squares / normaliser;
        }

        /** {@code dP/dg_b / g_b}: the factor of each image's product in the cotangent. */
        double[] cotangentFactors() {
            double[] factor = new double[gains.length];
            for (int b = 0; b < gains.length; b++) {
                factor[b] = gains[b] > 0 ? 2 * excess[b] / (normaliser * gains[b]) : 0;
            }
            return factor;
        }
    }

    /**
     * The fixed start of the power probe for a state tensor: standard normal values from a seeded
     * generator (the same for every batch, so that a resumed run probes as an uninterrupted one,
     * and the engine's random state is not touched), each image's block normalised.
     *
     * @param like the state tensor whose shape and type the probe takes
     * @param manager the manager of the probe
     * @return the start
     */
    static NDArray probeStart(NDArray like, NDManager manager) {
        Shape shape = like.getShape();
        java.util.Random random = new java.util.Random(PROBE_SEED);
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        try (NDArray raw = manager.create(values, shape);
                NDArray typed = raw.toType(like.getDataType(), false)) {
            NDList list = new NDList(typed);
            return Jacobians.normalisePerImage(list, Jacobians.perImageNorms(list), manager)
                    .head();
        }
    }

    private static final long PROBE_SEED = 7;

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
        return "LCP(lambda=" + lambda + ", weight=" + weight + ", " + reduction
                + (probe == Probe.POWER ? ", power " + powerIterations
                        : probe == Probe.RESIDUAL ? ", residual" : "")
                + ", every " + every
                + ")";
    }

    /** The builder for {@link LipschitzPenalty}. */
    public static final class Builder {

        private double lambda = 0.9;
        private float weight = 10f;
        private Reduction reduction = Reduction.MEAN;
        private int every = 1;
        private Probe probe = Probe.ONES;
        private int powerIterations = 5;

        Builder() {}

        /**
         * Chooses the probe (default {@link Probe#ONES}, the paper's {@code J^T 1}).
         *
         * @param probe the probe
         * @return this builder
         */
        public Builder optProbe(Probe probe) {
            this.probe = probe;
            return this;
        }

        /**
         * Sets the number of power iterations of the {@link Probe#POWER} probe (default 5).
         *
         * @param iterations the number, at least 1
         * @return this builder
         */
        public Builder optPowerIterations(int iterations) {
            this.powerIterations = iterations;
            return this;
        }

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
            if (probe == null) {
                throw new IllegalArgumentException("The penalty probe must not be null");
            }
            if (powerIterations < 1) {
                throw new IllegalArgumentException(
                        "The number of power iterations must be at least 1, got "
                                + powerIterations);
            }
            return new LipschitzPenalty(this);
        }
    }
}
