/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import ai.djl.ndarray.NDList;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;

import org.crbp.examples.config.RunConfig;
import org.crbp.examples.config.SettingNames;
import org.crbp.examples.config.EpochTally;
import org.crbp.core.GradientMethod;
import org.crbp.core.StepResult;
import org.crbp.core.training.GradientStepListener;
import org.crbp.examples.task.Metrics;
import org.crbp.examples.task.Scorer;
import org.crbp.examples.task.Task;
import org.crbp.examples.task.Tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A training listener that keeps the current epoch's {@link EpochTally} and watches the loss and
 * the penalty of every batch with a {@link DivergenceMonitor} each (100x above the running
 * median). A warning goes to the console; with stop-on-divergence it also requests a stop on
 * the {@link StopSignal}, which the training loop polls after the batch.
 */
public final class TrainingWatch extends TrainingListenerAdapter implements GradientStepListener {

    private EpochTally tally = new EpochTally();
    private final DivergenceMonitor lossMonitor;
    private final DivergenceMonitor penaltyMonitor;
    private final StopSignal stop;
    private final boolean stopOnDivergence;
    private final Consumer<String> console;
    private final SettingNames names;
    private final List<String> warnings = new ArrayList<>();
    private boolean sawStep;
    private float lastLoss = Float.NaN;
    private List<StepResult> lastResults;
    private Task task = Tasks.byName(null, SettingNames.KEYS);
    /** The run's configuration, as the task's scorers take it (null until set). */
    private RunConfig config;
    /** The task's sums over the epoch's batches, mirrored into the tally after each batch. */
    private Scorer epochScorer = task.newScorer(null);
    private Metrics lastBatchMetrics = Metrics.EMPTY;

    /**
     * Creates the watch.
     *
     * @param stop the stop signal the loop polls
     * @param stopOnDivergence whether a warning also stops the run
     * @param console where warnings go (one line each)
     */
    public TrainingWatch(StopSignal stop, boolean stopOnDivergence, Consumer<String> console) {
        this(stop, stopOnDivergence, MEAN_PENALTY_FLOOR, console);
    }

    /**
     * Creates the watch with a floor under the penalty's running median.
     *
     * @param stop the stop signal the loop polls
     * @param stopOnDivergence whether a warning also stops the run
     * @param penaltyFloor the smallest median the penalty is compared with (a penalty that is 0
     *     on most batches would otherwise warn at every violation)
     * @param console where warnings go (one line each)
     */
    public TrainingWatch(StopSignal stop, boolean stopOnDivergence, double penaltyFloor,
            Consumer<String> console) {
        this(stop, stopOnDivergence, penaltyFloor, SettingNames.KEYS, console);
    }

    /**
     * Creates the watch with a floor under the penalty's running median, naming the
     * stop-on-divergence setting in its warnings as a front end spells it.
     *
     * @param stop the stop signal the loop polls
     * @param stopOnDivergence whether a warning also stops the run
     * @param penaltyFloor the smallest median the penalty is compared with
     * @param names how the warnings name settings
     * @param console where warnings go (one line each)
     */
    public TrainingWatch(StopSignal stop, boolean stopOnDivergence, double penaltyFloor,
            SettingNames names, Consumer<String> console) {
        this.names = names;
        this.stop = stop;
        this.stopOnDivergence = stopOnDivergence;
        this.console = console;
        lossMonitor = DivergenceMonitor.builder().setName("loss").build();
        penaltyMonitor = DivergenceMonitor.builder().setName("penalty").optFloor(penaltyFloor)
                .build();
        startScorer();
    }

    /**
     * Sets the task whose metrics the watch sums over an epoch's training batches (Pathfinder
     * unless set), continuing the current tally's sums.
     *
     * @param runTask the run's task
     * @param c the run's configuration (what the task's scorers score against)
     * @return this watch
     */
    public TrainingWatch forTask(Task runTask, RunConfig c) {
        this.task = runTask;
        this.config = c;
        startScorer();
        return this;
    }

    /** A scorer of the task that continues the tally's sums. */
    private void startScorer() {
        epochScorer = task.newScorer(config);
        epochScorer.restore(tally.taskSums);
        tally.taskSums = epochScorer.sums();
    }

    /** The penalty's floor under the reference's mean over all elements. */
    public static final double MEAN_PENALTY_FLOOR = 1e-3;

    /**
     * The penalty's floor of a run: a reduction that does not divide by every element (per image,
     * over the violating elements, the sum) is zero on most batches and some 1e4 times the mean
     * when it is not, so only a penalty above 1 is a spike worth a line.
     *
     * @param c the run's configuration
     * @return the floor
     */
    public static double penaltyFloor(RunConfig c) {
        return "mean".equals(c.penaltyReduction) ? MEAN_PENALTY_FLOOR : 1e-2;
    }

    /**
     * Continues an epoch from a checkpoint's tally.
     *
     * @param partial the stored tally, or {@code null} to start the epoch afresh
     */
    public void restore(EpochTally partial) {
        tally = partial == null ? new EpochTally() : partial.copy();
        startScorer();
    }

    /**
     * Returns the current epoch's tally (live).
     *
     * @return the tally
     */
    public EpochTally tally() {
        return tally;
    }

    /**
     * Returns the finished epoch's tally and starts a new one.
     *
     * @return the finished tally
     */
    public EpochTally finishEpoch() {
        EpochTally done = tally;
        tally = new EpochTally();
        startScorer();
        return done;
    }

    /**
     * Returns the warnings given so far.
     *
     * @return the warnings, one line each
     */
    public List<String> getWarnings() {
        return warnings;
    }

    /**
     * Returns the task loss of the last batch (the mean over devices).
     *
     * @return the loss, NaN before the first batch
     */
    public float lastLoss() {
        return lastLoss;
    }

    /**
     * Returns the task's metrics of the last batch alone (those it writes per batch).
     *
     * @return the metrics, empty when the task writes none
     */
    public Metrics lastBatchMetrics() {
        return lastBatchMetrics;
    }

    /**
     * Returns the task's training metrics of a finished epoch's tally.
     *
     * @param finished the tally
     * @return the metrics
     */
    public Metrics trainingMetrics(EpochTally finished) {
        Scorer s = task.newScorer(config);
        s.restore(finished.taskSums);
        return task.trainingMetrics(s);
    }

    /**
     * Returns the gradient method's results of the last batch, one per device.
     *
     * @return the results, or null for a model trained without a gradient method
     */
    public List<StepResult> lastResults() {
        return lastResults;
    }

    /** {@inheritDoc} */
    @Override
    public void onGradientStep(Trainer trainer, GradientMethod method, List<StepResult> results) {
        sawStep = true;
        double sum = 0;
        for (StepResult r : results) {
            sum += r.loss();
            tally.add(r);
            watch(lossMonitor.observe(r.loss()));
            if (r.penaltyApplied()) {
                watch(penaltyMonitor.observe(r.penalty()));
            }
        }
        lastLoss = results.isEmpty() ? Float.NaN : (float) (sum / results.size());
        lastResults = results;
    }

    /** {@inheritDoc} */
    @Override
    public void onTrainingBatch(Trainer trainer, TrainingListener.BatchData batchData) {
        boolean perBatch = !task.batchMetricNames().isEmpty();
        Scorer batch = perBatch ? task.newScorer(config) : null;
        for (ai.djl.Device d : batchData.getLabels().keySet()) {
            NDList labels = batchData.getLabels().get(d);
            NDList predictions = batchData.getPredictions().get(d);
            epochScorer.add(labels, predictions);
            if (perBatch) {
                batch.add(labels, predictions);
            }
            if (!sawStep) {
                // a model without a gradient method (EasyTrain): take the loss here
                float loss;
                try (ai.djl.ndarray.NDArray l = trainer.getLoss().evaluate(labels, predictions)) {
                    loss = l.getFloat();
                }
                tally.addLoss(loss);
                lastLoss = loss;
                lastResults = null;
                watch(lossMonitor.observe(loss));
            }
        }
        tally.taskSums = epochScorer.sums();
        lastBatchMetrics = perBatch ? task.batchMetrics(batch) : Metrics.EMPTY;
        sawStep = false;
    }

    /**
     * Gives a warning that does not stop the run (one line, kept with the others).
     *
     * @param warning the warning, without the "Warning: " prefix
     */
    public void note(String warning) {
        String line = "Warning: " + warning;
        warnings.add(line);
        console.accept(line);
    }

    private void watch(String warning) {
        if (warning == null) {
            return;
        }
        String line = "Warning: " + warning
                + (stopOnDivergence ? "; stopping (" + names.of("stop-on-divergence") + ")" : "");
        warnings.add(line);
        console.accept(line);
        if (stopOnDivergence) {
            stop.request(StopSignal.Reason.DIVERGENCE, warning);
        }
    }
}
