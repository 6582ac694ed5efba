/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.instances.InstancesTask;

import ai.djl.Device;

import org.crbp.core.ContractionAnalysis;
import org.crbp.core.RecurrentNet;
import org.crbp.core.bench.ProcessMemory;
import org.crbp.core.solver.Residual;
import org.crbp.examples.CliException;
import org.crbp.examples.analysis.Evaluation;
import org.crbp.examples.analysis.Pictures;
import org.crbp.examples.analysis.Scores;
import org.crbp.examples.pathfinder.PathfinderDataset;
import org.crbp.examples.task.Scorer;
import org.crbp.examples.task.Task;
import org.crbp.examples.task.Tasks;
import ai.djl.training.dataset.Dataset;
import org.crbp.examples.pathfinder.PathfinderPreset;
import org.crbp.examples.run.Checkpoints;
import org.crbp.examples.config.Json;
import org.crbp.examples.run.Loaded;
import org.crbp.examples.run.Provenance;
import org.crbp.examples.config.AtomicFiles;
import org.crbp.examples.config.ForwardSolverKind;
import org.crbp.examples.config.RunConfig;
import org.crbp.examples.run.Setup;
import org.crbp.models.PathfinderModels;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code crbp evaluate}: tests a checkpoint on a preset, possibly another one, possibly longer. */
@Command(
        usageHelpWidth = 100,
        name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Test a checkpoint on a preset, also another one, optionally with more steps.",
            "The paper's generalisation test: train on pf-mini-14, test on pf-mini-20 and",
            "pf-mini-25. Writes OUT/report.json, OUT/timecourse.png, OUT/state-space.png."
        })
final class EvaluateCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin CommonOptions.Checkpoint checkpoint = new CommonOptions.Checkpoint();

    @Option(names = "--task", paramLabel = "<name>",
            description = "The checkpoint's task (pathfinder or instances), checked against it."
                    + " Default: the checkpoint's.")
    String task;

    @Mixin CommonOptions.TestPreset preset = new CommonOptions.TestPreset();

    @Option(names = "--steps", paramLabel = "<t>",
            description = "Recurrent steps to run. Default: the number the run trained with.")
    Integer steps;

    @Mixin ForwardSolverOptions forward = new ForwardSolverOptions();

    @Option(names = "--test-size", paramLabel = "<n>",
            description = "Test images. Default: the run's --test-size.")
    Integer testSize;

    @Option(names = "--seed", paramLabel = "<seed>",
            description = "Base seed of the test images. Default: the run's.")
    Long seed;

    @Option(names = "--data", paramLabel = "<dir>",
            description = "Read the test images from the folder's test/ (written by 'crbp"
                    + " generate') instead of generating them.")
    Path data;

    @Mixin CommonOptions.DeviceChoice device = new CommonOptions.DeviceChoice();

    @Mixin CommonOptions.Threads threads = new CommonOptions.Threads();

    @Mixin CommonOptions.Pictures pictures = new CommonOptions.Pictures();

    @Option(names = "--out", paramLabel = "<dir>",
            description = "Output folder. Default: eval-PRESET-tT in the run folder.")
    Path out;

    /** {@inheritDoc} */
    @Override
    public Integer call() throws Exception {
        ForwardSolverKind solver = checkOptions();
        PrintWriter console = spec.commandLine().getOut();
        PathfinderPreset testPreset = preset.valueOrNull();
        Device dev = device.resolve();
        try (Loaded loaded = checkpoint.open(dev)) {
            RunConfig c = testConfig(loaded);
            if (task != null && !Tasks.byName(task, OptionNames.OPTIONS).name()
                    .equals(Tasks.of(loaded.config).name())) {
                throw new CliException("--task " + task + ": " + loaded.checkpoint.dir
                        + " holds a " + Tasks.of(loaded.config).name() + " model");
            }
            if (Tasks.of(c) instanceof InstancesTask) {
                return instances(loaded, c, dev, console);
            }
            PathfinderPreset p = testPreset != null ? testPreset : c.presetValue();
            int t = steps != null ? steps : c.steps;
            Task task = Tasks.of(c);
            Dataset test = task.evaluationSet(c, p.presetName(), Task.Split.TEST, c.testSize);
            boolean adaptive = forward.adaptive();
            if (adaptive && !(loaded.block instanceof RecurrentNet)) {
                throw new CliException("--tol needs a recurrent model; " + loaded.checkpoint.dir
                        + " holds the feedforward control");
            }
            int most = forward.maxSteps != null ? forward.maxSteps : 4 * c.steps;
            Path dir = outputFolder(loaded, p, t);
            console.printf(Locale.ROOT, "Evaluating %s (trained on %s, T=%d) on %d %s images"
                            + " with %s%n", loaded.checkpoint.dir, c.preset, c.steps,
                    c.testSize, p, adaptive ? String.format(Locale.ROOT, "adaptive depth (%s to"
                            + " a residual of %.2g, at most %d steps)", solver,
                            forward.tolerance, most) : "T=" + t);
            console.flush();
            Map<String, Object> depth = adaptive ? new LinkedHashMap<>() : null;
            Map<String, Object> scores;
            if (adaptive) {
                // adaptive depth scores Pathfinder's foreground counts per sample
                Scores s = testAdaptive(loaded, c, test, solver, most, depth, console);
                console.println("Test: " + s);
                scores = s.toMap();
            } else {
                Scorer s = task.newScorer(c);
                Evaluation.evaluate(loaded.block, loaded.model.getNDManager(), test, t,
                        "Testing", null, Evaluation.NO_DEADLINE, s::add);
                console.println("Test: " + task.testSummary(s));
                scores = task.testReport(s);
            }
            Map<String, Object> r = report(loaded, c, p, t, depth, scores, dev);
            if (loaded.block instanceof RecurrentNet) {
                contractionAndPictures(loaded, c, p, t, test, dir, r, console);
            }
            Json.write(dir.resolve("report.json"), r);
            console.println("Report: " + dir.resolve("report.json"));
        }
        return 0;
    }

    /** The instances task: predictions as COCO panoptic files, PQ/SQ/RQ in report.json. */
    private int instances(Loaded loaded, RunConfig c, Device dev, PrintWriter console)
            throws java.io.IOException {
        if (c.data == null) {
            c.data = loaded.config.data;
        }
        if (steps != null && steps != c.steps) {
            throw new CliException("--steps: the instances task evaluates at the trained "
                    + c.steps + " steps");
        }
        // options of the Pathfinder evaluation that would change nothing here are refused,
        // not recorded as if they had been used
        java.util.List<String> unused = new java.util.ArrayList<>();
        if (preset.preset != null) {
            unused.add("--preset");
        }
        if (forward.tolerance != null || forward.maxSteps != null || forward.solver != null) {
            unused.add("--tol, --max-steps and --solver");
        }
        if (seed != null) {
            unused.add("--seed");
        }
        if (!unused.isEmpty()) {
            throw new CliException(String.join(", ", unused) + ": not for the instances task"
                    + " (its test scenes are the files of --data, and the mask head runs its"
                    + " trained steps)");
        }
        Path dir = out != null ? out
                : Main.writableFolder(runDir(loaded).resolve("eval-instances"), null);
        AtomicFiles.createDirectories(dir);
        console.printf(Locale.ROOT, "Evaluating %s (%s head%s) on the test images of %s%n",
                loaded.checkpoint.dir, c.model, c.recurrent() ? ", " + c.methodLabel() + " T="
                        + c.steps : "", c.data);
        console.flush();
        Map<String, Object> scores = InstancesTask.evaluate(loaded.block,
                loaded.model.getNDManager(), c, dir);
        if (!pictures.noPictures) {
            java.util.List<String> drawn = InstancesTask.drawTestPictures(loaded.block,
                    loaded.model.getNDManager(), c, dir, console);
            scores.put("pictures", drawn);
            console.println("Pictures: " + String.join(", ", drawn) + " in " + dir);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("checkpoint", loaded.checkpoint.dir.toString());
        r.put("task", InstancesTask.NAME);
        r.put("head", c.model.toString().toLowerCase(Locale.ROOT));
        r.put("method", c.recurrent() ? c.method.toString().toLowerCase(Locale.ROOT) : "ff");
        r.put("steps", c.recurrent() ? c.steps : 0);
        r.putAll(scores);
        r.put("predictions", InstancesTask.PREDICTIONS_DIR);
        r.put("parameters", PathfinderModels.countParameters(loaded.block));
        r.put("peakMemoryBytes", ProcessMemory.peakResidentBytes());
        r.put("epochs", loaded.checkpoint.state.epoch);
        r.put("data", c.data);
        r.put("device", dev.toString());
        r.put("config", loaded.config);
        Json.write(dir.resolve("report.json"), r);
        console.printf(Locale.ROOT, "Test: PQ %.4f SQ %.4f RQ %.4f (ground-truth boxes)%n",
                (Double) r.get("pq"), (Double) r.get("sq"), (Double) r.get("rq"));
        console.println("Report: " + dir.resolve("report.json"));
        return 0;
    }

    /**
     * Checks the options before any work, and sets the engine's threads.
     *
     * @return the forward solver of adaptive depth
     */
    private ForwardSolverKind checkOptions() {
        if (steps != null && (steps < 1 || steps > 10_000)) {
            throw new CliException("--steps must be from 1 to 10000, got " + steps);
        }
        if (testSize != null && (testSize < 1 || testSize > 1_000_000)) {
            throw new CliException("--test-size must be from 1 to 1000000, got " + testSize);
        }
        device.resolveName();
        if (out != null) {
            Main.writableFolder(out, "--out");
        }
        ForwardSolverKind solver = forward.check();
        if (forward.maxSteps != null && forward.maxSteps > 10_000) {
            throw new CliException("--max-steps must be from 1 to 10000, got "
                    + forward.maxSteps);
        }
        if (!forward.adaptive() && forward.maxSteps != null) {
            throw new CliException("--max-steps needs --tol (a fixed depth is --steps)");
        }
        if (forward.adaptive() && steps != null) {
            throw new CliException("--steps and --tol exclude each other: --tol stops at a"
                    + " residual, up to --max-steps");
        }
        threads.apply();
        return solver != null ? solver : ForwardSolverKind.NAIVE;
    }

    /** The run's configuration with the test's data, seed and size. */
    private RunConfig testConfig(Loaded loaded) {
        RunConfig c = loaded.config.copy();
        c.data = data == null ? null : data.toString();
        if (seed != null) {
            c.seed = seed;
        }
        if (testSize != null) {
            c.testSize = testSize;
        }
        return c;
    }

    /** The output folder: --out, or one named after the test in the run folder. */
    private Path outputFolder(Loaded loaded, PathfinderPreset p, int t) {
        if (out != null) {
            return out;
        }
        Path dir = runDir(loaded).resolve(forward.adaptive()
                ? String.format(Locale.ROOT, "eval-%s-tol%s", p.presetName(),
                        Double.toString(forward.tolerance))
                : String.format(Locale.ROOT, "eval-%s-t%d", p.presetName(), t));
        // the default folder in the run folder: a read-only run is told before the work
        return Main.writableFolder(dir, null);
    }

    /** The test with adaptive depth, its distribution of steps into {@code depth}. */
    private Scores testAdaptive(Loaded loaded, RunConfig c, Dataset test,
            ForwardSolverKind solver, int most, Map<String, Object> depth,
            PrintWriter console) {
        Evaluation.Adaptive result = Evaluation.evaluateAdaptive(
                (RecurrentNet) loaded.block, loaded.model.getNDManager(), test,
                solver.build(forward.tolerance, Setup.window(c.window, most),
                        Residual.StopRule.EVERY_SAMPLE), forward.tolerance, most, "Testing");
        depth.put("solver", solver);
        depth.put("tolerance", forward.tolerance);
        depth.put("maxSteps", most);
        depth.putAll(result.summary());
        console.printf(Locale.ROOT, "Steps used: mean %.1f, median %s, 90th percentile"
                        + " %s, largest %s; %s of %d images did not converge%n",
                (Double) depth.getOrDefault("meanSteps", Double.NaN),
                depth.getOrDefault("medianSteps", "-"), depth.getOrDefault("p90Steps", "-"),
                depth.getOrDefault("largestSteps", "-"), depth.get("notConverged"),
                result.depths().length);
        return result.scores();
    }

    /** The report before the contraction and the pictures. */
    private static Map<String, Object> report(Loaded loaded, RunConfig c, PathfinderPreset p,
            int t, Map<String, Object> depth, Map<String, Object> scores, Device dev) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("checkpoint", loaded.checkpoint.dir.toString());
        r.put("preset", c.preset);
        r.put("testPreset", p.presetName());
        r.put("model", c.model);
        r.put("method", c.recurrent() ? c.method : "ff");
        r.put("steps", c.recurrent() ? t : 0);
        r.put("trainedSteps", c.recurrent() ? c.steps : 0);
        if (depth != null) {
            r.put("adaptiveDepth", depth);
        }
        r.put("neumannTerms", c.neumannTerms);
        r.put("lambda", c.lambda);
        r.put("parameters", PathfinderModels.countParameters(loaded.block));
        r.put("epochs", loaded.checkpoint.state.epoch);
        r.put("trainSize", c.trainSize);
        r.put("testSize", c.testSize);
        r.putAll(scores);
        r.put("peakMemoryBytes", ProcessMemory.peakResidentBytes());
        r.put("device", dev.toString());
        r.put("seed", c.seed);
        r.put("provenance", Provenance.collect(c.seed, dev));
        r.put("config", loaded.config);
        return r;
    }

    /** The contraction at the trained N, and (unless --no-pictures) the pictures. */
    private void contractionAndPictures(Loaded loaded, RunConfig c, PathfinderPreset p, int t,
            Dataset test, Path dir, Map<String, Object> r, PrintWriter console)
            throws java.io.IOException {
        RecurrentNet net = (RecurrentNet) loaded.block;
        // measured at the trained N: the steady state the run's gradient assumed
        ContractionAnalysis.Summary contraction = Evaluation.contraction(net,
                loaded.model.getNDManager(), test, Setup.contractionAnalysis(), 0,
                "Contraction");
        r.put("contraction", contraction.toMap(c.steps));
        console.println("Test " + contraction);
        if (pictures.noPictures) {
            return;
        }
        Pictures.timeCourseAndStateSpace(net, loaded.model.getNDManager(), t,
                Setup.evalSet(c, p, PathfinderDataset.Split.TEST, Math.min(c.testSize, c.batch)),
                Math.max(t, Pictures.defaultAnalysisSteps(c.steps)),
                p + ", " + c.model + " " + c.methodLabel() + " trained T=" + c.steps,
                AtomicFiles.createDirectories(dir), r);
    }

    static Path runDir(Loaded loaded) {
        Path dir = loaded.checkpoint.dir.toAbsolutePath();
        Path parent = dir.getParent();
        if (parent != null && parent.getFileName().toString().equals(Checkpoints.FOLDER)) {
            return parent.getParent();
        }
        return dir;
    }
}
