/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import ai.djl.Device;

import org.crbp.examples.config.AtomicFiles;
import org.crbp.core.ContractionAnalysis;
import org.crbp.core.RecurrentNet;
import org.crbp.core.solver.Residual;
import org.crbp.examples.CliException;
import org.crbp.examples.analysis.Evaluation;
import org.crbp.examples.analysis.Pictures;
import org.crbp.examples.analysis.Scores;
import org.crbp.examples.pathfinder.PathfinderDataset;
import org.crbp.examples.pathfinder.PathfinderPreset;
import org.crbp.examples.run.Checkpoints;
import org.crbp.examples.config.Json;
import org.crbp.examples.run.Loaded;
import org.crbp.examples.run.Provenance;
import org.crbp.examples.config.ForwardSolverKind;
import org.crbp.examples.config.RunConfig;
import org.crbp.examples.run.Setup;

import picocli.CommandLine.Command;
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

    @Option(names = "--checkpoint", required = true, paramLabel = "<path>",
            description = "A run folder (its last checkpoint) or one checkpoint folder.")
    Path checkpoint;

    @Option(names = "--preset", paramLabel = "<name>",
            description = "Preset to test on. Default: the one the run trained on.")
    String preset;

    @Option(names = "--steps", paramLabel = "<t>",
            description = "Recurrent steps to run. Default: the number the run trained with.")
    Integer steps;

    @Option(names = "--tol", paramLabel = "<residual>",
            description = "Adaptive depth: iterate each batch until every image's relative"
                    + " residual ||h_t - h_t-1|| / ||h_t|| is at most this, up to --max-steps;"
                    + " the report gives the distribution of steps used. Default: off (a fixed"
                    + " --steps).")
    Double tolerance;

    @Option(names = "--max-steps", paramLabel = "<n>",
            description = "Most steps with --tol. Default: 4 x the trained steps.")
    Integer maxSteps;

    @Option(names = "--solver", defaultValue = "naive", paramLabel = "<name>",
            description = "Forward solver with --tol: naive or anderson. Default:"
                    + " ${DEFAULT-VALUE}.")
    String solver;

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

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "<name>",
            description = "Device to run on: cpu, gpu or auto. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--out", paramLabel = "<dir>",
            description = "Output folder. Default: eval-PRESET-tT in the run folder.")
    Path out;

    /** {@inheritDoc} */
    @Override
    public Integer call() throws Exception {
        if (steps != null && (steps < 1 || steps > 10_000)) {
            throw new CliException("--steps must be from 1 to 10000, got " + steps);
        }
        if (testSize != null && (testSize < 1 || testSize > 1_000_000)) {
            throw new CliException("--test-size must be from 1 to 1000000, got " + testSize);
        }
        if (!device.matches("cpu|gpu|auto")) {
            throw new CliException("--device must be cpu, gpu or auto, got '" + device + "'");
        }
        if (out != null) {
            Main.writableFolder(out, "--out");
        }
        if (tolerance != null && !(tolerance > 0 && tolerance < 1)) {
            throw new CliException("--tol must be a relative residual in (0, 1), got "
                    + tolerance);
        }
        if (maxSteps != null && (maxSteps < 1 || maxSteps > 10_000)) {
            throw new CliException("--max-steps must be from 1 to 10000, got " + maxSteps);
        }
        if (tolerance == null && maxSteps != null) {
            throw new CliException("--max-steps needs --tol (a fixed depth is --steps)");
        }
        if (tolerance != null && steps != null) {
            throw new CliException("--steps and --tol exclude each other: --tol stops at a"
                    + " residual, up to --max-steps");
        }
        solver = solver.toLowerCase(Locale.ROOT);
        if (!solver.matches("naive|anderson")) {
            throw new CliException("--solver must be naive or anderson, got '" + solver + "'");
        }
        PrintWriter console = spec.commandLine().getOut();
        PathfinderPreset testPreset = preset == null ? null : RunConfig.preset(preset);
        Device dev = Setup.device(device);
        try (Loaded loaded = Loaded.open(checkpoint, dev)) {
            RunConfig c = loaded.config.copy();
            PathfinderPreset p = testPreset != null ? testPreset : c.presetValue();
            int t = steps != null ? steps : c.steps;
            c.data = data == null ? null : data.toString();
            if (seed != null) {
                c.seed = seed;
            }
            if (testSize != null) {
                c.testSize = testSize;
            }
            PathfinderDataset test = Setup.evalSet(c, p, PathfinderDataset.Split.TEST,
                    c.testSize);
            boolean adaptive = tolerance != null;
            if (adaptive && !(loaded.block instanceof RecurrentNet)) {
                throw new CliException("--tol needs a recurrent model; " + loaded.checkpoint.dir
                        + " holds the feedforward control");
            }
            int most = maxSteps != null ? maxSteps : 4 * c.steps;
            Path dir = out != null ? out : runDir(loaded).resolve(adaptive
                    ? String.format(Locale.ROOT, "eval-%s-tol%s", p.presetName(),
                            Double.toString(tolerance))
                    : String.format(Locale.ROOT, "eval-%s-t%d", p.presetName(), t));
            if (out == null) {
                // the default folder in the run folder: a read-only run is told before the work
                Main.writableFolder(dir, null);
            }
            console.printf(Locale.ROOT, "Evaluating %s (trained on %s, T=%d) on %d %s images"
                            + " with %s%n", loaded.checkpoint.dir, c.preset, c.steps,
                    c.testSize, p, adaptive ? String.format(Locale.ROOT, "adaptive depth (%s to"
                            + " a residual of %.2g, at most %d steps)", solver, tolerance, most)
                            : "T=" + t);
            console.flush();
            Scores scores;
            Map<String, Object> depth = null;
            if (adaptive) {
                Evaluation.Adaptive result = Evaluation.evaluateAdaptive(
                        (RecurrentNet) loaded.block, loaded.model.getNDManager(), test,
                        ForwardSolverKind.parse(solver, OptionNames.OPTIONS).build(tolerance,
                                Setup.window(c.window, most), Residual.StopRule.EVERY_SAMPLE),
                        tolerance, most, "Testing");
                scores = result.scores();
                depth = new LinkedHashMap<>();
                depth.put("solver", solver);
                depth.put("tolerance", tolerance);
                depth.put("maxSteps", most);
                depth.putAll(result.summary());
                console.printf(Locale.ROOT, "Steps used: mean %.1f, median %s, 90th percentile"
                                + " %s, largest %s; %s of %d images did not converge%n",
                        (Double) depth.getOrDefault("meanSteps", Double.NaN),
                        depth.getOrDefault("medianSteps", "-"), depth.getOrDefault("p90Steps",
                                "-"), depth.getOrDefault("largestSteps", "-"),
                        depth.get("notConverged"), result.depths().length);
            } else {
                scores = Evaluation.evaluate(loaded.block, loaded.model.getNDManager(), test, t,
                        "Testing");
            }
            console.println("Test: " + scores);
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
            r.put("parameters", org.crbp.models.PathfinderModels.countParameters(loaded.block));
            r.put("epochs", loaded.checkpoint.state.epoch);
            r.put("trainSize", c.trainSize);
            r.put("testSize", c.testSize);
            r.putAll(scores.toMap());
            r.put("peakMemoryBytes", org.crbp.core.bench.ProcessMemory.peakResidentBytes());
            r.put("device", dev.toString());
            r.put("seed", c.seed);
            r.put("provenance", Provenance.collect(c.seed, dev));
            r.put("config", loaded.config);
            if (loaded.block instanceof RecurrentNet) {
                // measured at the trained N: the steady state the run's gradient assumed
                ContractionAnalysis.Summary contraction = Evaluation.contraction(
                        (RecurrentNet) loaded.block, loaded.model.getNDManager(), test,
                        Setup.contractionAnalysis(), 0, "Contraction");
                r.put("contraction", contraction.toMap(c.steps));
                console.println("Test " + contraction);
                Pictures.timeCourseAndStateSpace((RecurrentNet) loaded.block,
                        loaded.model.getNDManager(), t, Setup.evalSet(c, p,
                                PathfinderDataset.Split.TEST, Math.min(c.testSize, c.batch)),
                        Math.max(t, Pictures.defaultAnalysisSteps(c.steps)),
                        p + ", " + c.model + " " + c.methodLabel() + " trained T=" + c.steps,
                        org.crbp.examples.config.AtomicFiles.createDirectories(dir), r);
            }
            Json.write(dir.resolve("report.json"), r);
            console.println("Report: " + dir.resolve("report.json"));
        }
        return 0;
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
