/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import ai.djl.ndarray.NDManager;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.translate.TranslateException;
import ai.djl.util.Progress;

import org.crbp.examples.config.RunConfig;
import org.crbp.examples.config.EpochTally;
import org.crbp.examples.config.MethodKind;
import org.crbp.examples.config.SettingNames;
import org.crbp.core.ContractionAnalysis;
import org.crbp.core.RecurrentNet;
import org.crbp.core.StepListener;
import org.crbp.core.StepResult;
import org.crbp.core.bench.ProcessMemory;
import org.crbp.core.training.GradientStepListener;
import org.crbp.examples.analysis.Evaluation;
import org.crbp.examples.task.Metrics;
import org.crbp.examples.task.Scorer;
import org.crbp.examples.task.Task;
import org.crbp.examples.task.Tasks;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;

/**
 * What a training run adds to the one training loop ({@code CrbpTrain.fit}, or DJL's {@code
 * EasyTrain.fit} for the feedforward control), as a dataset and training listeners: no epoch loop
 * of its own.
 *
 * <ul>
 *   <li>{@link #data()}: the training set of each epoch in turn (its order, flips and images are
 *       functions of (seed, epoch)), the first one without the batches a resumed checkpoint
 *       already holds. Its iterator is the hook between batches, after the optimizer step: it
 *       writes the batch's row of {@code metrics.csv} and stops the run (a {@link
 *       StopSignal.StopException} thrown out of the loop) when the time budget is spent,
         when asked to, or on divergence.
 *   <li>{@link #listeners()}: {@link GradientClipping} after the backward pass and before the
 *       step, and the end of an epoch ({@code onEpoch}): validation, the
 *       epoch's record, the checkpoint and the console line.
 * </ul>
 *
 * <p>crbp-core's {@code fit} has no way to end early, so a stop leaves it by an exception thrown
 * between two batches (after the step, with no batch open); a stop request polled by {@code fit}
 * would say the same without one. Inside a batch the time budget is checked by the gradient
 * method's step listener ({@link #deadlineBetweenSteps()}) between the recurrent steps; its stop
 * leaves {@code fit} by the same exception, counting the batches done before it.
 */
final class TrainingLoop implements java.io.Closeable {

    private final RunConfig c;
    private final Checkpoints.State state;
    private final Path out;
    private final TrainingWatch watch;
    private final StopSignal stop;
    private final CheckpointAdam adam;
    private final MetricsLog metrics;
    private final Dataset validation;
    private final Task task;
    private final PrintWriter console;
    private final boolean quiet;
    private final boolean recurrent;
    private final int stopAfterBatches;
    private final int stopAfterEpoch;
    private final int perEpoch;
    private final SettingNames names;

    /** The epoch being trained, from 0. */
    private int epoch;
    /** The batches of that epoch done (counting those before a resume). */
    private int index;
    /** When the epoch (or what was left of it) started: wall clock and process CPU. */
    private long epochBegin;
    private long epochCpuBegin;
    private long batchBegin;
    private long batchCpuBegin;
    private boolean inBatch;

    private TrainingLoop(Builder b) {
        this.c = b.config;
        this.state = b.state;
        this.out = b.out;
        this.watch = b.watch;
        this.stop = b.stop;
        this.adam = b.optimizer;
        this.metrics = b.metrics;
        this.validation = b.validation;
        this.task = b.task != null ? b.task : Tasks.of(b.config);
        this.console = b.console;
        this.quiet = b.quiet;
        this.recurrent = c.recurrent();
        this.stopAfterBatches = b.stopAfterBatches;
        this.stopAfterEpoch = b.stopAfterEpoch;
        this.perEpoch = c.trainSize / c.batch;
        this.epoch = state.epoch;
        this.names = b.names;
    }

    /**
     * Starts a loop's description.
     *
     * @return the builder
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the epoch being trained (the one a stop happened in).
     *
     * @return the epoch, from 0
     */
    int epoch() {
        return epoch;
    }

    /**
     * Returns the batches of the current epoch done, counting those before a resume.
     *
     * @return the batches
     */
    int batchesDone() {
        return index;
    }

    /**
     * Returns the wall-clock seconds since the epoch (or what was left of it) started.
     *
     * @return the seconds
     */
    double epochSeconds() {
        return (System.nanoTime() - epochBegin) / 1e9;
    }

    /**
     * The number of epochs the loop has left to train: none when the run is complete or was
     * asked to stop before.
     *
     * @return the number of epochs to pass to the loop
     */
    int epochsLeft() {
        if (stopAfterEpoch > 0 && state.epoch >= stopAfterEpoch) {
            return 0;
        }
        return Math.max(0, c.epochs - state.epoch);
    }

    /**
     * The training data of the loop: one call of {@code getData} per epoch.
     *
     * @return the dataset
     */
    Dataset data() {
        return new Dataset() {
            @Override
            public Iterable<Batch> getData(NDManager manager)
                    throws IOException, TranslateException {
                return getData(manager, null);
            }

            @Override
            public Iterable<Batch> getData(NDManager manager, ExecutorService executor)
                    throws IOException, TranslateException {
                epochBegin = System.nanoTime();
                epochCpuBegin = ProcessMemory.processCpuNanos();
                int skip = epoch == state.epoch ? state.batchesInEpoch : 0;
                index = skip;
                inBatch = false;
                Iterable<Batch> inner = task.trainingSet(c, epoch, skip).getData(manager, executor);
                return () -> batches(inner.iterator());
            }

            @Override
            public void prepare(Progress progress) {}
        };
    }

    private Iterator<Batch> batches(Iterator<Batch> inner) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                if (inBatch) {
                    afterBatch();
                }
                return inner.hasNext();
            }

            @Override
            public Batch next() {
                Batch b = inner.next();
                index++;
                inBatch = true;
                batchBegin = System.nanoTime();
                batchCpuBegin = ProcessMemory.processCpuNanos();
                return b;
            }
        };
    }

    /**
     * The time budget between the recurrent steps of a batch, for the gradient method: a long
     * unroll must not run past the deadline. The batch is then abandoned (no update), and the
     * batches done are those before it.
     *
     * @return the step listener
     */
    StepListener deadlineBetweenSteps() {
        return (phase, step) -> {
            if (stop.isPastDeadline(System.nanoTime())) {
                inBatch = false;
                throw new StopSignal.StopException(StopSignal.Reason.TIME_BUDGET, index - 1);
            }
        };
    }

    /** After a batch's optimizer step: its metrics row, then whether to stop here. */
    private void afterBatch() {
        inBatch = false;
        long end = System.nanoTime();
        double seconds = (end - batchBegin) / 1e9;
        state.batchSeconds.add(seconds);
        try {
            metricsRow(epoch + 1, index, watch.lastResults(), watch.lastLoss(),
                    adam.rate(epoch * perEpoch + index), seconds,
                    (ProcessMemory.processCpuNanos() - batchCpuBegin) / 1e9,
                    watch.lastBatchMetrics());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (stop.getReason() == StopSignal.Reason.DIVERGENCE) {
            throw new StopSignal.StopException(StopSignal.Reason.DIVERGENCE, index);
        }
        // the last batch of an epoch always finishes the epoch
        if (index < perEpoch) {
            if (stop.isPastDeadline(end)) {
                throw new StopSignal.StopException(StopSignal.Reason.TIME_BUDGET, index);
            }
            if (stopAfterBatches > 0 && index >= stopAfterBatches) {
                throw new StopSignal.StopException(StopSignal.Reason.REQUESTED, index);
            }
        }
    }

    /** One row of metrics.csv: the batch's results averaged over devices. */
    private void metricsRow(int epochNumber, int batch, List<StepResult> results, float loss,
            float lr, double seconds, double cpuSeconds, Metrics batchMetrics)
            throws IOException {
        double penalty = Double.NaN;
        double residual = Double.NaN;
        int terms = -1;
        if (results != null && !results.isEmpty()) {
            double l = 0;
            double p = 0;
            double res = 0;
            int k = 0;
            boolean applied = false;
            for (StepResult r : results) {
                l += r.loss();
                p += r.penalty();
                res += r.residual();
                k += r.adjointIterations();
                applied |= r.penaltyApplied();
            }
            int n = results.size();
            loss = (float) (l / n);
            penalty = applied ? p / n : Double.NaN;
            residual = res / n;
            terms = Math.round((float) k / n);
        }
        metrics.append(epochNumber, batch, loss, penalty, terms, residual, lr, seconds,
                cpuSeconds, batchMetrics);
    }

    /**
     * The listeners the loop needs besides DJL's and the watch: clipping, and the end of an
     * epoch. Register them last, so that the watch has seen the batch first.
     *
     * @return the listeners
     */
    TrainingListener[] listeners() {
        TrainingListener clip = new GradientClipping(c.clipNorm);
        TrainingListener epochEnd = new TrainingListenerAdapter() {
            @Override
            public void onEpoch(Trainer trainer) {
                try {
                    endEpoch(trainer);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        return new TrainingListener[] {clip, epochEnd};
    }

    /**
     * Closes the metrics file.
     *
     * @throws IOException if closing fails
     */
    @Override
    public void close() throws IOException {
        metrics.close();
    }

    /** Below this fraction of contracting validation images an epoch is warned about. */
    static final double CONTRACTING_BAR = 0.9;
    /** Above this fraction of cut-short adjoint solves an epoch is warned about. */
    static final double CUT_BAR = 0.1;

    /**
     * One line when an epoch of an implicit-gradient method left the contractive regime (fewer
     * than 90% of the measured validation images contract, or more than 10% of the adjoint
     * solves were cut short): what it means and what to change; {@code null} when it did not.
     *
     * @param r the epoch's record
     * @param c the run's configuration
     * @param n how the advice names settings
     * @return the warning, or null
     */
    static String contractionWarning(Checkpoints.EpochRecord r, RunConfig c, SettingNames n) {
        if (!c.recurrent() || !c.method.rbpFamily()) {
            return null;
        }
        boolean fewContract = r.contractionImages > 0 && !(r.contractingFraction >= CONTRACTING_BAR);
        boolean manyCut = r.adjointCutFraction > CUT_BAR;
        if (!fewContract && !manyCut) {
            return null;
        }
        StringBuilder what = new StringBuilder();
        if (fewContract) {
            what.append(String.format(Locale.ROOT, "%.0f%% of %d validation images contract"
                    + " (spectral radius median %.2f)", 100 * r.contractingFraction,
                    r.contractionImages, r.spectralRadiusMedian));
        }
        if (manyCut) {
            what.append(what.length() > 0 ? " and " : "").append(String.format(Locale.ROOT,
                    "%.0f%% of its adjoint solves were cut short", 100 * r.adjointCutFraction));
        }
        String advice;
        if (fewContract && !manyCut && r.spectralRadiusMedian < 1) {
            // contracting, but too slowly to reach the tolerance: the state after T steps is
            // not yet the fixed point the gradient assumes
            advice = "the dynamics contract slowly: solve to a tolerance (" + n.of("tol")
                    + " 1e-3 " + n.of("max-steps") + " " + 4 * c.steps + ") or run more "
                    + n.of("steps");
        } else if (c.method == MethodKind.CRBP) {
            advice = "raise " + n.of("penalty-weight") + " or lower " + n.of("lr");
        } else {
            advice = "train with the penalty (" + n.of("method") + " crbp) or lower " + n.of("lr");
        }
        return String.format(Locale.ROOT, "epoch %d left the contractive regime: %s; the"
                + " implicit gradient is approximate there (%s)", r.epoch, what, advice);
    }

    /** The end of an epoch: validation, the epoch's record, the checkpoint, the console line. */
    private void endEpoch(Trainer trainer) throws IOException {
        state.batchesInEpoch = 0;
        state.partial = null;
        // the epoch's statistics from the tally: all its batches, also those before a resume
        EpochTally t = watch.finishEpoch();
        Checkpoints.EpochRecord r = record(t);
        validate(trainer, r);
        if (recurrent && c.contractionImages > 0
                && trainer.getModel().getBlock() instanceof RecurrentNet) {
            measureContraction(trainer, r);
        }
        r.seconds = t.seconds + epochSeconds();
        r.cpuSeconds = (ProcessMemory.processCpuNanos() - epochCpuBegin) / 1e9;
        r.updates = (long) (epoch + 1) * perEpoch;
        r.lr = adam.rate((int) r.updates);
        state.trainingSeconds += r.seconds - t.seconds;
        state.history.add(r);
        state.epoch = epoch + 1;
        Path saved = Checkpoints.save(out, trainer.getModel(), adam, state);
        if (!quiet) {
            printEpoch(r, saved);
        }
        String regime = contractionWarning(r, c, names);
        if (regime != null) {
            watch.note(regime);
        }
        epoch++;
        if (stopAfterEpoch > 0 && state.epoch >= stopAfterEpoch && state.epoch < c.epochs) {
            throw new StopSignal.StopException(StopSignal.Reason.EPOCH_LIMIT, 0);
        }
    }

    /** The epoch's record of training: its loss and task metrics, and a recurrent model's solves. */
    private Checkpoints.EpochRecord record(EpochTally t) {
        Checkpoints.EpochRecord r = new Checkpoints.EpochRecord();
        r.epoch = epoch + 1;
        r.loss = t.meanLoss();
        r.putMetrics(watch.trainingMetrics(t));
        if (recurrent) {
            r.penalty = t.meanPenalty();
            r.neumannTerms = t.meanNeumannTerms();
            r.steps = t.meanSteps();
            r.adjointIterations = t.meanAdjointIterations();
            r.diverged = t.diverged;
            r.residual = t.meanResidual();
            r.maxColumnSum = t.maxColumnSum;
            if (t.adjointSolves > 0) {
                r.adjointCutFraction = t.cutFraction();
                r.adjointCutGrowth = t.cutFraction(t.cutGrowth);
                r.adjointCutNormCap = t.cutFraction(t.cutNormCap);
                r.adjointCutBudget = t.cutFraction(t.cutBudget);
                r.adjointCutExploded = t.cutFraction(t.cutExploded);
            }
        }
        return r;
    }

    /** Validation into the record; the time budget bounds it too (the images done count). */
    private void validate(Trainer trainer, Checkpoints.EpochRecord r) {
        Scorer scorer = task.newScorer(c);
        Evaluation.Pass val = Evaluation.evaluate(trainer.getModel().getBlock(),
                trainer.getManager(), validation, c.steps, null, trainer.getLoss(),
                stop.getDeadline(), scorer::add);
        r.putMetrics(task.validationMetrics(scorer, val.loss()));
        if (val.stoppedEarly()) {
            r.validationImages = val.images();
        }
    }

    /** The contraction of the first validation images into the record. */
    private void measureContraction(Trainer trainer, Checkpoints.EpochRecord r) {
        ContractionAnalysis.Summary k = Evaluation.contraction(
                (RecurrentNet) trainer.getModel().getBlock(), trainer.getManager(), validation,
                Setup.contractionAnalysis(), c.contractionImages, null, stop.getDeadline());
        r.contractionImages = k.images().size();
        r.contractingFraction = k.contractingFraction();
        r.convergedFraction = k.convergedFraction();
        r.spectralRadiusMedian = k.quantile(ContractionAnalysis.Image::spectralRadius, 0.5);
        r.driftMedian = k.quantile(ContractionAnalysis.Image::drift, 0.5);
    }

    /** The epoch's console line. */
    private void printEpoch(Checkpoints.EpochRecord r, Path saved) {
        String solver = recurrent
                ? String.format(Locale.ROOT, ", steps %.1f, residual %.2g, adjoint %.1f",
                        r.steps, r.residual, r.adjointIterations)
                : "";
        if (recurrent && !Double.isNaN(r.adjointCutFraction)) {
            solver += String.format(Locale.ROOT, " (cut %.0f%%: growth %.0f%%, cap %.0f%%,"
                    + " budget %.0f%%, exploded %.0f%%)", 100 * r.adjointCutFraction,
                    100 * r.adjointCutGrowth, 100 * r.adjointCutNormCap,
                    100 * r.adjointCutBudget, 100 * r.adjointCutExploded);
        }
        if (r.contractionImages > 0) {
            solver += String.format(Locale.ROOT, ", contracting %.0f%% of %d (radius %.2f)",
                    100 * r.contractingFraction, r.contractionImages, r.spectralRadiusMedian);
        }
        console.printf(Locale.ROOT,
                "Epoch %d/%d: loss %.4f, penalty %.3g%s%s (%.0f s) -> %s%n",
                r.epoch, c.epochs, r.loss, r.penalty, solver, task.epochSummary(r.metrics()),
                r.seconds, out.relativize(saved));
        console.flush();
    }

    /** What a loop needs: the run, its state and folder, its watch and stop, and its parts. */
    static final class Builder {
        private RunConfig config;
        private Checkpoints.State state;
        private Path out;
        private TrainingWatch watch;
        private StopSignal stop;
        private CheckpointAdam optimizer;
        private MetricsLog metrics;
        private Dataset validation;
        private Task task;
        private PrintWriter console;
        private boolean quiet;
        private int stopAfterBatches;
        private int stopAfterEpoch;
        private SettingNames names = SettingNames.KEYS;

        private Builder() {}

        /**
         * Sets the run: its configuration, its state (resumed or new) and its folder.
         *
         * @param config the validated configuration
         * @param state the checkpoint state the loop advances
         * @param out the run folder the checkpoints go to
         * @return this builder
         */
        Builder setRun(RunConfig config, Checkpoints.State state, Path out) {
            this.config = config;
            this.state = state;
            this.out = out;
            return this;
        }

        /**
         * Sets the watch of the batches and the signal the loop stops on.
         *
         * @param watch the watch (epoch tally, divergence warnings)
         * @param stop the stop signal, with the time budget's deadline
         * @return this builder
         */
        Builder setWatch(TrainingWatch watch, StopSignal stop) {
            this.watch = watch;
            this.stop = stop;
            return this;
        }

        /**
         * Sets the optimizer, whose schedule gives each batch's learning rate.
         *
         * @param optimizer the optimizer
         * @return this builder
         */
        Builder setOptimizer(CheckpointAdam optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        /**
         * Sets where the loop writes: a row per batch, a line per epoch.
         *
         * @param metrics the open metrics.csv
         * @param console where the epoch lines go
         * @param quiet whether to leave the epoch lines out
         * @return this builder
         */
        Builder setOutput(MetricsLog metrics, PrintWriter console, boolean quiet) {
            this.metrics = metrics;
            this.console = console;
            this.quiet = quiet;
            return this;
        }

        /**
         * Sets the validation images evaluated after every epoch.
         *
         * @param validation the validation set
         * @return this builder
         */
        Builder setValidation(Dataset validation) {
            this.validation = validation;
            return this;
        }

        /**
         * Sets the run's task (unless set, the one its configuration names).
         *
         * @param runTask the task
         * @return this builder
         */
        Builder optTask(Task runTask) {
            this.task = runTask;
            return this;
        }

        /**
         * Sets the stops for tests: after some batches of the first epoch trained, or after an
         * epoch (0: none).
         *
         * @param batches stop after this many batches
         * @param epoch stop after this epoch
         * @return this builder
         */
        Builder optStopAfter(int batches, int epoch) {
            this.stopAfterBatches = batches;
            this.stopAfterEpoch = epoch;
            return this;
        }

        /**
         * Sets how the loop's warnings name settings (their keys unless set).
         *
         * @param names a front end's spelling of the settings
         * @return this builder
         */
        Builder optNames(SettingNames names) {
            this.names = names;
            return this;
        }

        /**
         * Builds the loop.
         *
         * @return the loop
         */
        TrainingLoop build() {
            return new TrainingLoop(this);
        }
    }
}
