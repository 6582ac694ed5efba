/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.task;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.ParameterStore;
import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.loss.Loss;

import org.crbp.core.GradientMethod;
import org.crbp.core.StepResult;

import org.crbp.examples.config.RunConfig;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the program's run layer needs from a task: its data, its model and loss, its evaluator and
 * named metrics, and its pictures. Training, checkpoints, divergence checks, the contraction
 * measurement and the reports are the same for every task; a new task is one implementation of
 * this interface, registered in {@link Tasks}.
 *
 * <p>Metric names are the keys of an epoch's record in {@code state.json} and {@code
 * report.json}'s history, in the order given; the test's metrics are the keys of {@code
 * report.json}.
 */
public interface Task {

    /** The data splits evaluated by a run. */
    enum Split {
        /** The images evaluated after every epoch. */
        VALIDATION,
        /** The held-out images of the report. */
        TEST
    }

    /**
     * Returns the task's name, as {@code --task} takes it.
     *
     * @return the name
     */
    String name();

    /**
     * Checks that the data of a run can be read (a data folder's splits, their sizes) before any
     * training, throwing a one-line error naming the problem.
     *
     * @param c the configuration
     */
    void checkData(RunConfig c);

    /**
     * Returns the training set of one epoch, as a function of (seed, epoch) only, so that a
     * resumed run sees the batches of an uninterrupted one.
     *
     * @param c the configuration
     * @param epoch the epoch, from 0
     * @param skipBatches the batches of the epoch already done (left out without reading them)
     * @return the dataset
     */
    Dataset trainingSet(RunConfig c, int epoch, int skipBatches);

    /**
     * Returns a fixed evaluation set.
     *
     * @param c the configuration
     * @param preset the variant of the data to evaluate on, or null for the run's own
     * @param split validation or test
     * @param size the number of images
     * @return the dataset
     */
    Dataset evaluationSet(RunConfig c, String preset, Split split, int size);

    /**
     * Builds the model: encoder, recurrent cell and the task's readout.
     *
     * @param c the configuration
     * @param steps the recurrent steps of its forward pass
     * @return the block
     */
    Block model(RunConfig c, int steps);

    /**
     * Returns the shape of one input batch, to initialise the model.
     *
     * @param c the configuration
     * @return the shape
     */
    Shape inputShape(RunConfig c);

    /**
     * Returns the shapes of one batch's inputs, to initialise the model: {@link #inputShape}
     * alone by default (a model of one input).
     *
     * @param c the configuration
     * @return the shapes
     */
    default Shape[] inputShapes(RunConfig c) {
        return new Shape[] {inputShape(c)};
    }

    /**
     * Builds the training loss.
     *
     * @param c the configuration
     * @return the loss
     */
    Loss loss(RunConfig c);

    /**
     * Returns DJL's evaluator of the training batches (DJL's own logging shows it).
     *
     * @return the evaluator
     */
    Evaluator trainingEvaluator();

    /**
     * Starts a new sum of batches for the task's metrics.
     *
     * @param c the run's configuration (its data: what the scorer scores against), or null for
     *     a task whose scorer needs none
     * @return an empty scorer
     */
    Scorer newScorer(RunConfig c);

    /**
     * Returns what the console's lines name as the run's data ("Training ... on X").
     *
     * @param c the configuration
     * @return the Pathfinder preset by default
     */
    default String dataLabel(RunConfig c) {
        return c.preset;
    }

    /**
     * Returns an epoch's training metrics from the sums over its batches.
     *
     * @param training the epoch's training batches
     * @return the metrics, named as an epoch's record holds them
     */
    Metrics trainingMetrics(Scorer training);

    /**
     * Returns an epoch's validation metrics.
     *
     * @param validation the validation images
     * @param loss the mean training loss on them
     * @return the metrics, named as an epoch's record holds them
     */
    Metrics validationMetrics(Scorer validation, double loss);

    /**
     * Returns the names of every metric of an epoch's record, in order: the training metrics,
     * then the validation metrics.
     *
     * @return the names
     */
    List<String> epochMetricNames();

    /**
     * Returns the epoch metric that selects the best checkpoint (higher is better).
     *
     * @return one of {@link #epochMetricNames()}
     */
    String selectionMetric();

    /**
     * Returns how charts and tables name the selection metric, such as {@code IoU}; in lower
     * case it is also the key of the test figure in a run's {@code report.json} and the prefix
     * of {@code compare}'s pictures.
     *
     * @return the label
     */
    default String selectionMetricLabel() {
        return selectionMetric();
    }

    /**
     * Returns the names of the metrics written per training batch into {@code metrics.csv},
     * after its fixed columns (none by default).
     *
     * @return the column names
     */
    default List<String> batchMetricNames() {
        return List.of();
    }

    /**
     * Returns one training batch's metrics for {@code metrics.csv}.
     *
     * @param batch the batch alone
     * @return the values of {@link #batchMetricNames()}
     */
    default Metrics batchMetrics(Scorer batch) {
        return Metrics.EMPTY;
    }

    /**
     * Returns the epoch line's part on the task's metrics, starting with ", ".
     *
     * @param epoch the epoch's metrics
     * @return the text
     */
    String epochSummary(Metrics epoch);

    /**
     * Returns the test's metrics for the report, in its order.
     *
     * @param test the test images
     * @return the values by key
     */
    Map<String, Object> testReport(Scorer test);

    /**
     * Returns the test's metrics as the console's result line says them.
     *
     * @param test the test images
     * @return one line
     */
    String testSummary(Scorer test);

    /**
     * Draws a trained run's pictures and adds the numbers behind them to the report.
     *
     * @param block the trained model
     * @param manager a manager
     * @param c the configuration
     * @param history the finished epochs
     * @param out the run folder
     * @param analysisSteps the last step of the analyses (0: the task's default)
     * @param report the report to extend
     * @param console progress lines
     * @throws IOException if writing fails
     */
    void drawPictures(Block block, NDManager manager, RunConfig c, TrainingHistory history,
            Path out, int analysisSteps, Map<String, Object> report, PrintWriter console)
            throws IOException;

    /**
     * What a task's own training step did: the gradient method's result (null when the step
     * ran without one) and the predictions the task's scorer and loss take.
     *
     * @param result the gradient method's result, or null
     * @param predictions the batch's predictions (in the batch's manager)
     */
    record StepOutcome(StepResult result, NDList predictions) {}

    /**
     * Returns whether the task runs its own training step ({@link #trainingStep}) instead of the
     * run layer's: a gradient method on a single-input {@code RecurrentNet}, or DJL's ordinary
     * step for a feedforward model. False by default.
     *
     * @return whether {@link #trainingStep} is used
     */
    default boolean trainsItsOwnSteps() {
        return false;
    }

    /**
     * Runs one training batch's forward and backward, adding the gradients into the parameters;
     * the run layer then notifies the listeners and calls the optimizer's step.
     *
     * @param block the model
     * @param parameterStore the trainer's parameter store
     * @param data the batch's data
     * @param labels the batch's labels
     * @param method the gradient method of a recurrent model, or null
     * @return the step's result and predictions
     */
    default StepOutcome trainingStep(Block block, ParameterStore parameterStore, NDList data,
            NDList labels, GradientMethod method) {
        throw new UnsupportedOperationException(name() + " trains with the run layer's step");
    }
}
