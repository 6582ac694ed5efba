/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.instances;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.crbp.models.SameConv2d;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A small single-scale convolutional backbone: a 3×3 convolution + ReLU (the stem), then one
 * stage per factor 2 of the stride, each a 3×3 convolution + ReLU followed by 2×2 mean pooling.
 * Input: images {@code (N, in, H, W)} with {@code H} and {@code W} multiples of the stride;
 * output: features {@code (N, C, H / stride, W / stride)}.
 *
 * <p>Mean pooling keeps the feature grid aligned with {@link RoiAlign}'s pixel-centre convention:
 * the pooling windows tile the image, so feature row {@code i} is centred on image coordinate
 * {@code stride (i + 0.5)}, as a spatial scale of {@code 1 / stride} assumes. It is a
 * reshape and a mean, so no strided convolution is needed (the CPU library's convolutions need
 * channel padding, see {@link org.crbp.core.Convolutions}).
 *
 * <p>Parameters: {@code 9 in C + C + log2(stride) (9 C² + C)}. Children: {@code stem}, {@code
 * down1} … {@code downK}.
 *
 * <pre>{@code
 * InstanceBackbone backbone = InstanceBackbone.builder().optInputChannels(3).optChannels(16)
 *         .optStride(4).build();
 * }</pre>
 */
public final class InstanceBackbone extends AbstractBlock {

    /** The default number of image channels, 3. */
    public static final int DEFAULT_INPUT_CHANNELS = 3;
    /** The default width, 16. */
    public static final int DEFAULT_CHANNELS = 16;
    /** The default stride, 4. */
    public static final int DEFAULT_STRIDE = 4;

    private static final byte VERSION = 1;

    private final int channels;
    private final int stride;
    private final SameConv2d stem;
    private final List<SameConv2d> stages;

    private InstanceBackbone(Builder builder) {
        super(VERSION);
        channels = builder.channels;
        stride = builder.stride;
        stem = addChildBlock("stem", conv(builder.inputChannels, channels));
        List<SameConv2d> downs = new ArrayList<>();
        for (int i = 1; (1 << i) <= stride; i++) {
            downs.add(addChildBlock("down" + i, conv(channels, channels)));
        }
        stages = Collections.unmodifiableList(downs);
    }

    private static SameConv2d conv(int in, int out) {
        return SameConv2d.builder().setInChannels(in).setOutChannels(out).setKernel(3).build();
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
     * Returns the number of output channels.
     *
     * @return the channels
     */
    public int getChannels() {
        return channels;
    }

    /**
     * Returns the stride: image pixels per feature pixel.
     *
     * @return the stride, 1, 2, 4 or 8
     */
    public int getStride() {
        return stride;
    }

    /**
     * Returns the spatial scale to give {@link RoiAlign}: {@code 1 / stride}.
     *
     * @return the spatial scale
     */
    public double getSpatialScale() {
        return 1.0 / stride;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        checkImageShape(x.getShape());
        x = Activation.relu(stem.forward(parameterStore, new NDList(x), training, params).head());
        for (SameConv2d stage : stages) {
            x = meanPool2(Activation.relu(stage.forward(parameterStore, new NDList(x), training,
                    params).head()));
        }
        return new NDList(x);
    }

    /** 2×2 mean pooling with stride 2, as a reshape and a mean. */
    private static NDArray meanPool2(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), s.get(2) / 2, 2, s.get(3) / 2, 2)
                .mean(new int[] {5})
                .mean(new int[] {3}); // the engine's mean takes one axis at a time
    }

    private void checkImageShape(Shape shape) {
        if (shape.dimension() != 4 || shape.get(2) % stride != 0 || shape.get(3) % stride != 0) {
            throw new IllegalArgumentException("InstanceBackbone: the images must be (N, C, H, W)"
                    + " with H and W multiples of the stride " + stride + ", got " + shape);
        }
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType,
            Shape... inputShapes) {
        checkImageShape(inputShapes[0]);
        stem.initialize(manager, dataType, inputShapes);
        Shape[] shapes = stem.getOutputShapes(inputShapes);
        for (SameConv2d stage : stages) {
            stage.initialize(manager, dataType, shapes);
            shapes = stage.getOutputShapes(shapes);
        }
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), channels, in.get(2) / stride, in.get(3) / stride)};
    }

    /** The builder of {@link InstanceBackbone}. */
    public static final class Builder {
        private int inputChannels = DEFAULT_INPUT_CHANNELS;
        private int channels = DEFAULT_CHANNELS;
        private int stride = DEFAULT_STRIDE;

        Builder() {}

        /**
         * Sets the image channels (default 3).
         *
         * @param inputChannels at least 1
         * @return this builder
         */
        public Builder optInputChannels(int inputChannels) {
            this.inputChannels = inputChannels;
            return this;
        }

        /**
         * Sets the width (default 16).
         *
         * @param channels at least 1
         * @return this builder
         */
        public Builder optChannels(int channels) {
            this.channels = channels;
            return this;
        }

        /**
         * Sets the stride (default 4).
         *
         * @param stride 1, 2, 4 or 8
         * @return this builder
         */
        public Builder optStride(int stride) {
            this.stride = stride;
            return this;
        }

        /**
         * Builds the backbone.
         *
         * @return the backbone
         * @throws IllegalArgumentException if a count is below 1 or the stride is not 1, 2, 4
         *     or 8
         */
        public InstanceBackbone build() {
            if (inputChannels < 1 || channels < 1) {
                throw new IllegalArgumentException("InstanceBackbone needs at least 1 input and 1"
                        + " output channel, got " + inputChannels + " and " + channels);
            }
            if (stride != 1 && stride != 2 && stride != 4 && stride != 8) {
                throw new IllegalArgumentException(
                        "InstanceBackbone's stride must be 1, 2, 4 or 8, got " + stride);
            }
            return new InstanceBackbone(this);
        }
    }
}
