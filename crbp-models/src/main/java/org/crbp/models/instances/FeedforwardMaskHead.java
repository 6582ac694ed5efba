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
 * Mask R-CNN's mask head at a configurable width: {@code L} × (3×3 convolution + ReLU), {@code L
 * = 4} by default, then a {@link MaskPredictor} (2× transposed convolution + ReLU, 1×1
 * convolution to one logit map per class). Input: ROI features {@code (R, in, S, S)}; output:
 * {@code (R, classes, 2S, 2S)}.
 *
 * <p>Parameters at {@code C} channels, input {@code in} and {@code K} classes: {@code (9 in C +
 * C) + (L - 1)(9 C² + C) + 4 C² + C + K (C + 1)}; with {@code in = C} and {@code L = 4}, {@code
 * 40 C² + 5 C + K C + K}. Children: {@code conv1} … {@code convL} and {@code predictor}.
 *
 * <pre>{@code
 * FeedforwardMaskHead head = FeedforwardMaskHead.builder().setClasses(3).optChannels(16).build();
 * }</pre>
 */
public final class FeedforwardMaskHead extends AbstractBlock {

    /** The default width, 16 (Mask R-CNN uses 256). */
    public static final int DEFAULT_CHANNELS = 16;
    /** Mask R-CNN's number of 3×3 convolutions, 4. */
    public static final int DEFAULT_CONV_LAYERS = 4;

    private static final byte VERSION = 1;
    private static final int UNSET = -1;

    private final List<SameConv2d> convs;
    private final MaskPredictor predictor;

    private FeedforwardMaskHead(Builder builder) {
        super(VERSION);
        List<SameConv2d> layers = new ArrayList<>();
        int in = builder.inputChannels == UNSET ? builder.channels : builder.inputChannels;
        for (int i = 1; i <= builder.convLayers; i++) {
            layers.add(addChildBlock("conv" + i, SameConv2d.builder().setInChannels(in)
                    .setOutChannels(builder.channels).setKernel(3).build()));
            in = builder.channels;
        }
        convs = Collections.unmodifiableList(layers);
        predictor = addChildBlock("predictor", new MaskPredictor(builder.channels,
                builder.classes));
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
     * Returns the predictor at the end of the head.
     *
     * @return the predictor
     */
    public MaskPredictor getPredictor() {
        return predictor;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        for (SameConv2d conv : convs) {
            x = Activation.relu(conv.forward(parameterStore, new NDList(x), training, params)
                    .head());
        }
        return predictor.forward(parameterStore, new NDList(x), training, params);
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType,
            Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (SameConv2d conv : convs) {
            conv.initialize(manager, dataType, shapes);
            shapes = conv.getOutputShapes(shapes);
        }
        predictor.initialize(manager, dataType, shapes);
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (SameConv2d conv : convs) {
            shapes = conv.getOutputShapes(shapes);
        }
        return predictor.getOutputShapes(shapes);
    }

    /** The builder of {@link FeedforwardMaskHead}. */
    public static final class Builder {
        private int classes;
        private int channels = DEFAULT_CHANNELS;
        private int inputChannels = UNSET;
        private int convLayers = DEFAULT_CONV_LAYERS;

        Builder() {}

        /**
         * Sets the number of classes, one logit map each (required).
         *
         * @param classes at least 1
         * @return this builder
         */
        public Builder setClasses(int classes) {
            this.classes = classes;
            return this;
        }

        /**
         * Sets the width of the head (default 16).
         *
         * @param channels at least 1
         * @return this builder
         */
        public Builder optChannels(int channels) {
            this.channels = channels;
            return this;
        }

        /**
         * Sets the channels of the ROI features (default: the head's width).
         *
         * @param inputChannels at least 1
         * @return this builder
         */
        public Builder optInputChannels(int inputChannels) {
            this.inputChannels = inputChannels;
            return this;
        }

        /**
         * Sets the number of 3×3 convolutions before the predictor (default 4, Mask R-CNN's).
         *
         * @param convLayers at least 1
         * @return this builder
         */
        public Builder optConvLayers(int convLayers) {
            this.convLayers = convLayers;
            return this;
        }

        /**
         * Builds the head.
         *
         * @return the head
         * @throws IllegalArgumentException if a count is out of range
         */
        public FeedforwardMaskHead build() {
            if (classes < 1) {
                throw new IllegalArgumentException(
                        "FeedforwardMaskHead needs setClasses(>= 1), got " + classes);
            }
            if (channels < 1 || (inputChannels != UNSET && inputChannels < 1) || convLayers < 1) {
                throw new IllegalArgumentException("FeedforwardMaskHead needs channels,"
                        + " input channels and conv layers >= 1, got " + channels + ", "
                        + inputChannels + " and " + convLayers);
            }
            return new FeedforwardMaskHead(this);
        }
    }
}
