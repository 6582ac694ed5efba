/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * The reference's pixel-wise focal loss: per pixel {@code -(1 - p_t)^γ log p_t}, where {@code
 * p_t} is the softmax probability of the true class, averaged over all {@code N·H·W} pixels, with
 * no class weighting. As in the reference, the focusing factor {@code (1 - p_t)^γ} is
 * <em>detached</em>: it is a constant in the backward pass. With {@code γ = 0} it is plain
 * pixel-wise cross entropy (see {@link #crossEntropy()}).
 *
 * <p>Predictions: logits {@code (N, K, H, W)}. Labels: class indices {@code (N, H, W)} or {@code
 * (N, 1, H, W)}, of any numeric type.
 */
public class FocalLoss extends Loss {

    /** The reference's focusing parameter, 2. */
    public static final float DEFAULT_GAMMA = 2f;

    private final float gamma;

    /** Creates the reference's focal loss, {@code γ = 2}, named "FocalLoss". */
    public FocalLoss() {
        this("FocalLoss", DEFAULT_GAMMA);
    }

    /**
     * Creates a focal loss.
     *
     * @param name the loss's name in logs and metrics
     * @param gamma the focusing parameter, 0 or more (0 gives cross entropy)
     */
    public FocalLoss(String name, float gamma) {
        super(name);
        if (!(gamma >= 0) || Float.isInfinite(gamma)) {
            throw new IllegalArgumentException(
                    "The focal loss's gamma must be finite and >= 0, got " + gamma);
        }
        this.gamma = gamma;
    }

    /**
     * Plain pixel-wise cross entropy (mean over pixels), named "PixelCrossEntropy".
     *
     * @return the loss
     */
    public static FocalLoss crossEntropy() {
        return new FocalLoss("PixelCrossEntropy", 0f);
    }

    /**
     * Returns the focusing parameter γ.
     *
     * @return gamma
     */
    public float getGamma() {
        return gamma;
    }

    /** {@inheritDoc} */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray logits = predictions.head();
        NDArray logp = logits.logSoftmax(1);
        NDArray logpt = logp.mul(oneHot(labels.head(), logits)).sum(new int[] {1});
        if (gamma == 0f) {
            return logpt.neg().mean();
        }
        NDArray factor = logpt.stopGradient().exp().neg().add(1).pow(gamma);
        return logpt.mul(factor).neg().mean();
    }

    /**
     * One-hot encodes labels to the predictions' layout {@code (N, K, H, W)} and data type.
     *
     * @param label class indices {@code (N, H, W)} or {@code (N, 1, H, W)}
     * @param logits the predictions {@code (N, K, H, W)}
     * @return the one-hot labels
     */
    static NDArray oneHot(NDArray label, NDArray logits) {
        NDArray l = label.getShape().dimension() == 4 ? label.squeeze(1) : label;
        int classes = Math.toIntExact(logits.getShape().get(1));
        return l.oneHot(classes, logits.getDataType()).transpose(0, 3, 1, 2);
    }
}
