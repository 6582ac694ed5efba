/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.training;

import ai.djl.training.Trainer;

import org.crbp.core.GradientMethod;
import org.crbp.core.StepResult;

import java.util.List;

/**
 * A training listener that also wants the gradient method's results (penalty, Neumann terms,
 * residual, divergence) of every training batch. Register it with the trainer like any {@link
 * ai.djl.training.listener.TrainingListener}; {@link CrbpTrain} calls it before {@code
 * onTrainingBatch}.
 */
public interface GradientStepListener {

    /**
     * Called after every training batch, with one result per device split.
     *
     * @param trainer the trainer
     * @param method the gradient method
     * @param results the results of the batch's splits
     */
    void onGradientStep(Trainer trainer, GradientMethod method, List<StepResult> results);
}
