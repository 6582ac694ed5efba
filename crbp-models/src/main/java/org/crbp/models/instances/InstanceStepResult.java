/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.instances;

import ai.djl.ndarray.NDArray;

import org.crbp.core.StepResult;

/**
 * What one training step of an {@link InstanceSegmentationModel} measured: the mask branch's
 * {@link StepResult} (its loss, penalty and solver diagnostics) and the semantic loss.
 */
public final class InstanceStepResult {

    private final StepResult maskStep;
    private final float semanticLoss;
    private final float semanticWeight;
    private final NDArray semanticLogits;

    InstanceStepResult(StepResult maskStep, float semanticLoss, float semanticWeight,
            NDArray semanticLogits) {
        this.maskStep = maskStep;
        this.semanticLoss = semanticLoss;
        this.semanticWeight = semanticWeight;
        this.semanticLogits = semanticLogits;
    }

    /**
     * Returns the semantic head's logits of the step, detached, in the data's manager (they
     * close with it).
     *
     * @return the logits {@code (N, stuff + 1, H, W)}
     */
    public NDArray getSemanticLogits() {
        return semanticLogits;
    }

    /**
     * Returns the mask branch's result, as its gradient method returned it; its predictions are
     * the mask logits {@code (R, K, M, M)}, detached, in the data's manager.
     *
     * @return the mask step's result
     */
    public StepResult getMaskStep() {
        return maskStep;
    }

    /**
     * Returns the mask loss.
     *
     * @return the mask loss
     */
    public float getMaskLoss() {
        return maskStep.loss();
    }

    /**
     * Returns the semantic loss, before its weight.
     *
     * @return the semantic loss
     */
    public float getSemanticLoss() {
        return semanticLoss;
    }

    /**
     * Returns the loss whose gradient the step added: the mask loss plus the weighted semantic
     * loss (the mask method's penalty, if any, is reported by {@link #getMaskStep()}).
     *
     * @return the total loss
     */
    public float getTotalLoss() {
        return maskStep.loss() + semanticWeight * semanticLoss;
    }
}
