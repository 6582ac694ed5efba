/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

import org.crbp.core.ContractionAnalysis;
import org.crbp.core.RecurrentNet;
import org.crbp.examples.CliException;
import org.crbp.examples.analysis.Analysis;
import org.crbp.examples.analysis.Charts;
import org.crbp.examples.analysis.Pictures;
import org.crbp.examples.analysis.Evaluation;
import org.crbp.examples.analysis.Stats;
import org.crbp.examples.pathfinder.PathfinderDataset;
import org.crbp.examples.pathfinder.PathfinderPreset;
import org.crbp.examples.run.Checkpoints;
import org.crbp.examples.config.Json;
import org.crbp.examples.run.Loaded;
import org.crbp.examples.run.Provenance;
import org.crbp.examples.config.RunConfig;
import org.crbp.examples.run.Setup;
import org.crbp.examples.task.PathfinderTask;
import org.crbp.examples.task.Tasks;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code crbp analyze}: the paper's analyses of a trained recurrent model: F1 of the readout at
 * every step (Fig. 2c), distances between the state at the trained step N and a late step T with
 * a two-sample Kolmogorov–Smirnov test between two checkpoints (Fig. 1c), the state-space
 * projection (Fig. 1b), and the largest singular value of the step's Jacobian.
 */
@Command(
        usageHelpWidth = 100,
        name = "analyze",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Analyse a recurrent checkpoint: extrapolation, KS test, PCA, sigma_max of J.",
            "The readout at every step t = 1..T (extrapolation),",
            "||h_T - h_N|| / ||h_N|| over test images with a two-sample KS test against a second",
            "checkpoint, state trajectories on their top 2 PCs, and sigma_max of the step's",
            "Jacobian J = dF/dh at h_N (power iteration on vector-Jacobian products).",
            "Writes OUT/analysis.json and PNG pictures."
        })
final class AnalyzeCommand implements Callable<Integer> {

    /** The picture of residual against cell evaluations. */
    static final String RESIDUALS = "residuals.png";

    /** Anderson's window in the residual curves (the solvers' default). */
    private static final int ANDERSON_WINDOW = 5;

    @Spec CommandSpec spec;

    @Mixin CommonOptions.Checkpoint checkpoint = new CommonOptions.Checkpoint();

    @Option(names = "--compare", paramLabel = "<path>",
            description = "Second checkpoint for the KS test (for example a BPTT run)."
                    + " Default: the first epoch's checkpoint of the same run.")
    Path compare;

    @Mixin CommonOptions.TestPreset preset = new CommonOptions.TestPreset();

    @Option(names = "--steps", paramLabel = "<t>",
            description = "Last step T of the curves. Default: max(2N, N + 10) for N trained"
                    + " steps.")
    Integer steps;

    @Option(names = "--images", defaultValue = "64", paramLabel = "<n>",
            description = "Test images for the curves and the KS test. Default:"
                    + " ${DEFAULT-VALUE}.")
    int images;

    @Option(names = "--power-iterations", defaultValue = "30", paramLabel = "<n>",
            description = "Largest number of power iterations for the Jacobian's spectral norm."
                    + " Default: ${DEFAULT-VALUE}.")
    int powerIterations;

    @Mixin CommonOptions.DeviceChoice device = new CommonOptions.DeviceChoice();

    @Option(names = "--out", paramLabel = "<dir>", description = "Output folder. Default:"
            + " the run folder's analysis/.")
    Path out;

    /** What the analyses share: the model, its test images and where the results go. */
    private static final class Subject {
        Loaded loaded;
        RecurrentNet net;
        NDManager manager;
        RunConfig c;
        PathfinderPreset preset;
        /** The trained steps N and the last step T. */
        int n;
        int t;
        String name;
        Path dir;
        Map<String, Object> report = new LinkedHashMap<>();

        PathfinderDataset images(int count) {
            return Setup.evalSet(c, preset, PathfinderDataset.Split.TEST, count);
        }
    }

    /** {@inheritDoc} */
    @Override
    public Integer call() throws Exception {
        checkOptions();
        PrintWriter console = spec.commandLine().getOut();
        Device dev = device.resolve();
        PathfinderPreset testPreset = preset.valueOrNull();
        try (Loaded a = checkpoint.open(dev)) {
            Subject s = subject(a, testPreset, dev);
            console.printf(Locale.ROOT, "Analysing %s on %d %s images, steps 1..%d%n",
                    a.checkpoint.dir, images, s.preset, s.t);
            console.flush();
            Map<String, Object> r = s.report;
            r.put("checkpoint", a.checkpoint.dir.toString());
            r.put("preset", s.c.preset);
            r.put("testPreset", s.preset.presetName());
            r.put("model", s.c.model);
            r.put("method", s.c.method);
            r.put("trainedSteps", s.n);
            r.put("lastStep", s.t);
            r.put("images", images);
            PathfinderDataset set = s.images(images);
            extrapolationAndDistances(s, set, dev, console);
            Pictures.timeCourseAndStateSpace(s.net, s.manager, s.c.steps, set, s.t, s.name,
                    s.dir, r);
            Map<String, Object> jac = jacobian(s);
            // per image: convergence to 1e-3 within 4N steps, spectral radius at the end state
            ContractionAnalysis.Summary contraction = Evaluation.contraction(s.net, s.manager,
                    s.images(images), Setup.contractionAnalysis(), 0, null);
            r.put("contraction", contraction.toMap(s.n));
            Map<String, Object> conv = residuals(s);
            console.printf(Locale.ROOT, "Residual after N=%d evaluations (image 1): naive %.2e,"
                            + " Anderson %.2e%n", s.n, at((List<?>) conv.get("naive"), s.n),
                    at((List<?>) conv.get("anderson"), s.n));
            console.printf(Locale.ROOT, "Jacobian at h_N: sigma_max %.4f (%d iterations),"
                            + " spectral radius %.4f, max J^T 1 %.4f%n", jac.get("sigmaMax"),
                    jac.get("sigmaIterations"), jac.get("spectralRadius"), jac.get("maxJTone"));
            console.println(contraction);
            r.put("pictures", new String[] {Pictures.EXTRAPOLATION, DISTANCES,
                Pictures.TIME_COURSE, Pictures.STATE_SPACE, RESIDUALS});
            r.put("provenance", Provenance.collect(s.c.seed, dev));
            Json.write(s.dir.resolve("analysis.json"), r);
            console.println("Analysis: " + s.dir.resolve("analysis.json"));
        }
        return 0;
    }

    /** The picture of the distances between the states at N and T. */
    private static final String DISTANCES = "distances.png";

    private void checkOptions() {
        if (steps != null && (steps < 2 || steps > 10_000)) {
            throw new CliException("--steps must be from 2 to 10000, got " + steps);
        }
        if (images < 2 || images > 100_000) {
            throw new CliException("--images must be from 2 to 100000, got " + images);
        }
        if (powerIterations < 1 || powerIterations > 10_000) {
            throw new CliException("--power-iterations must be from 1 to 10000, got "
                    + powerIterations);
        }
        device.resolveName();
        if (out != null) {
            Main.writableFolder(out, "--out");
        }
    }

    /**
     * Refuses another task's checkpoint in one line: the analysis reads Pathfinder images through
     * a recurrent segmentation model, and its figures (extrapolation F1, state distances) are
     * that task's.
     */
    private static void pathfinderModel(Loaded loaded, String named) {
        String task = Tasks.of(loaded.config).name();
        if (!PathfinderTask.NAME.equals(task)) {
            throw new CliException("analyze studies a Pathfinder model's dynamics; " + named
                    + " holds a model of the " + task + " task (evaluate --checkpoint draws its"
                    + " mask head's time course)");
        }
    }

    /** The recurrent model to analyse, checked together with the one to compare it with. */
    private Subject subject(Loaded a, PathfinderPreset testPreset, Device dev) {
        pathfinderModel(a, a.checkpoint.dir.toString());
        if (!(a.block instanceof RecurrentNet)) {
            throw new CliException("analyze needs a recurrent model (hgru or convlstm); "
                    + a.checkpoint.dir + " holds the feedforward control");
        }
        if (compare != null) {
            // the second checkpoint is used after minutes of work: a missing, corrupt or
            // feedforward one is told first
            try (Loaded b = Loaded.open(compare, dev)) {
                recurrentToCompare(b, b.checkpoint.dir);
            }
        }
        Subject s = new Subject();
        s.loaded = a;
        s.net = (RecurrentNet) a.block;
        s.manager = a.model.getNDManager();
        s.c = a.config.copy();
        s.preset = testPreset != null ? testPreset : s.c.presetValue();
        s.n = s.c.steps;
        s.t = steps != null ? steps : Pictures.defaultAnalysisSteps(s.n);
        if (s.t <= s.n) {
            throw new CliException("--steps (" + s.t + ") must exceed the trained steps N = "
                    + s.n + " for the distance ||h_T - h_N||");
        }
        s.dir = Main.writableFolder(out != null ? out
                : EvaluateCommand.runDir(a).resolve("analysis"), out != null ? "--out" : null);
        s.name = s.preset + ", " + s.c.model + " " + s.c.methodLabel() + " N=" + s.n;
        return s;
    }

    private static RecurrentNet recurrentToCompare(Loaded b, Object named) {
        pathfinderModel(b, "--compare " + named);
        if (!(b.block instanceof RecurrentNet)) {
            throw new CliException("--compare needs a recurrent model; " + named
                    + " holds the feedforward control");
        }
        return (RecurrentNet) b.block;
    }

    /**
     * The readout at every step (Fig. 2c) and the distances ||h_T - h_N|| with the KS test
     * against a second checkpoint (Fig. 1c), with their pictures.
     */
    private void extrapolationAndDistances(Subject s, PathfinderDataset set, Device dev,
            PrintWriter console) throws IOException {
        Map<String, double[]> curves = new LinkedHashMap<>();
        Map<String, Object> ex = Pictures.extrapolation(s.net, s.manager, set, s.t);
        s.report.put("extrapolation", ex);
        curves.put(label(s.loaded), (double[]) ex.get("f1"));
        console.printf(Locale.ROOT, "Extrapolation: F1 %.4f at N=%d, best %.4f at t=%d,"
                        + " %.4f at t=%d%n", ((double[]) ex.get("f1"))[s.n - 1], s.n,
                ex.get("bestF1"), ex.get("bestStep"), ((double[]) ex.get("f1"))[s.t - 1], s.t);
        double[] da = Analysis.stateDistances(s.net, s.manager, set, s.n, s.t);
        Map<String, Object> dist = new LinkedHashMap<>();
        dist.put("definition", "||h_T - h_N|| / ||h_N|| per image");
        dist.put("median", Stats.median(da));
        Path other = compare;
        if (other == null) {
            Path first = s.loaded.checkpoint.dir.resolveSibling(Checkpoints.name(1));
            if (!first.equals(s.loaded.checkpoint.dir) && Files.isDirectory(first)) {
                other = first;
            }
        }
        double[] db = null;
        String otherLabel = null;
        if (other != null) {
            try (Loaded b = Loaded.open(other, dev)) {
                otherLabel = label(b).equals(label(s.loaded)) ? label(b) + ", compared"
                        : label(b);
                db = compared(s, b, recurrentToCompare(b, other), da, dist, curves, otherLabel,
                        console);
            }
        } else {
            console.printf(Locale.ROOT, "||h_T - h_N||/||h_N||: median %.4g (no second"
                    + " checkpoint for the KS test)%n", Stats.median(da));
        }
        dist.put("values", da);
        s.report.put("distances", dist);
        Charts.extrapolation((double[]) ex.get("steps"), curves, s.n,
                "Readout at every step, " + s.preset, s.dir.resolve(Pictures.EXTRAPOLATION));
        Charts.distances(da, label(s.loaded), db, otherLabel, s.n, s.t,
                s.dir.resolve(DISTANCES));
    }

    /** The second checkpoint's distances and readout curve, and the KS test between the two. */
    private double[] compared(Subject s, Loaded b, RecurrentNet nb, double[] da,
            Map<String, Object> dist, Map<String, double[]> curves, String otherLabel,
            PrintWriter console) {
        int nbSteps = b.config.steps;
        int tb = Math.max(s.t, nbSteps + 1);
        double[] db = Analysis.stateDistances(nb, b.model.getNDManager(), s.images(images),
                nbSteps, tb);
        Map<String, Object> exb = Pictures.extrapolation(nb, b.model.getNDManager(),
                s.images(images), s.t);
        curves.put(otherLabel, (double[]) exb.get("f1"));
        s.report.put("compareExtrapolation", exb);
        Stats.KsResult ks = Stats.kolmogorovSmirnov(da, db);
        dist.put("compareCheckpoint", b.checkpoint.dir.toString());
        dist.put("compareMedian", Stats.median(db));
        dist.put("ksStatistic", ks.statistic);
        dist.put("ksPValue", ks.pValue);
        console.printf(Locale.ROOT, "||h_T - h_N||/||h_N||: median %.4g (%s) vs %.4g (%s); KS"
                        + " D = %.4f, p = %.3g%n", Stats.median(da), label(s.loaded),
                Stats.median(db), otherLabel, ks.statistic, ks.pValue);
        return db;
    }

    /** The largest singular value and spectral radius of the step's Jacobian at h_N. */
    private Map<String, Object> jacobian(Subject s) {
        Map<String, Object> jac = new LinkedHashMap<>();
        Analysis.forEachBatch(s.images(Math.min(images, 8)), s.manager, 1, batch -> {
            Analysis.JacobianEstimate e = Analysis.jacobian(s.net, s.manager, batch.getData(),
                    s.n, powerIterations);
            jac.put("atStep", s.n);
            jac.put("images", batch.getSize());
            jac.put("sigmaMax", e.sigmaMax);
            jac.put("sigmaIterations", e.sigmaIterations);
            jac.put("spectralRadius", e.spectralRadius);
            jac.put("radiusIterations", e.radiusIterations);
            jac.put("maxJTone", e.maxColumnSum);
        });
        s.report.put("jacobian", jac);
        return jac;
    }

    /** How fast the fixed point is reached: plain iteration against Anderson, and its picture. */
    private Map<String, Object> residuals(Subject s) {
        Map<String, Object> conv = new LinkedHashMap<>();
        Analysis.forEachBatch(s.images(Math.min(images, 4)), s.manager, 1, batch -> {
            Map<String, List<double[]>> bySolver = Analysis.residualCurves(s.net, s.manager,
                    batch.getData(), s.t, ANDERSON_WINDOW);
            conv.put("images", batch.getSize());
            conv.put("evaluations", s.t);
            conv.put("andersonWindow", ANDERSON_WINDOW);
            conv.put("naive", bySolver.get("naive"));
            conv.put("anderson", bySolver.get("anderson"));
            try {
                Charts.residuals(bySolver.get("naive"), bySolver.get("anderson"), s.n,
                        "Fixed-point residual, " + s.name, s.dir.resolve(RESIDUALS));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        s.report.put("residuals", conv);
        return conv;
    }

    private static String label(Loaded l) {
        return l.config.methodLabel() + " N=" + l.config.steps + " ("
                + l.checkpoint.dir.getFileName() + ")";
    }

    private static double at(List<?> curves, int evaluation) {
        if (curves == null || curves.isEmpty()) {
            return Double.NaN;
        }
        double[] first = (double[]) curves.get(0);
        return first.length >= evaluation ? first[evaluation - 1] : Double.NaN;
    }
}
