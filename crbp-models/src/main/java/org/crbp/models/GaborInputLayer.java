/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The input layer of the reference's recurrent Pathfinder models: a trainable 7×7 convolution
 * from 1 to {@code C} channels with bias, its weights initialised with the {@link GaborBank}
 * (24 Gabor filters and one flat disk for {@code C = 25}) and its bias with PyTorch's default
 * {@code U(-1/7, 1/7)}; the drive is the output squared elementwise, {@code X = conv0(img)²},
 * with no normalisation or nonlinearity.
 *
 * <p>Its one child, {@code conv0}, is a {@link SameConv2d}.
 */
public final class GaborInputLayer extends AbstractBlock {

    private static final byte VERSION = 1;

    private final SameConv2d conv;

    /**
     * Creates the layer.
     *
     * @param channels the number of output channels, at least 1 (25 in the reference)
     */
    public GaborInputLayer(int channels) {
        super(VERSION);
        if (channels < 1) {
            throw new IllegalArgumentException(
                    "The input layer needs at least 1 channel, got " + channels);
        }
        conv =
                addChildBlock(
                        "conv0",
                        SameConv2d.builder()
                                .setInChannels(1)
                                .setOutChannels(channels)
                                .setKernel(GaborBank.KERNEL)
                                .optWeightInitializer(GaborBank.initializer())
                                .build());
    }

    /**
     * Returns the convolution.
     *
     * @return the 7×7 convolution
     */
    public SameConv2d getConv() {
        return conv;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray out = conv.forward(parameterStore, inputs, training, params).head();
        return new NDList(out.square());
    }

    /** {@inheritDoc} */
    @Override
    public void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        conv.initialize(manager, dataType, inputShapes);
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv.getOutputShapes(inputShapes);
    }
}
