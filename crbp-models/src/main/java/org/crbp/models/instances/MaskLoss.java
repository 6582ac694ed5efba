/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.instances;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.loss.Loss;

/**
 * Mask R-CNN's mask loss: per ROI, the binary cross entropy of the logit map of the box's
 * ground-truth class against the box's mask target, averaged over every ROI and pixel. The other
 * classes' maps get no gradient.
 *
 * <p>Predictions: {@code NDList(logits)}, logits {@code (R, K, M, M)}. Labels: {@code
 * NDList(targets, classes)}, targets {@code (R, M, M)} in {0, 1} (any numeric type; see {@link
 * RoiAlign#maskTargets}) and classes {@code (R)}, an integer array of channel indices in {@code
 * [0, K)}.
 *
 * <p>Per pixel with logit {@code z} and target {@code t}, {@code -t log σ(z) - (1 - t) log(1 -
 * σ(z)) = softplus(z) - t z}, in that form: softplus is the engine's stable one, so the loss is
 * finite for every finite logit. The class's map is picked by a one-hot product, and no Java
 * number enters the recorded computation.
 */
public class MaskLoss extends Loss {

    /** Creates the loss, named "MaskLoss". */
    public MaskLoss() {
        this("MaskLoss");
    }

    /**
     * Creates the loss with a name.
     *
     * @param name the loss's name in logs and metrics
     */
    public MaskLoss(String name) {
        super(name);
    }

    /** {@inheritDoc} */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray logits = predictions.head();
        if (labels.size() != 2) {
            throw new IllegalArgumentException("MaskLoss takes labels NDList(targets (R, M, M),"
                    + " classes (R)), got " + labels.size() + " arrays");
        }
        NDArray targets = labels.get(0);
        NDArray classes = labels.get(1);
        Shape ls = logits.getShape();
        if (ls.dimension() != 4) {
            throw new IllegalArgumentException(
                    "MaskLoss: the predictions must be (R, K, M, M), got " + ls);
        }
        Shape expected = new Shape(ls.get(0), ls.get(2), ls.get(3));
        if (!targets.getShape().equals(expected)) {
            throw new IllegalArgumentException("MaskLoss: the targets must be " + expected
                    + " for predictions " + ls + ", got " + targets.getShape());
        }
        if (!classes.getShape().equals(new Shape(ls.get(0)))
                || !classes.getDataType().isInteger()) {
            throw new IllegalArgumentException("MaskLoss: the classes must be an integer array ("
                    + ls.get(0) + "), got " + classes.getShape() + " " + classes.getDataType());
        }
        NDArray classIndex = classes.toType(DataType.INT64, false);
        long[] indices = classIndex.toLongArray();
        for (int r = 0; r < indices.length; r++) {
            if (indices[r] < 0 || indices[r] >= ls.get(1)) {
                throw new IllegalArgumentException("MaskLoss: ROI " + r + " has class "
                        + indices[r] + ", outside the predictions' " + ls.get(1) + " classes");
            }
        }
        DataType type = logits.getDataType();
        // (R, K, 1, 1) one-hot: the logit map of each ROI's class
        NDArray pick = classIndex.oneHot(Math.toIntExact(ls.get(1)), type).reshape(ls.get(0),
                ls.get(1), 1, 1);
        NDArray z = logits.mul(pick).sum(new int[] {1});
        NDArray t = targets.toType(type, false);
        return Activation.softPlus(z).sub(t.mul(z)).mean();
    }
}
