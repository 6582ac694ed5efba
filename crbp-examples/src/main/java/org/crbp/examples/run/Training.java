/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.TrainingDivergedException;
import ai.djl.engine.Engine;
import ai.djl.metric.Metrics;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingConfig;
import ai.djl.training.listener.DivergenceCheckTrainingListener;
import ai.djl.training.listener.EpochTrainingListener;
import ai.djl.training.listener.EvaluatorTrainingListener;
import ai.djl.training.listener.TrainingListener;
import ai.djl.translate.TranslateException;
import ai.djl.util.Pair;

import org.crbp.core.ContractionAnalysis;
import org.crbp.core.GradientMethod;
import org.crbp.core.NonFiniteLossException;
import org.crbp.core.RecurrentNet;
import org.crbp.core.training.CrbpTrain;
import org.crbp.core.training.DiagnosticsListener;
import org.crbp.examples.CliException;
import org.crbp.examples.ExitCode;
import org.crbp.examples.analysis.Evaluation;
import org.crbp.examples.config.Json;
import org.crbp.examples.config.RunConfig;
import org.crbp.examples.config.SettingNames;
import org.crbp.examples.pathfinder.BadDataFileException;
import org.crbp.models.PathfinderModels;
import org.crbp.examples.task.Scorer;
import org.crbp.examples.task.Task;
import org.crbp.examples.task.Tasks;
import org.crbp.examples.task.TrainingHistory;
import ai.djl.training.dataset.Dataset;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A training run: DJL's trainer and listeners, the crbp-core training glue, a checkpoint after
 * every epoch, then the held-out test, {@code report.json} and the pictures.
 *
 * <pre>{@code
 * Training.Options o = new Training.Options();
 * o.timeBudgetMinutes = 30;
 * Map<String, Object> report = Training.run(config, Paths.get("runs/main"), o, console);
 * }</pre>
 */
public final class Training {

    /** The run's settings in every run folder: how to run it again. */
    public static final String SETTINGS_FILE = "config.json";

    /**
     * Settings that may differ between a run folder's config.json and a later command on the
     * same run: how long and how verbosely it runs, where, and what it does after training.
     */
    public static final List<String> MAY_CHANGE_ON_RESUME = List.of("epochs", "time-budget",
            "threads", "quiet", "out", "analysis-steps", "no-pictures", "stop-on-divergence");

    /** What the run needs besides the configuration. */
    public static final class Options {
        /** Continue the run folder's last checkpoint (or start it, if it has none). */
        public boolean resume;
        /** Draw the pictures and the analyses behind them after the test. */
        public boolean pictures = true;
        /** The last step of the pictures' analyses (0: the default for the trained steps). */
        public int analysisSteps;
        /** Stop after this epoch, as an interruption would (0: never; for tests). */
        public int stopAfterEpoch;
        /** Stop inside the first epoch trained after this many batches (0: never; for tests). */
        public int stopAfterBatches;
        /** A checkpoint of the run to resume from instead of the latest ({@code epoch-003}). */
        public String resumeFrom;
        /** Stop (keeping the last good checkpoint) when the loss or penalty blows up. */
        public boolean stopOnDivergence;
        /** The minutes of training, checked between batches and steps (0: no limit). */
        public double timeBudgetMinutes;
        /** The command that started the run, for the report. */
        public List<String> commandLine = new ArrayList<>();
        /** Only warnings, errors and the result lines (test scores, contraction) on the console. */
        public boolean quiet;
        /** The effective settings by key, written as config.json (null: none). */
        public Map<String, Object> settings;
        /** How the run's messages name a setting (its key unless a front end spells it). */
        public SettingNames names = SettingNames.KEYS;
    }

    private final RunConfig c;
    private final Task task;
    private final Options o;
    private final RunFolder folder;
    private final Path out;
    private final PrintWriter console;
    /** Progress and information; with quiet only warnings, errors and the result remain. */
    private final PrintWriter info;
    private Device device;
    private Checkpoints.State state;

    private Training(RunConfig c, RunFolder folder, Options o, PrintWriter console) {
        this.c = c;
        this.task = Tasks.of(c);
        this.o = o;
        this.folder = folder;
        this.out = folder.dir();
        this.console = console;
        this.info = o.quiet ? new PrintWriter(Writer.nullWriter()) : console;
    }

    /**
     * Trains (or resumes), tests and reports.
     *
     * @param c the validated configuration
     * @param out the run folder
     * @param o the options
     * @param console where progress lines go
     * @return the report
     * @throws IOException if writing fails
     */
    public static Map<String, Object> run(RunConfig c, Path out, Options o, PrintWriter console)
            throws IOException {
        // one process per run folder, from the first moment to the report
        try (RunFolder folder = RunFolder.hold(out, o.names)) {
            return new Training(c, folder, o, console).run();
        }
    }

    private Map<String, Object> run() throws IOException {
        Checkpoints.Found previous = RunStart.previous(c, folder, o, info);
        device = Setup.device(c.device, o.names);
        // validate the data (a folder's splits and sizes) before any work
        Dataset validation = task.evaluationSet(c, null, Task.Split.VALIDATION,
                c.validationSize);
        Dataset test = task.evaluationSet(c, null, Task.Split.TEST, c.testSize);
        task.trainingSet(c, 0, 0);
        Engine.getInstance().setRandomSeed((int) c.seed);
        Block block = task.model(c, c.steps);
        state = new Checkpoints.State();
        state.config = c;
        state.runId = folder.runId();
        state.provenance = Provenance.collect(c.seed, device);
        String label = c.model + " " + c.methodLabel() + (c.recurrent() ? " T=" + c.steps : "");
        info.printf(Locale.ROOT, "Training %s on %s (%d images, batch %d, %d epochs) on %s,"
                        + " writing to %s%n", label, task.dataLabel(c), c.trainSize, c.batch, c.epochs,
                device, out);
        info.flush();
        try (Model model = Model.newInstance("crbp", device)) {
            model.setBlock(block);
            CheckpointAdam adam = optimizer(c);
            if (previous != null) {
                resume(model, adam, previous);
            }
            return train(model, adam, validation, test);
        }
    }

    /**
     * Builds the optimizer a run trains with: Adam, or AdamW with decay, with the configured
     * schedule.
     *
     * @param c the run's configuration
     * @return the optimizer
     */
    public static CheckpointAdam optimizer(RunConfig c) {
        boolean adamw = "adamw".equals(c.optimizer) && c.weightDecay > 0;
        return new CheckpointAdam(c.lr, "cosine".equals(c.schedule), c.warmup, c.totalUpdates(),
                adamw ? c.weightDecay : 0f);
    }

    /** Loads a checkpoint's parameters, optimizer and progress into the run. */
    private void resume(Model model, CheckpointAdam adam, Checkpoints.Found previous) {
        Checkpoints.loadParameters(model, previous);
        Checkpoints.loadOptimizer(adam, model, model.getNDManager(), previous);
        state.epoch = previous.state.epoch;
        state.batchesInEpoch = previous.state.batchesInEpoch;
        state.history = previous.state.history;
        state.batchSeconds = previous.state.batchSeconds;
        state.trainingSeconds = previous.state.trainingSeconds;
        state.partial = previous.state.partial;
        for (Checkpoints.EpochRecord r : state.history) {
            // the task's metrics in its order, NaN where an older crbp did not record one
            Map<String, Number> ordered = new LinkedHashMap<>();
            for (String name : task.epochMetricNames()) {
                ordered.put(name, r.metric(name));
            }
            r.metrics.forEach(ordered::putIfAbsent);
            r.metrics = ordered;
        }
        info.printf(Locale.ROOT, "Resuming after epoch %d%s from %s%n", state.epoch,
                state.batchesInEpoch > 0 ? " and " + state.batchesInEpoch + " batches"
                        + " of epoch " + (state.epoch + 1) : "", previous.dir);
    }

    /** Trains the epochs left, then tests and reports, unless the run stops before. */
    private Map<String, Object> train(Model model, CheckpointAdam adam, Dataset validation,
            Dataset test) throws IOException {
        // the epoch's statistics as sums a mid-epoch checkpoint keeps, and blow-up warnings
        StopSignal stop = StopSignal.none();
        TrainingWatch watch = new TrainingWatch(stop, o.stopOnDivergence,
                TrainingWatch.penaltyFloor(c), o.names, line -> {
                    console.println(line);
                    console.flush();
                }).forTask(task, c);
        watch.restore(state.batchesInEpoch > 0 ? state.partial : null);
        TrainingLoop loop = TrainingLoop.builder().setRun(c, state, out).setWatch(watch, stop)
                .setOptimizer(adam)
                .setOutput(MetricsLog.open(out, state.epoch, state.batchesInEpoch,
                        task.batchMetricNames()), console, o.quiet)
                .setValidation(validation)
                .optTask(task)
                .optStopAfter(o.stopAfterBatches, o.stopAfterEpoch)
                .optNames(o.names)
                .build();
        // the time budget, also checked between the recurrent steps of a batch
        GradientMethod method = c.recurrent() ? Setup.method(c, loop.deadlineBetweenSteps())
                : null;
        try (Trainer trainer = model.newTrainer(trainingConfig(adam, watch, loop));
                TrainingLoop hooks = loop) {
            long parameters = initialize(trainer, adam, model.getBlock());
            // set once the time already spent (before a resume) is known
            stop.setDeadline(o.timeBudgetMinutes > 0 ? System.nanoTime()
                    + (long) ((o.timeBudgetMinutes * 60 - state.trainingSeconds) * 1e9)
                    : StopSignal.NO_DEADLINE);
            boolean budgetReached = false;
            try {
                fit(trainer, method, loop);
            } catch (StopSignal.StopException s) {
                if (s.getReason() == StopSignal.Reason.DIVERGENCE) {
                    throw stoppedOnDivergence(loop, s, stop);
                }
                if (s.getReason() != StopSignal.Reason.EPOCH_LIMIT) {
                    savePartialEpoch(loop, s.getBatches(), watch, model, adam);
                    if (o.stopAfterBatches > 0) {
                        return status("stopped");
                    }
                    budgetReached = true;
                }
            }
            if (state.epoch < c.epochs && !budgetReached) {
                info.printf("Stopped after epoch %d as asked; resume with %s%n", state.epoch,
                        o.names.of("resume"));
                info.flush();
                Map<String, Object> report = status("stopped");
                report.put("epoch", state.epoch);
                return report;
            }
            return testAndReport(trainer, model.getBlock(), test, parameters, budgetReached);
        }
    }

    /** DJL's training configuration with the run's loss, optimizer and listeners. */
    private TrainingConfig trainingConfig(CheckpointAdam adam, TrainingWatch watch,
            TrainingLoop loop) {
        return new DefaultTrainingConfig(task.loss(c))
                .optOptimizer(adam)
                .optDevices(new Device[] {device})
                .addEvaluator(task.trainingEvaluator())
                .addTrainingListeners(listeners(o.quiet))
                .addTrainingListeners(new DiagnosticsListener())
                .addTrainingListeners(watch)
                .addTrainingListeners(loop.listeners());
    }

    /**
     * Initializes the trainer's parameters and marks the convolution kernels for weight decay.
     *
     * @return the number of trainable parameters
     */
    private long initialize(Trainer trainer, CheckpointAdam adam, Block block) {
        trainer.setMetrics(new Metrics());
        trainer.initialize(task.inputShapes(c));
        for (Pair<String, Parameter> p : block.getParameters()) {
            // decay the convolution kernels, not biases, gains or per-channel constants
            if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                adam.decay(p.getValue().getId());
            }
        }
        long parameters = PathfinderModels.countParameters(block);
        info.printf(Locale.ROOT, "%,d trainable parameters%n", parameters);
        return parameters;
    }

    /** The run's failure on divergence: the blown-up weights are not saved. */
    private CliException stoppedOnDivergence(TrainingLoop loop, StopSignal.StopException s,
            StopSignal stop) {
        return new CliException(String.format(Locale.ROOT,
                "training stopped on divergence at epoch %d, batch %d (%s); the last good"
                        + " checkpoint is %s", loop.epoch() + 1, s.getBatches(),
                stop.getDetail(), lastGoodCheckpoint()), ExitCode.FAILURE, null);
    }

    /**
     * A checkpoint of an epoch stopped inside (the time budget, or as asked), with the
     * statistics of its batches so far.
     */
    private void savePartialEpoch(TrainingLoop loop, int done, TrainingWatch watch, Model model,
            CheckpointAdam adam) throws IOException {
        state.batchesInEpoch = done;
        double segment = loop.epochSeconds();
        state.trainingSeconds += segment;
        state.partial = watch.tally().copy();
        state.partial.seconds += segment;
        Path saved = Checkpoints.save(out, model, adam, state);
        info.printf(Locale.ROOT, "%s after %d batches of epoch %d (%.1f min of training) -> %s;"
                        + " %s continues from there%n",
                o.stopAfterBatches > 0 ? "Stopped as asked" : "Time budget reached", done,
                loop.epoch() + 1, state.trainingSeconds / 60, out.relativize(saved),
                o.names.of("resume"));
        info.flush();
    }

    /** The held-out test and its contraction, the report and the pictures. */
    private Map<String, Object> testAndReport(Trainer trainer, Block block, Dataset test,
            long parameters, boolean budgetReached) throws IOException {
        // the test and its contraction get their own bound past the budget
        Scorer scorer = task.newScorer(c);
        Evaluation.Pass scores = Evaluation.evaluate(block, trainer.getManager(), test, c.steps,
                o.quiet ? null : "Testing", null, RunReport.testDeadline(o.timeBudgetMinutes),
                scorer::add);
        Map<String, Object> report = RunReport.of(c, state, parameters,
                task.testReport(scorer), device, o);
        report.put("stoppedByTimeBudget", budgetReached);
        report.put("testImages", scores.images());
        report.put("testStoppedByTimeBudget", scores.stoppedEarly());
        console.printf(Locale.ROOT, "Test (%s held-out %s images%s): %s%n",
                scores.stoppedEarly() ? scores.images() + " of " + c.testSize
                        + ", the test's time bound ran out;" : c.testSize,
                task.dataLabel(c), c.recurrent() ? ", T=" + c.steps : "",
                task.testSummary(scorer));
        console.flush();
        if (block instanceof RecurrentNet) {
            ContractionAnalysis.Summary contraction = Evaluation.contraction(
                    (RecurrentNet) block, trainer.getManager(), test,
                    Setup.contractionAnalysis(), 0, o.quiet ? null : "Contraction",
                    RunReport.testDeadline(o.timeBudgetMinutes));
            report.put("contraction", contraction.toMap(c.steps));
            console.println("Test " + contraction);
            console.flush();
        }
        List<String> regime = RunReport.contractionWarnings(c, state, o.names);
        if (!regime.isEmpty()) {
            report.put("contractionWarnings", regime);
        }
        if (o.pictures) {
            task.drawPictures(block, trainer.getManager(), c, history(state), out,
                    o.analysisSteps, report, info);
        }
        Json.write(out.resolve("report.json"), report);
        info.println("Report: " + out.resolve("report.json"));
        info.flush();
        return report;
    }

    /** The finished epochs as the task's pictures take them. */
    static TrainingHistory history(Checkpoints.State state) {
        TrainingHistory h = new TrainingHistory();
        for (Checkpoints.EpochRecord r : state.history) {
            h.add(r.epoch, r.loss, r.penalty, r.metrics());
        }
        return h;
    }

    /** DJL's logging listeners without their files (raw timings, an empty memory log). */
    private static TrainingListener[] listeners(boolean quiet) {
        if (quiet) {
            // no progress bars or per-epoch log lines: warnings and the result only
            return new TrainingListener[] {
                new EpochTrainingListener(), new EvaluatorTrainingListener(),
                new DivergenceCheckTrainingListener()
            };
        }
        return TrainingListener.Defaults.logging();
    }

    /**
     * Runs the one training loop: crbp-core's {@code CrbpTrain.fit} for a recurrent model,
     * DJL's {@code EasyTrain.fit} for the feedforward control, with the run's data and hooks.
     */
    private void fit(Trainer trainer, GradientMethod method, TrainingLoop loop)
            throws IOException {
        int epochs = loop.epochsLeft();
        if (epochs == 0) {
            return;
        }
        try {
            if (task.trainsItsOwnSteps()) {
                TaskSteps.fit(trainer, epochs, loop.data(), method, task);
            } else if (method != null) {
                CrbpTrain.fit(trainer, epochs, loop.data(), null, method);
            } else {
                EasyTrain.fit(trainer, epochs, loop.data(), null);
            }
        } catch (NonFiniteLossException | TrainingDivergedException e) {
            // the cause holds the reason; the loop's own numbering starts at the resume
            Throwable reason = e.getCause() instanceof NonFiniteLossException ? e.getCause() : e;
            throw new CliException(String.format(Locale.ROOT,
                    "training diverged at epoch %d, batch %d (%s); the last good checkpoint is %s",
                    loop.epoch() + 1, loop.batchesDone(), firstLine(reason),
                    lastGoodCheckpoint()), ExitCode.FAILURE, e);
        } catch (TranslateException e) {
            throw new CliException("cannot read the training data: " + e.getMessage(),
                    ExitCode.FAILURE, e);
        } catch (IllegalStateException e) {
            // DJL wraps a bad file as "Data loading failed": name the file instead
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BadDataFileException) {
                    throw new CliException(t.getMessage(), ExitCode.USAGE, e);
                }
            }
            throw e;
        }
    }

    /** The last checkpoint written, as a failure message names it. */
    private String lastGoodCheckpoint() {
        Checkpoints.Found last = Checkpoints.latestIn(out, o.names);
        return last == null ? "none (no epoch finished)" : last.dir.toString();
    }

    private static Map<String, Object> status(String status) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("status", status);
        return report;
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
