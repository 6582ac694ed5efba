/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * The focal loss plus a soft Dice loss on the contour class: {@code focal + weight · (1 − Dice)},
 * with {@code Dice = (2 Σ p y + 1) / (Σ p + Σ y + 1)} per image ({@code p} the softmax probability
 * of the contour, {@code y} the target), averaged over the batch.
 *
 * <p>The focal loss is a mean over all pixels, of which a contour covers a few percent, so once
 * the background is right its gradient for the last missing stretch of a contour is tiny. The Dice
 * term is normalised per image by the contour's size: a missed stretch costs the same whatever
 * the image size, which is what recall needs.
 */
public class FocalDiceLoss extends Loss {

    private final FocalLoss focal;
    private final float diceWeight;

    /**
     * Creates the loss with the reference focal loss ({@code γ = 2}).
     *
     * @param diceWeight the weight of the Dice term, finite and positive
     */
    public FocalDiceLoss(float diceWeight) {
        super("FocalDiceLoss");
        if (!(diceWeight > 0) || Float.isInfinite(diceWeight)) {
            throw new IllegalArgumentException(
                    "The Dice weight must be finite and positive, got " + diceWeight);
        }
        this.focal = new FocalLoss();
        this.diceWeight = diceWeight;
    }

    /**
     * Returns the weight of the Dice term.
     *
     * @return the weight
     */
    public float getDiceWeight() {
        return diceWeight;
    }

    /** {@inheritDoc} */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray logits = predictions.head();
        NDArray target = FocalLoss.oneHot(labels.head(), logits).get(":, 1");
        NDArray p = logits.softmax(1).get(":, 1");
        int[] pixels = {1, 2};
        NDArray overlap = p.mul(target).sum(pixels);
        NDArray total = p.sum(pixels).add(target.sum(pixels));
        // constants as arrays made by the engine (a Number operand on a recorded path would be
        // backed by a Java buffer that is freed before backward)
        NDArray one = total.stopGradient().onesLike();
        NDArray dice = overlap.add(overlap).add(one).div(total.add(one));
        NDArray diceLoss = one.sub(dice).mean();
        NDArray weight = diceLoss.stopGradient().onesLike().mul(diceWeight);
        return focal.evaluate(labels, predictions).add(diceLoss.mul(weight));
    }
}
