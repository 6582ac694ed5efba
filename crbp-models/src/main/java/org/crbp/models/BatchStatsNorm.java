/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * Batch normalisation over {@code (N, H, W)} per channel that always uses the batch's statistics,
 * in training and in evaluation, and keeps no running statistics: PyTorch's {@code
 * BatchNorm2d(track_running_stats=False)}.
 *
 * <p>{@code y = (x - mean) / sqrt(var + eps) * weight + bias}, with the biased variance, as PyTorch
 * normalises. Unlike DJL's {@code BatchNorm} it changes no state when called, so that the
 * auxiliary evaluations of a step (Neumann terms, the penalty) leave the model unchanged.
 *
 * <p>Parameters: {@code weight} (type GAMMA, shape {@code (C)}) and {@code bias} (type BETA).
 */
public final class BatchStatsNorm extends AbstractBlock {

    /** The epsilon of the reference's batch norms, 1e-3. */
    public static final double DEFAULT_EPS = 1e-3;

    private static final byte VERSION = 1;

    private final int channels;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    private BatchStatsNorm(Builder builder) {
        super(VERSION);
        channels = builder.channels;
        eps = builder.eps;
        weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.GAMMA)
                                .optShape(new Shape(channels))
                                .optInitializer(Initializers.constant(builder.weightInit))
                                .build());
        bias =
                addParameter(
                        Parameter.builder()
                                .setName("bias")
                                .setType(Parameter.Type.BETA)
                                .optShape(new Shape(channels))
                                .optInitializer(Initializer.ZEROS)
                                .build());
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
     * Normalises {@code x} of shape {@code (N, C, H, W)} with its batch statistics per channel.
     * The result belongs to {@code x}'s manager.
     *
     * <p>This calls the engine's fused batch norm in training mode (one native operation forward
     * and one backward, on any device) with throwaway running-statistics buffers created for the
     * call, so nothing of the model changes. The engine takes {@code eps} as a float: {@code 1e-3}
     * becomes {@code 1e-3f}, a relative difference of 5e-11 from the reference's double.
     *
     * @param x the input
     * @param weight the scale, shape {@code (C)}
     * @param bias the shift, shape {@code (C)}
     * @param eps the epsilon added to the variance
     * @return the normalised input
     */
    public static NDArray normalize(NDArray x, NDArray weight, NDArray bias, double eps) {
        NDManager manager = x.getManager();
        Shape cs = new Shape(x.getShape().get(1));
        // created natively (not from Java buffers) and discarded with the step
        NDArray runningMean = manager.zeros(cs, x.getDataType(), x.getDevice());
        NDArray runningVar = manager.ones(cs, x.getDataType(), x.getDevice());
        return BatchNorm.batchNorm(
                        x, runningMean, runningVar, weight, bias, -1, 0.9f, (float) eps, true)
                .head();
    }

    /**
     * Returns the number of channels.
     *
     * @return the channels
     */
    public int getChannels() {
        return channels;
    }

    /**
     * Returns the scale parameter.
     *
     * @return the weight
     */
    public Parameter getWeight() {
        return weight;
    }

    /**
     * Returns the shift parameter.
     *
     * @return the bias
     */
    public Parameter getBias() {
        return bias;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = parameterStore.getValue(weight, x.getDevice(), training);
        NDArray b = parameterStore.getValue(bias, x.getDevice(), training);
        return new NDList(normalize(x, w, b, eps));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** The builder of {@link BatchStatsNorm}. */
    public static final class Builder {
        private int channels = -1;
        private double eps = DEFAULT_EPS;
        private double weightInit = 1.0;

        Builder() {}

        /**
         * Sets the number of channels (required).
         *
         * @param channels the channels, at least 1
         * @return this builder
         */
        public Builder setChannels(int channels) {
            this.channels = channels;
            return this;
        }

        /**
         * Sets epsilon (default 1e-3, the reference's).
         *
         * @param eps a positive number
         * @return this builder
         */
        public Builder optEps(double eps) {
            this.eps = eps;
            return this;
        }

        /**
         * Sets the initial value of the scale (default 1; the hGRU's inner norms use 0.1).
         *
         * @param weightInit the initial scale
         * @return this builder
         */
        public Builder optWeightInit(double weightInit) {
            this.weightInit = weightInit;
            return this;
        }

        /**
         * Builds the block.
         *
         * @return the block
         * @throws IllegalArgumentException if channels or eps are invalid
         */
        public BatchStatsNorm build() {
            if (channels < 1) {
                throw new IllegalArgumentException(
                        "BatchStatsNorm needs setChannels(c) with c >= 1, got " + channels);
            }
            if (!(eps > 0)) {
                throw new IllegalArgumentException("eps must be positive, got " + eps);
            }
            return new BatchStatsNorm(this);
        }
    }
}
