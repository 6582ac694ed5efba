/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;

/**
 * DJL's {@code L2Loss} ({@code mean((label - prediction)^2) / 2}) without its scalar operand: DJL's
 * {@code L2Loss} multiplies by {@code 0.5f} as a {@code Number}, whose Java buffer a garbage
 * collection can free before the backward pass reads it, which gave NaN or wrong gradients in
 * these tests on a loaded machine. Here the factor is a native array.
 */
public final class SquaredErrorLoss extends Loss {

    /** Creates the loss. */
    public SquaredErrorLoss() {
        super("SquaredErrorLoss");
    }

    /** {@inheritDoc} */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray prediction = predictions.singletonOrThrow();
        NDArray label = labels.singletonOrThrow().reshape(prediction.getShape());
        NDArray squares = label.sub(prediction).square();
        NDArray half = squares.getManager().full(new Shape(), 0.5f, squares.getDataType());
        return squares.mul(half).mean();
    }
}
