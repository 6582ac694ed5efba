/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The reference's readout: a {@link BatchStatsNorm} (batch statistics in training and evaluation,
 * eps 1e-3, scale 1, shift 0) followed by a 1×1 convolution to {@code classes} logits with
 * Xavier-normal weights and every bias {@code log(0.99 / 0.01) = 4.595} (equal biases, so neither
 * class is favoured).
 *
 * <p>Children: {@code bn} and {@code conv6}.
 */
public final class SegmentationReadout extends AbstractBlock {

    /** The reference's initial readout bias, {@code log(0.99 / 0.01)}. */
    public static final double BIAS_INIT = Math.log(0.99 / 0.01);

    private static final byte VERSION = 1;

    private final BatchStatsNorm norm;
    private final SameConv2d conv;

    /**
     * Creates the readout.
     *
     * @param channels the number of input channels, at least 1
     * @param classes the number of output classes, at least 1 (2 in the reference)
     */
    public SegmentationReadout(int channels, int classes) {
        super(VERSION);
        if (classes < 1) {
            throw new IllegalArgumentException("The readout needs at least 1 class, got " + classes);
        }
        norm = addChildBlock("bn", BatchStatsNorm.builder().setChannels(channels).build());
        conv =
                addChildBlock(
                        "conv6",
                        SameConv2d.builder()
                                .setInChannels(channels)
                                .setOutChannels(classes)
                                .setKernel(1)
                                .optWeightInitializer(Initializers.xavierNormal())
                                .optBiasInitializer(Initializers.constant(BIAS_INIT))
                                .build());
    }

    /**
     * Returns the batch norm.
     *
     * @return the norm
     */
    public BatchStatsNorm getNorm() {
        return norm;
    }

    /**
     * Returns the 1×1 convolution.
     *
     * @return the convolution
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
        NDList normed = norm.forward(parameterStore, inputs, training, params);
        return conv.forward(parameterStore, normed, training, params);
    }

    /** {@inheritDoc} */
    @Override
    public void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        norm.initialize(manager, dataType, inputShapes);
        conv.initialize(manager, dataType, inputShapes);
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv.getOutputShapes(inputShapes);
    }
}
