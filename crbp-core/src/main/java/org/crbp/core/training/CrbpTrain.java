/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.training;

import ai.djl.metric.Metrics;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.EasyTrain;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.listener.TrainingListener.BatchData;
import ai.djl.translate.TranslateException;

import org.crbp.core.GradientMethod;
import org.crbp.core.NonFiniteLossException;
import org.crbp.core.RecurrentNet;
import org.crbp.core.StepResult;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Trains a {@link RecurrentNet} with a {@link GradientMethod}, shaped like DJL's {@link
 * EasyTrain}: batches are split across the trainer's devices, {@link BatchData} is filled and the
 * listeners are notified, so that DJL's logging listener, progress bar, evaluators and {@code
 * SaveModelTrainingListener} work unchanged. The method's diagnostics are recorded as metrics
 * ({@code crbp/penalty}, {@code crbp/neumannTerms}, {@code crbp/residual}, {@code
 * crbp/maxJacobianColumnSum}, {@code crbp/diverged}) when the trainer has metrics, and handed to
 * every {@link GradientStepListener}, such as {@link DiagnosticsListener}.
 *
 * <pre>{@code
 * try (Trainer trainer = model.newTrainer(config)) {
 *     trainer.initialize(new Shape(batchSize, 1, 64, 64));
 *     CrbpTrain.fit(trainer, epochs, trainSet, validationSet, GradientMethods.crbp(20, 15, 0.9f, 10f));
 * }
 * }</pre>
 */
public final class CrbpTrain {

    /** Metric name of the unweighted penalty. */
    public static final String PENALTY = "crbp/penalty";
    /**
     * Metric name of the adjoint iterations ({@link StepResult#adjointIterations()}: Neumann
     * terms for the Neumann series); the name is kept from when the series was the only solver.
     */
    public static final String NEUMANN_TERMS = "crbp/neumannTerms";
    /** Metric name of the last step's relative residual. */
    public static final String RESIDUAL = "crbp/residual";
    /** Metric name of {@code max(J^T 1)}. */
    public static final String MAX_COLUMN_SUM = "crbp/maxJacobianColumnSum";
    /** Metric name of the divergence flag (1 when the Neumann series diverged). */
    public static final String DIVERGED = "crbp/diverged";
    /** Metric name of the number of cell steps the forward pass ran. */
    public static final String STEPS = "crbp/steps";

    private CrbpTrain() {}

    /**
     * Trains for {@code epochs} epochs, validating after each one, as {@link EasyTrain#fit} does.
     *
     * @param trainer the trainer, whose model's block is a {@link RecurrentNet}
     * @param epochs the number of epochs
     * @param trainSet the training data
     * @param validationSet the validation data, or {@code null}
     * @param method the gradient method
     * @throws IOException if the data cannot be read
     * @throws TranslateException if the data cannot be batched
     * @throws NonFiniteLossException if a loss or penalty becomes NaN or infinite; the message
     *     names the epoch and batch, and the parameters are those after the last good batch
     */
    public static void fit(
            Trainer trainer,
            int epochs,
            Dataset trainSet,
            Dataset validationSet,
            GradientMethod method)
            throws IOException, TranslateException {
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must be 0 or more, got " + epochs);
        }
        for (int epoch = 0; epoch < epochs; epoch++) {
            int index = 0;
            for (Batch batch : trainer.iterateDataset(trainSet)) {
                try {
                    trainBatch(trainer, batch, method, epoch, index++);
                    trainer.step();
                } finally {
                    batch.close();
                }
            }
            EasyTrain.evaluateDataset(trainer, validationSet);
            trainer.notifyListeners(listener -> listener.onEpoch(trainer));
        }
    }

    /**
     * Runs the gradient method on one batch: adds the gradients into the parameters and notifies
     * the listeners. The caller then calls {@code trainer.step()} and closes the batch.
     *
     * @param trainer the trainer, whose model's block is a {@link RecurrentNet}
     * @param batch the batch
     * @param method the gradient method
     * @return the results of the batch's device splits
     */
    public static List<StepResult> trainBatch(Trainer trainer, Batch batch, GradientMethod method) {
        return trainBatch(trainer, batch, method, -1, -1);
    }

    private static List<StepResult> trainBatch(
            Trainer trainer, Batch batch, GradientMethod method, int epoch, int index) {
        if (trainer.getManager().getEngine() != batch.getManager().getEngine()) {
            throw new IllegalArgumentException(
                    "The data must be on the same engine as the trainer");
        }
        RecurrentNet net = recurrentNet(trainer);
        ParameterStore parameterStore = TrainerAccess.parameterStore(trainer);
        Batch[] splits = batch.split(trainer.getDevices(), false);
        BatchData batchData =
                new BatchData(batch, new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        List<StepResult> results = new ArrayList<>(splits.length);
        for (Batch split : splits) {
            NDList data = split.getData();
            NDList labels = split.getLabels();
            long begin = System.nanoTime();
            StepResult result;
            try {
                result = method.forwardBackward(
                        net, parameterStore, data, labels, trainer.getLoss());
            } catch (NonFiniteLossException e) {
                String where = epoch >= 0
                        ? "epoch " + (epoch + 1) + ", batch " + (index + 1)
                        : "this batch";
                throw new NonFiniteLossException(
                        "Training stopped at " + where + ": " + e.getMessage()
                                + ". The parameters are those after the last good batch;"
                                + " checkpoints already written are untouched.",
                        e);
            }
            trainer.addMetric("forward-backward", begin);
            batchData.getLabels().put(labels.get(0).getDevice(), labels);
            batchData.getPredictions().put(labels.get(0).getDevice(), result.predictions());
            results.add(result);
            record(trainer.getMetrics(), result);
        }
        trainer.notifyListeners(listener -> {
            if (listener instanceof GradientStepListener) {
                ((GradientStepListener) listener).onGradientStep(trainer, method, results);
            }
        });
        trainer.notifyListeners(listener -> listener.onTrainingBatch(trainer, batchData));
        return results;
    }

    private static void record(Metrics metrics, StepResult result) {
        if (metrics == null) {
            return;
        }
        metrics.addMetric(PENALTY, result.penalty());
        metrics.addMetric(NEUMANN_TERMS, result.adjointIterations());
        metrics.addMetric(RESIDUAL, result.residual());
        metrics.addMetric(DIVERGED, result.diverged() ? 1 : 0);
        metrics.addMetric(STEPS, result.steps());
        if (!Float.isNaN(result.maxJacobianColumnSum())) {
            metrics.addMetric(MAX_COLUMN_SUM, result.maxJacobianColumnSum());
        }
    }

    /**
     * Returns the trainer's own parameter store: the one whose arrays its optimizer updates, into
     * which a training step of one's own (a model around a {@code RecurrentNet}) must put its
     * gradients.
     *
     * @param trainer the trainer
     * @return its parameter store
     * @throws IllegalStateException if this DJL version's trainer does not have one where crbp
     *     looks
     */
    public static ParameterStore parameterStore(Trainer trainer) {
        return TrainerAccess.parameterStore(trainer);
    }

    /**
     * Returns the trainer's model block as a {@link RecurrentNet}.
     *
     * @param trainer the trainer
     * @return the network
     * @throws IllegalArgumentException if the model's block is not a {@code RecurrentNet}
     */
    public static RecurrentNet recurrentNet(Trainer trainer) {
        Block block = trainer.getModel().getBlock();
        if (!(block instanceof RecurrentNet)) {
            throw new IllegalArgumentException(
                    "Gradient methods train a RecurrentNet, but the model's block is "
                            + (block == null ? "null" : block.getClass().getName()));
        }
        return (RecurrentNet) block;
    }
}
