/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.listener.TrainingListener.BatchData;
import ai.djl.translate.TranslateException;

import org.crbp.core.GradientMethod;
import org.crbp.core.NonFiniteLossException;
import org.crbp.core.StepResult;
import org.crbp.core.training.CrbpTrain;
import org.crbp.core.training.GradientStepListener;
import org.crbp.examples.task.Task;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The training loop of a task with its own step ({@link Task#trainsItsOwnSteps()}), shaped like
 * crbp-core's {@code CrbpTrain.fit}: per batch the task's step, the listeners (the gradient
 * step's, then the batch's), the optimizer's step; per epoch the epoch's listeners. One device.
 */
final class TaskSteps {

    private TaskSteps() {}

    static void fit(Trainer trainer, int epochs, Dataset data, GradientMethod method, Task task)
            throws IOException, TranslateException {
        if (trainer.getDevices().length != 1) {
            throw new IllegalArgumentException("the " + task.name() + " task trains on one"
                    + " device, got " + trainer.getDevices().length);
        }
        ParameterStore store = CrbpTrain.parameterStore(trainer);
        for (int epoch = 0; epoch < epochs; epoch++) {
            int index = 0;
            for (Batch batch : trainer.iterateDataset(data)) {
                index++;
                try {
                    step(trainer, store, batch, method, task, epoch, index);
                    trainer.step();
                } finally {
                    batch.close();
                }
            }
            trainer.notifyListeners(listener -> listener.onEpoch(trainer));
        }
    }

    private static void step(Trainer trainer, ParameterStore store, Batch batch,
            GradientMethod method, Task task, int epoch, int index) {
        NDList labels = batch.getLabels();
        Task.StepOutcome outcome;
        try {
            outcome = task.trainingStep(trainer.getModel().getBlock(), store, batch.getData(),
                    labels, method);
        } catch (NonFiniteLossException e) {
            throw new NonFiniteLossException("Training stopped at epoch " + (epoch + 1)
                    + ", batch " + index + ": " + e.getMessage(), e);
        }
        BatchData batchData =
                new BatchData(batch, new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        batchData.getLabels().put(trainer.getDevices()[0], labels);
        batchData.getPredictions().put(trainer.getDevices()[0], outcome.predictions());
        if (outcome.result() != null && method != null) {
            List<StepResult> results = List.of(outcome.result());
            trainer.notifyListeners(listener -> {
                if (listener instanceof GradientStepListener) {
                    ((GradientStepListener) listener).onGradientStep(trainer, method, results);
                }
            });
        }
        trainer.notifyListeners(listener -> listener.onTrainingBatch(trainer, batchData));
    }
}
