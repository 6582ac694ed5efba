/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.instances;

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
 * The end of Mask R-CNN's mask head, shared by {@link FeedforwardMaskHead} and {@link
 * RecurrentMaskHead}: a 2× transposed convolution ({@link TransposedConv2x2}) with ReLU, then a
 * 1×1 convolution to one logit map per class, {@code (R, C, S, S) -> (R, classes, 2S, 2S)}.
 *
 * <p>Children: {@code upsample} and {@code predictor}. Parameters: {@code 4 C² + C + classes (C +
 * 1)}.
 */
public final class MaskPredictor extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int classes;
    private final TransposedConv2x2 upsample;
    private final SameConv2d predictor;

    /**
     * Creates the predictor.
     *
     * @param channels the input (and upsampling) channels, at least 1
     * @param classes the number of classes, one logit map each, at least 1
     * @throws IllegalArgumentException if a count is below 1
     */
    public MaskPredictor(int channels, int classes) {
        super(VERSION);
        if (channels < 1 || classes < 1) {
            throw new IllegalArgumentException("MaskPredictor needs at least 1 channel and 1"
                    + " class, got " + channels + " and " + classes);
        }
        this.classes = classes;
        upsample = addChildBlock("upsample", new TransposedConv2x2(channels, channels));
        predictor = addChildBlock("predictor", SameConv2d.builder().setInChannels(channels)
                .setOutChannels(classes).setKernel(1).build());
    }

    /**
     * Returns the number of classes.
     *
     * @return the classes
     */
    public int getClasses() {
        return classes;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        NDList up = upsample.forward(parameterStore, inputs, training, params);
        return predictor.forward(parameterStore, new NDList(Activation.relu(up.head())),
                training, params);
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType,
            Shape... inputShapes) {
        upsample.initialize(manager, dataType, inputShapes);
        predictor.initialize(manager, dataType, upsample.getOutputShapes(inputShapes));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return predictor.getOutputShapes(upsample.getOutputShapes(inputShapes));
    }
}
