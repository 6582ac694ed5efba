/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * The simplest convolutional recurrent cell, {@code h' = tanh(W * h + b + x)}, with a square
 * "same" kernel. Its weights start as N(0, (scale / sqrt(C k^2))^2), so a scale below about 0.5
 * gives contractive dynamics from the start and a larger one expansive dynamics. It is the
 * baseline cell of crbp's benchmarks and a template for writing cells.
 */
public final class TanhCell extends RecurrentCell {

    private final int kernel;
    private final Parameter weight;
    private final Parameter bias;

    private TanhCell(Builder builder) {
        kernel = builder.kernel;
        float sigma = builder.weightScale / (float) Math.sqrt(builder.channels * kernel * kernel);
        weight = addParameter(
                Parameter.builder()
                        .setName("weight")
                        .setType(Parameter.Type.WEIGHT)
                        .optShape(new Shape(builder.channels, builder.channels, kernel, kernel))
                        .optInitializer(new NormalInitializer(sigma))
                        .build());
        bias = addParameter(
                Parameter.builder()
                        .setName("bias")
                        .setType(Parameter.Type.BIAS)
                        .optShape(new Shape(builder.channels))
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

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray drive = inputs.get(0);
        NDArray state = inputs.get(1);
        NDArray w = parameterStore.getValue(weight, drive.getDevice(), training);
        NDArray b = parameterStore.getValue(bias, drive.getDevice(), training);
        NDArray conv = Convolutions.same(state, w, b);
        return new NDList(conv.add(drive).tanh());
    }

    /** The builder for {@link TanhCell}. */
    public static final class Builder {

        private int channels;
        private int kernel = 3;
        private float weightScale = 0.5f;

        Builder() {}

        /**
         * Sets the number of channels of the state, which must equal the drive's (required).
         *
         * @param channels the number of channels
         * @return this builder
         */
        public Builder setChannels(int channels) {
            this.channels = channels;
            return this;
        }

        /**
         * Sets the odd kernel size (default 3).
         *
         * @param kernel the kernel size
         * @return this builder
         */
        public Builder optKernel(int kernel) {
            this.kernel = kernel;
            return this;
        }

        /**
         * Sets the scale of the initial weights (default 0.5).
         *
         * @param weightScale the scale
         * @return this builder
         */
        public Builder optWeightScale(float weightScale) {
            this.weightScale = weightScale;
            return this;
        }

        /**
         * Builds the cell.
         *
         * @return the cell
         * @throws IllegalArgumentException if channels is below 1 or the kernel is not odd
         */
        public TanhCell build() {
            if (channels < 1) {
                throw new IllegalArgumentException("channels must be at least 1, got " + channels);
            }
            if (kernel < 1 || kernel % 2 == 0) {
                throw new IllegalArgumentException("The kernel size must be odd, got " + kernel);
            }
            return new TanhCell(this);
        }
    }
}
