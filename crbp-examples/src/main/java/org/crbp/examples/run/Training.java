/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.metric.Metrics;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingConfig;
import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.listener.DivergenceCheckTrainingListener;
import ai.djl.training.listener.EpochTrainingListener;
import ai.djl.training.listener.EvaluatorTrainingListener;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.util.ProgressBar;
import ai.djl.translate.TranslateException;

import org.crbp.examples.config.RunConfig;
import org.crbp.examples.config.Json;
import org.crbp.core.ContractionAnalysis;
import org.crbp.core.GradientMethod;
import org.crbp.core.StepListener;
import org.crbp.core.NonFiniteLossException;
import org.crbp.core.RecurrentNet;
import org.crbp.core.bench.ProcessMemory;
import org.crbp.core.training.CrbpTrain;
import org.crbp.core.training.DiagnosticsListener;
import org.crbp.examples.CliException;
import org.crbp.examples.ExitCode;
import org.crbp.examples.analysis.Evaluation;
import org.crbp.examples.analysis.Pictures;
import org.crbp.examples.analysis.Scores;
import org.crbp.examples.analysis.Stats;
import org.crbp.examples.pathfinder.PathfinderDataset;
import org.crbp.examples.pathfinder.PathfinderPreset;
import org.crbp.models.PathfinderModels;
import org.crbp.models.SegmentationEvaluator;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A training run: DJL's trainer and listeners, the crbp-core training glue, a checkpoint after
 * every epoch, then the held-out test, {@code report.json} and the pictures.
 */
public final class Training {

    /** What the run needs besides the configuration. */
    public static final class Options {
        public boolean resume;
        public boolean pictures = true;
        public int analysisSteps;
        public int stopAfterEpoch;
        public int stopAfterBatches;
        /** A checkpoint of the run to resume from instead of the latest ({@code epoch-003}). */
        public String resumeFrom;
        /** Stop (keeping the last good checkpoint) when the loss or penalty blows up. */
        public boolean stopOnDivergence;
        public double timeBudgetMinutes;
        public List<String> commandLine = new ArrayList<>();
        /** Only warnings, errors and the result lines (test scores, contraction) on the console. */
        public boolean quiet;
        /** The effective settings by option name, written as config.json (null: none). */
        public Map<String, Object> settings;
    }

    private Training() {}

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
        // progress and information; with --quiet only warnings, errors and the result remain
        PrintWriter info = o.quiet ? new PrintWriter(java.io.Writer.nullWriter()) : console;
        // one process per run folder, from the first moment to the report
        try (RunFolder folder = RunFolder.hold(out)) {
            return run(c, folder, o, console, info);
        }
    }

    private static Map<String, Object> run(RunConfig c, RunFolder folder, Options o,
            PrintWriter console, PrintWriter info) throws IOException {
        Path out = folder.dir();
        Checkpoints.cleanInterrupted(out);
        Checkpoints.Found previous = o.resumeFrom != null ? Checkpoints.named(out, o.resumeFrom)
                : Checkpoints.latestIn(out);
        if (previous != null && !o.resume) {
            throw new CliException(out + " already holds checkpoints (last: "
                    + previous.dir.getFileName() + "); add --resume to continue that run, or"
                    + " choose another --out");
        }
        if (previous != null) {
            folder.checkBelongs(previous);
            if (!previous.state.config.resumableAs(c)) {
                throw new CliException("cannot resume: the checkpoint " + previous.dir
                        + " was trained with another configuration than this run's ("
                        + differences(previous.state.config, c) + ")");
            }
        }
        Path settingsFile = out.resolve("config.json");
        boolean hadSettings = Files.exists(settingsFile);
        if (previous == null && !o.resume && o.settings != null && hadSettings) {
            sameRunOrRefuse(settingsFile, o.settings);
        }
        if (o.settings != null) {
            // every run folder says how to run it again: crbp train --config OUT/config.json
            Json.write(out.resolve("config.json"), o.settings);
        }
        if (o.resume && previous == null) {
            info.println("No checkpoint in " + out + " yet: starting its run from scratch"
                    + (hadSettings ? " with its settings (" + settingsFile + ")" : "") + ".");
        }
        Device device = Setup.device(c.device);
        PathfinderPreset preset = c.presetValue();
        int width = preset.config().getOutputWidth();
        int height = preset.config().getOutputHeight();
        // validate the data folder (preset, size) before any work
        PathfinderDataset validation = Setup.evalSet(c, preset, PathfinderDataset.Split.VALIDATION,
                c.validationSize);
        PathfinderDataset test = Setup.evalSet(c, preset, PathfinderDataset.Split.TEST,
                c.testSize);
        Setup.trainSet(c, 0);

        Engine.getInstance().setRandomSeed((int) c.seed);
        Block block = Setup.block(c, c.steps);
        // the time budget, also checked between the recurrent steps of a batch: a long unroll
        // must not run past it (set once the time already spent is known)
        AtomicLong deadlineHolder = new AtomicLong(Long.MAX_VALUE);
        StepListener budget = (phase, index) -> {
            long deadline = deadlineHolder.get();
            if (deadline != Long.MAX_VALUE && System.nanoTime() > deadline) {
                throw new StopSignal.StopException(StopSignal.Reason.TIME_BUDGET);
            }
        };
        GradientMethod method = c.recurrent() ? Setup.method(c, budget) : null;
        Checkpoints.State state = new Checkpoints.State();
        state.config = c;
        state.runId = folder.runId();
        state.provenance = Provenance.collect(c.seed, device);
        String label = c.model + " " + c.methodLabel() + (c.recurrent() ? " T=" + c.steps : "");
        info.printf(Locale.ROOT, "Training %s on %s (%d images, batch %d, %d epochs) on %s,"
                        + " writing to %s%n", label, c.preset, c.trainSize, c.batch, c.epochs,
                device, out);
        info.flush();
        try (Model model = Model.newInstance("crbp", device)) {
            model.setBlock(block);
            boolean adamw = "adamw".equals(c.optimizer) && c.weightDecay > 0;
            CheckpointAdam adam = new CheckpointAdam(c.lr, "cosine".equals(c.schedule), c.warmup,
                    c.totalUpdates(), adamw ? c.weightDecay : 0f);
            if (previous != null) {
                Checkpoints.loadParameters(model, previous);
                Checkpoints.loadOptimizer(adam, model, model.getNDManager(), previous);
                state.epoch = previous.state.epoch;
                state.batchesInEpoch = previous.state.batchesInEpoch;
                state.history = previous.state.history;
                state.batchSeconds = previous.state.batchSeconds;
                state.trainingSeconds = previous.state.trainingSeconds;
                state.partial = previous.state.partial;
                info.printf(Locale.ROOT, "Resuming after epoch %d%s from %s%n", state.epoch,
                        state.batchesInEpoch > 0 ? " and " + state.batchesInEpoch + " batches"
                                + " of epoch " + (state.epoch + 1) : "", previous.dir);
            }
            DiagnosticsListener diagnostics = new DiagnosticsListener();
            // the epoch's statistics as sums a mid-epoch checkpoint keeps, and blow-up warnings
            StopSignal stop = StopSignal.none();
            TrainingWatch watch = new TrainingWatch(stop, o.stopOnDivergence,
                    TrainingWatch.penaltyFloor(c), line -> {
                console.println(line);
                console.flush();
            });
            watch.restore(state.batchesInEpoch > 0 ? state.partial : null);
            SegmentationEvaluator trainF1 = SegmentationEvaluator.f1();
            MetricsLog metrics = MetricsLog.open(out, state.epoch, state.batchesInEpoch);
            TrainingLoop loop = new TrainingLoop(c, state, out, watch, stop, adam, metrics,
                    validation, console, o.quiet, o.stopAfterBatches, o.stopAfterEpoch);
            TrainingConfig config =
                    new DefaultTrainingConfig(Setup.loss(c))
                            .optOptimizer(adam)
                            .optDevices(new Device[] {device})
                            .addEvaluator(trainF1)
                            .addTrainingListeners(listeners(o.quiet))
                            .addTrainingListeners(diagnostics)
                            .addTrainingListeners(watch)
                            .addTrainingListeners(loop.listeners());
            long parameters;
            try (Trainer trainer = model.newTrainer(config); TrainingLoop hooks = loop) {
                trainer.setMetrics(new Metrics());
                trainer.initialize(new Shape(c.batch, 1, height, width));
                for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : block.getParameters()) {
                    // decay the convolution kernels, not biases, gains or per-channel constants
                    if (p.getValue().getType() == ai.djl.nn.Parameter.Type.WEIGHT) {
                        adam.decay(p.getValue().getId());
                    }
                }
                parameters = PathfinderModels.countParameters(block);
                info.printf(Locale.ROOT, "%,d trainable parameters%n", parameters);
                boolean budgetReached = false;
                hooks.deadline = o.timeBudgetMinutes > 0
                        ? System.nanoTime() + (long) ((o.timeBudgetMinutes * 60
                                - state.trainingSeconds) * 1e9)
                        : Long.MAX_VALUE;
                deadlineHolder.set(hooks.deadline);
                try {
                    train(trainer, method, hooks, out);
                } catch (TrainingLoop.Stop s) {
                    int epoch = hooks.epoch;
                    int done = s.batches;
                    if (s.why == TrainingLoop.Why.DIVERGENCE) {
                        // the blown-up weights are not saved: the last checkpoint stays the last
                        Checkpoints.Found last = Checkpoints.latestIn(out);
                        throw new CliException(String.format(Locale.ROOT,
                                "training stopped on divergence at epoch %d, batch %d (%s); the"
                                        + " last good checkpoint is %s", epoch + 1, done,
                                stop.getDetail(), last == null ? "none (no epoch finished)"
                                        : last.dir.toString()), ExitCode.FAILURE, null);
                    }
                    if (s.why != TrainingLoop.Why.EPOCH) {
                        // stopped inside the epoch: a checkpoint of the partial epoch, with the
                        // statistics of its batches so far
                        state.batchesInEpoch = done;
                        double segment = (System.nanoTime() - hooks.epochBegin) / 1e9;
                        state.trainingSeconds += segment;
                        state.partial = watch.tally().copy();
                        state.partial.seconds += segment;
                        Path saved = Checkpoints.save(out, model, adam, state);
                        info.printf(Locale.ROOT, "%s after %d batches of epoch %d (%.1f min of"
                                        + " training) -> %s; --resume continues from there%n",
                                o.stopAfterBatches > 0 ? "Stopped as asked"
                                        : "Time budget reached", done, epoch + 1,
                                state.trainingSeconds / 60, out.relativize(saved));
                        info.flush();
                        budgetReached = o.stopAfterBatches <= 0;
                        if (!budgetReached) {
                            Map<String, Object> stopped = new LinkedHashMap<>();
                            stopped.put("status", "stopped");
                            return stopped;
                        }
                    }
                }
                Map<String, Object> report;
                if (state.epoch < c.epochs && !budgetReached) {
                    info.printf("Stopped after epoch %d as asked; resume with --resume%n",
                            state.epoch);
                    info.flush();
                    report = new LinkedHashMap<>();
                    report.put("status", "stopped");
                    report.put("epoch", state.epoch);
                    return report;
                }
                // the test and its contraction get their own bound past the budget
                long testDeadline = testDeadline(o.timeBudgetMinutes);
                Scores scores = Evaluation.evaluate(block, trainer.getManager(), test, c.steps,
                        o.quiet ? null : "Testing", null, testDeadline);
                report = report(c, state, parameters, scores, device, o);
                report.put("stoppedByTimeBudget", budgetReached);
                report.put("testImages", scores.images());
                report.put("testStoppedByTimeBudget", scores.stoppedEarly());
                console.printf(Locale.ROOT, "Test (%s held-out %s images%s): %s%n",
                        scores.stoppedEarly() ? scores.images() + " of " + c.testSize
                                + ", the test's time bound ran out;" : c.testSize,
                        c.preset, c.recurrent() ? ", T=" + c.steps : "", scores);
                console.flush();
                if (block instanceof RecurrentNet) {
                    ContractionAnalysis.Summary contraction = Evaluation.contraction(
                            (RecurrentNet) block, trainer.getManager(), test,
                            Setup.contractionAnalysis(), 0, o.quiet ? null : "Contraction",
                            testDeadline(o.timeBudgetMinutes));
                    report.put("contraction", contraction.toMap(c.steps));
                    console.println("Test " + contraction);
                    console.flush();
                }
                // rebuilt from the history, so that a resumed run reports its earlier epochs too
                List<String> regime = new ArrayList<>();
                for (Checkpoints.EpochRecord r : state.history) {
                    String warning = TrainingLoop.contractionWarning(r, c);
                    if (warning != null) {
                        regime.add(warning);
                    }
                }
                if (!regime.isEmpty()) {
                    report.put("contractionWarnings", regime);
                }
                if (o.pictures) {
                    RunPictures.forRun(block, trainer.getManager(), c, state, test, out,
                            o.analysisSteps, report, info);
                }
                Json.write(out.resolve("report.json"), report);
                info.println("Report: " + out.resolve("report.json"));
                info.flush();
                return report;
            }
        }
    }

    /**
     * The bound of the test after training, and again of the test's contraction measurement:
     * a quarter of the time budget, at least two minutes, from now; none without a budget.
     */
    static long testDeadline(double budgetMinutes) {
        if (!(budgetMinutes > 0)) {
            return Evaluation.NO_DEADLINE;
        }
        double seconds = Math.max(120, budgetMinutes * 15);
        return System.nanoTime() + (long) (seconds * 1e9);
    }

    /**
     * Settings that may differ between a run folder's config.json and a later command on the
     * same run: how long and how verbosely it runs, where, and what it does after training.
     */
    public static final List<String> MAY_CHANGE_ON_RESUME = List.of("epochs", "time-budget",
            "threads", "quiet", "out", "analysis-steps", "no-pictures", "stop-on-divergence");

    /**
     * Refuses to start a new run in a folder whose config.json holds another run's settings (a
     * run that stopped before its first checkpoint); the same settings start it again.
     */
    private static void sameRunOrRefuse(Path settingsFile, Map<String, Object> settings) {
        Map<?, ?> stored;
        try {
            stored = Json.GSON.fromJson(Files.readString(settingsFile), Map.class);
        } catch (IOException | com.google.gson.JsonParseException e) {
            throw new CliException(settingsFile + " is not readable (" + firstLine(e)
                    + "); remove it to start a new run there, or choose another --out");
        }
        Map<?, ?> now = Json.GSON.fromJson(Json.GSON.toJson(settings), Map.class);
        List<String> differ = new ArrayList<>();
        for (Object key : now.keySet()) {
            if (MAY_CHANGE_ON_RESUME.contains(key) || stored == null) {
                continue;
            }
            Object was = stored.get(key);
            Object is = now.get(key);
            if (was == null ? is != null : !was.equals(is)) {
                differ.add("--" + key + " " + was + " there, " + is + " here");
            }
        }
        if (stored == null || !differ.isEmpty()) {
            throw new CliException(settingsFile.getParent() + " holds another run that has no"
                    + " checkpoint yet (" + (stored == null ? "an empty config.json"
                            : String.join(", ", differ)) + "); add --resume to start that run"
                    + " again with its settings, or choose another --out");
        }
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

    private static float accumulator(Trainer trainer, Evaluator evaluator) {
        for (Evaluator e : trainer.getEvaluators()) {
            if (e.getName().equals(evaluator.getName())) {
                return e.getAccumulator(EvaluatorTrainingListener.TRAIN_EPOCH);
            }
        }
        return Float.NaN;
    }

    /**
     * Runs the one training loop: crbp-core's {@code CrbpTrain.fit} for a recurrent model,
     * DJL's {@code EasyTrain.fit} for the feedforward control, with the run's data and hooks.
     */
    private static void train(Trainer trainer, GradientMethod method, TrainingLoop loop,
            Path out) throws IOException {
        int epochs = loop.epochsLeft();
        if (epochs == 0) {
            return;
        }
        try {
            if (method != null) {
                CrbpTrain.fit(trainer, epochs, loop.data(), null, method);
            } else {
                EasyTrain.fit(trainer, epochs, loop.data(), null);
            }
        } catch (StopSignal.StopException e) {
            // the time budget ran out between the recurrent steps of a batch: that batch is
            // dropped (no update) and the checkpoint keeps the place after the one before it
            throw loop.stopInsideBatch();
        } catch (NonFiniteLossException | ai.djl.TrainingDivergedException e) {
            Checkpoints.Found last = Checkpoints.latestIn(out);
            // the cause holds the reason; the loop's own numbering starts at the resume
            Throwable reason = e.getCause() instanceof NonFiniteLossException ? e.getCause() : e;
            throw new CliException(String.format(Locale.ROOT,
                    "training diverged at epoch %d, batch %d (%s); the last good checkpoint is %s",
                    loop.epoch + 1, loop.index, firstLine(reason),
                    last == null ? "none (no epoch finished)" : last.dir.toString()),
                    ExitCode.FAILURE, e);
        } catch (TranslateException e) {
            throw new CliException("cannot read the training data: " + e.getMessage(),
                    ExitCode.FAILURE, e);
        } catch (IllegalStateException e) {
            // DJL wraps a bad file as "Data loading failed": name the file instead
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof org.crbp.examples.pathfinder.BadDataFileException) {
                    throw new CliException(t.getMessage(), ExitCode.USAGE, e);
                }
            }
            throw e;
        }
    }

    /**
     * Scales all parameter gradients down together when their global norm exceeds {@code
     * maxNorm}.
     *
     * @return the norm before clipping
     */
    static double clipGradients(Block block, float maxNorm) {
        List<ai.djl.ndarray.NDArray> gradients = new ArrayList<>();
        double squares = 0;
        for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : block.getParameters()) {
            ai.djl.nn.Parameter parameter = p.getValue();
            if (!parameter.requiresGradient() || !parameter.isInitialized()) {
                continue;
            }
            ai.djl.ndarray.NDArray g = parameter.getArray().getGradient();
            try (ai.djl.ndarray.NDArray sq = g.toType(ai.djl.ndarray.types.DataType.FLOAT64, true)
                            .square();
                    ai.djl.ndarray.NDArray sum = sq.sum()) {
                squares += sum.getDouble();
            }
            gradients.add(g);
        }
        double norm = Math.sqrt(squares);
        float scale = norm > maxNorm ? (float) (maxNorm / norm) : 1f;
        for (ai.djl.ndarray.NDArray g : gradients) {
            if (scale < 1f) {
                g.muli(scale);
            }
            g.close();
        }
        return norm;
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    static String differences(RunConfig a, RunConfig b) {
        Map<?, ?> ma = Json.GSON.fromJson(Json.GSON.toJson(a), Map.class);
        Map<?, ?> mb = Json.GSON.fromJson(Json.GSON.toJson(b), Map.class);
        StringBuilder sb = new StringBuilder();
        for (Object k : ma.keySet()) {
            if ("epochs".equals(k)) {
                continue;
            }
            Object va = ma.get(k);
            Object vb = mb.get(k);
            if (va == null ? vb != null : !va.equals(vb)) {
                sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(va)
                        .append(" there, ").append(vb).append(" now");
            }
        }
        return sb.toString();
    }

    static Map<String, Object> report(RunConfig c, Checkpoints.State state, long parameters,
            Scores scores, Device device, Options o) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("preset", c.preset);
        r.put("testPreset", c.preset);
        r.put("model", c.model);
        r.put("method", c.recurrent() ? c.method : "ff");
        r.put("steps", c.recurrent() ? c.steps : 0);
        r.put("neumannTerms", c.neumannTerms);
        if (c.recurrent() && c.method.rbpFamily()) {
            // how the fixed point and the implicit gradient were reached, and at what cost
            Map<String, Object> solver = new LinkedHashMap<>();
            solver.put("forward", Setup.forwardSolver(c).describe());
            solver.put("tolerance", c.tolerance);
            solver.put("maxSteps", c.steps);
            solver.put("backward", c.backward);
            if (!"neumann".equals(c.backward) && !"jfb".equals(c.backward)) {
                solver.put("adjointTolerance", c.adjointTolerance);
            }
            if (!state.history.isEmpty()) {
                Checkpoints.EpochRecord last = state.history.get(state.history.size() - 1);
                solver.put("lastEpochMeanSteps", last.steps);
                solver.put("lastEpochMeanResidual", last.residual);
                solver.put("lastEpochMeanAdjointIterations", last.adjointIterations);
            }
            r.put("solver", solver);
        }
        r.put("lambda", c.lambda);
        r.put("penaltyWeight", c.penaltyWeight);
        r.put("penaltyReduction", c.penaltyReduction);
        r.put("penaltyProbe", c.penaltyProbe);
        if ("power".equals(c.penaltyProbe)) {
            r.put("penaltyIterations", c.penaltyIterations);
        }
        r.put("penaltyDifference", c.penaltyDifference);
        r.put("kernel", c.kernel);
        r.put("channels", c.channels);
        r.put("parameters", parameters);
        r.put("epochs", state.epoch);
        r.put("batchesInPartialEpoch", state.batchesInEpoch);
        r.put("epochsRequested", c.epochs);
        r.put("timeBudgetMinutes", o.timeBudgetMinutes);
        r.put("trainSize", c.trainSize);
        r.put("testSize", c.testSize);
        r.putAll(scores.toMap());
        r.put("peakMemoryBytes", ProcessMemory.peakResidentBytes());
        double[] secs = new double[state.batchSeconds.size()];
        for (int i = 0; i < secs.length; i++) {
            secs[i] = state.batchSeconds.get(i);
        }
        r.put("secondsPerIteration", Stats.median(secs));
        r.put("iterations", secs.length);
        r.put("trainingSeconds", state.trainingSeconds);
        r.put("device", device.toString());
        r.put("seed", c.seed);
        Map<String, Object> prov = new LinkedHashMap<>(Provenance.collect(c.seed, device));
        r.put("crbpVersion", prov.get("crbpVersion"));
        r.put("gitCommit", prov.get("gitCommit"));
        r.put("djlVersion", prov.get("djlVersion"));
        r.put("pytorchVersion", prov.get("pytorchVersion"));
        r.put("provenance", prov);
        r.put("config", c);
        r.put("commandLine", String.join(" ", o.commandLine));
        r.put("history", state.history);
        return r;
    }

    static ProgressBar progress(String message, long total) {
        return new ProgressBar(message, total);
    }
}
