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

/**
 * The semantic head of a panoptic model: per-pixel logits for the stuff classes plus one "thing"
 * class, at input resolution. A 3×3 convolution + ReLU, a 1×1 convolution to {@code stuff + 1}
 * logit maps, then bilinear upsampling by the backbone's stride (PyTorch's {@code
 * align_corners=False} rule, the border replicated). Input: features {@code (N, in, h, w)};
 * output {@code (N, stuff + 1, stride h, stride w)}: channels {@code 0 .. stuff - 1} are the
 * stuff classes, channel {@code stuff} is "thing". Train it with a per-pixel cross entropy such
 * as {@code FocalLoss.crossEntropy()} on class indices {@code (N, H, W)}.
 *
 * <p>The upsampling is two products with constant interpolation matrices, {@code U_h L U_w^T}:
 * no resize operator, and the gradient is exact. Parameters: {@code 9 in C + C + (stuff + 1)(C +
 * 1)}. Children: {@code conv} and {@code classifier}.
 */
public final class SemanticHead extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final int UNSET = -1;

    private final int classes;
    private final int stride;
    private final SameConv2d conv;
    private final SameConv2d classifier;

    private SemanticHead(Builder builder) {
        super(VERSION);
        int in = builder.inputChannels;
        int hidden = builder.channels == UNSET ? in : builder.channels;
        classes = builder.stuffClasses + 1;
        stride = builder.stride;
        conv = addChildBlock("conv", SameConv2d.builder().setInChannels(in)
                .setOutChannels(hidden).setKernel(3).build());
        classifier = addChildBlock("classifier", SameConv2d.builder().setInChannels(hidden)
                .setOutChannels(classes).setKernel(1).build());
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
     * Returns the number of output classes: the stuff classes plus "thing".
     *
     * @return the classes
     */
    public int getClasses() {
        return classes;
    }

    /**
     * Returns the index of the "thing" class, the last channel.
     *
     * @return the thing class's index
     */
    public int getThingClass() {
        return classes - 1;
    }

    /**
     * Returns the upsampling factor.
     *
     * @return the stride
     */
    public int getStride() {
        return stride;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray hidden = Activation.relu(conv.forward(parameterStore, new NDList(x), training,
                params).head());
        NDArray logits = classifier.forward(parameterStore, new NDList(hidden), training, params)
                .head();
        return new NDList(upsample(logits, stride));
    }

    /**
     * Bilinear upsampling by an integer factor with PyTorch's {@code align_corners=False} rule
     * (output pixel {@code o} reads input position {@code (o + 0.5) / factor - 0.5}, clamped to
     * the map).
     *
     * @param x the maps {@code (N, K, h, w)}
     * @param factor the factor, at least 1
     * @return the maps {@code (N, K, factor h, factor w)}, in {@code x}'s manager
     */
    public static NDArray upsample(NDArray x, int factor) {
        if (factor == 1) {
            return x;
        }
        Shape s = x.getShape();
        NDManager manager = x.getManager();
        int h = Math.toIntExact(s.get(2));
        int w = Math.toIntExact(s.get(3));
        NDArray rows = interpolation(manager, h, factor, x.getDataType());
        NDArray columns;
        try (NDArray untransposed = interpolation(manager, w, factor, x.getDataType())) {
            columns = untransposed.transpose();
        }
        // (H, h) x (N, K, h, w) x (w, W)
        return rows.matMul(x).matMul(columns);
    }

    /** The {@code (factor n, n)} matrix of bilinear upsampling along one axis. */
    private static NDArray interpolation(NDManager manager, int n, int factor, DataType type) {
        int out = n * factor;
        double[] weights = new double[out * n];
        for (int o = 0; o < out; o++) {
            double source = Math.max(0, (o + 0.5) / factor - 0.5);
            int low = Math.min((int) Math.floor(source), n - 1);
            int high = Math.min(low + 1, n - 1);
            double frac = source - low;
            weights[o * n + low] += 1 - frac;
            weights[o * n + high] += frac;
        }
        // a copy the engine owns: autograd reads it in the backward pass
        return RoiAlign.ownedConstant(manager, weights, new Shape(out, n), type);
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType,
            Shape... inputShapes) {
        conv.initialize(manager, dataType, inputShapes);
        classifier.initialize(manager, dataType, conv.getOutputShapes(inputShapes));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {
            new Shape(in.get(0), classes, stride * in.get(2), stride * in.get(3))
        };
    }

    /** The builder of {@link SemanticHead}. */
    public static final class Builder {
        private int stuffClasses;
        private int inputChannels = InstanceBackbone.DEFAULT_CHANNELS;
        private int channels = UNSET;
        private int stride = InstanceBackbone.DEFAULT_STRIDE;

        Builder() {}

        /**
         * Sets the number of stuff classes (required); the head adds one "thing" class.
         *
         * @param stuffClasses at least 1
         * @return this builder
         */
        public Builder setStuffClasses(int stuffClasses) {
            this.stuffClasses = stuffClasses;
            return this;
        }

        /**
         * Sets the channels of the features (default 16, {@link InstanceBackbone}'s default).
         *
         * @param inputChannels at least 1
         * @return this builder
         */
        public Builder optInputChannels(int inputChannels) {
            this.inputChannels = inputChannels;
            return this;
        }

        /**
         * Sets the width of the 3×3 convolution (default: the input channels).
         *
         * @param channels at least 1
         * @return this builder
         */
        public Builder optChannels(int channels) {
            this.channels = channels;
            return this;
        }

        /**
         * Sets the upsampling factor, the backbone's stride (default 4, {@link
         * InstanceBackbone}'s default).
         *
         * @param stride at least 1
         * @return this builder
         */
        public Builder optStride(int stride) {
            this.stride = stride;
            return this;
        }

        /**
         * Builds the head.
         *
         * @return the head
         * @throws IllegalArgumentException if a count is out of range
         */
        public SemanticHead build() {
            if (stuffClasses < 1) {
                throw new IllegalArgumentException(
                        "SemanticHead needs setStuffClasses(>= 1), got " + stuffClasses);
            }
            if (inputChannels < 1 || (channels != UNSET && channels < 1) || stride < 1) {
                throw new IllegalArgumentException("SemanticHead needs input channels, channels"
                        + " and stride >= 1, got " + inputChannels + ", " + channels + " and "
                        + stride);
            }
            return new SemanticHead(this);
        }
    }
}
