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

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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

    @Option(names = "--checkpoint", required = true, paramLabel = "<path>",
            description = "A run folder (its last checkpoint) or one checkpoint folder.")
    Path checkpoint;

    @Option(names = "--compare", paramLabel = "<path>",
            description = "Second checkpoint for the KS test (for example a BPTT run)."
                    + " Default: the first epoch's checkpoint of the same run.")
    Path compare;

    @Option(names = "--preset", paramLabel = "<name>",
            description = "Preset of the test images. Default: the one the run trained on.")
    String preset;

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

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "<name>",
            description = "Device to run on: cpu, gpu or auto. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--out", paramLabel = "<dir>", description = "Output folder. Default:"
            + " the run folder's analysis/.")
    Path out;

    /** {@inheritDoc} */
    @Override
    public Integer call() throws Exception {
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
        if (!device.matches("cpu|gpu|auto")) {
            throw new CliException("--device must be cpu, gpu or auto, got '" + device + "'");
        }
        if (out != null) {
            Main.writableFolder(out, "--out");
        }
        PrintWriter console = spec.commandLine().getOut();
        Device dev = Setup.device(device);
        PathfinderPreset testPreset = preset == null ? null : RunConfig.preset(preset);
        try (Loaded a = Loaded.open(checkpoint, dev)) {
            if (!(a.block instanceof RecurrentNet)) {
                throw new CliException("analyze needs a recurrent model (hgru or convlstm); "
                        + a.checkpoint.dir + " holds the feedforward control");
            }
            RecurrentNet net = (RecurrentNet) a.block;
            if (compare != null) {
                // the second checkpoint is used after minutes of work: a missing, corrupt or
                // feedforward one is told first
                try (Loaded b = Loaded.open(compare, dev)) {
                    if (!(b.block instanceof RecurrentNet)) {
                        throw new CliException("--compare needs a recurrent model; "
                                + b.checkpoint.dir + " holds the feedforward control");
                    }
                }
            }
            RunConfig c = a.config.copy();
            PathfinderPreset p = testPreset != null ? testPreset : c.presetValue();
            int n = c.steps;
            int t = steps != null ? steps : Pictures.defaultAnalysisSteps(n);
            if (t <= n) {
                throw new CliException("--steps (" + t + ") must exceed the trained steps N = "
                        + n + " for the distance ||h_T - h_N||");
            }
            Path dir = Main.writableFolder(out != null ? out
                    : EvaluateCommand.runDir(a).resolve("analysis"), out != null ? "--out" : null);
            PathfinderDataset set = Setup.evalSet(c, p, PathfinderDataset.Split.TEST, images);
            NDManager manager = a.model.getNDManager();
            String name = p + ", " + c.model + " " + c.methodLabel() + " N=" + n;
            console.printf(Locale.ROOT, "Analysing %s on %d %s images, steps 1..%d%n",
                    a.checkpoint.dir, images, p, t);
            console.flush();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("checkpoint", a.checkpoint.dir.toString());
            r.put("preset", c.preset);
            r.put("testPreset", p.presetName());
            r.put("model", c.model);
            r.put("method", c.method);
            r.put("trainedSteps", n);
            r.put("lastStep", t);
            r.put("images", images);

            Map<String, double[]> curves = new LinkedHashMap<>();
            Map<String, Object> ex = Pictures.extrapolation(net, manager, set, t);
            r.put("extrapolation", ex);
            curves.put(label(a), (double[]) ex.get("f1"));
            console.printf(Locale.ROOT, "Extrapolation: F1 %.4f at N=%d, best %.4f at t=%d,"
                            + " %.4f at t=%d%n", ((double[]) ex.get("f1"))[n - 1], n,
                    ex.get("bestF1"), ex.get("bestStep"), ((double[]) ex.get("f1"))[t - 1], t);

            double[] da = Analysis.stateDistances(net, manager, set, n, t);
            Map<String, Object> dist = new LinkedHashMap<>();
            dist.put("definition", "||h_T - h_N|| / ||h_N|| per image");
            dist.put("median", Stats.median(da));
            Path other = compare;
            if (other == null) {
                Path first = a.checkpoint.dir.resolveSibling(Checkpoints.name(1));
                if (!first.equals(a.checkpoint.dir) && Files.isDirectory(first)) {
                    other = first;
                }
            }
            double[] db = null;
            String otherLabel = null;
            if (other != null) {
                try (Loaded b = Loaded.open(other, dev)) {
                    if (!(b.block instanceof RecurrentNet)) {
                        throw new CliException("--compare needs a recurrent model; " + other
                                + " holds the feedforward control");
                    }
                    RecurrentNet nb = (RecurrentNet) b.block;
                    int nbSteps = b.config.steps;
                    int tb = Math.max(t, nbSteps + 1);
                    db = Analysis.stateDistances(nb, b.model.getNDManager(),
                            Setup.evalSet(c, p, PathfinderDataset.Split.TEST, images), nbSteps,
                            tb);
                    otherLabel = label(b);
                    if (otherLabel.equals(label(a))) {
                        otherLabel = otherLabel + ", compared";
                    }
                    Map<String, Object> exb = Pictures.extrapolation(nb, b.model.getNDManager(),
                            Setup.evalSet(c, p, PathfinderDataset.Split.TEST, images), t);
                    curves.put(otherLabel, (double[]) exb.get("f1"));
                    r.put("compareExtrapolation", exb);
                    Stats.KsResult ks = Stats.kolmogorovSmirnov(da, db);
                    dist.put("compareCheckpoint", b.checkpoint.dir.toString());
                    dist.put("compareMedian", Stats.median(db));
                    dist.put("ksStatistic", ks.statistic);
                    dist.put("ksPValue", ks.pValue);
                    console.printf(Locale.ROOT, "||h_T - h_N||/||h_N||: median %.4g (%s) vs %.4g"
                                    + " (%s); KS D = %.4f, p = %.3g%n", Stats.median(da),
                            label(a), Stats.median(db), otherLabel, ks.statistic, ks.pValue);
                }
            } else {
                console.printf(Locale.ROOT, "||h_T - h_N||/||h_N||: median %.4g (no second"
                        + " checkpoint for the KS test)%n", Stats.median(da));
            }
            dist.put("values", da);
            r.put("distances", dist);
            Charts.extrapolation((double[]) ex.get("steps"), curves, n,
                    "Readout at every step, " + p, dir.resolve(Pictures.EXTRAPOLATION));
            Charts.distances(da, label(a), db, otherLabel, n, t,
                    dir.resolve("distances.png"));

            Pictures.timeCourseAndStateSpace(net, manager, c.steps, set, t, name, dir, r);

            Map<String, Object> jac = new LinkedHashMap<>();
            int[] found = new int[1];
            Analysis.forEachBatch(Setup.evalSet(c, p, PathfinderDataset.Split.TEST,
                    Math.min(images, 8)), manager, 1, batch -> {
                        Analysis.JacobianEstimate e = Analysis.jacobian(net, manager, batch.getData(), n,
                                powerIterations);
                        jac.put("atStep", n);
                        jac.put("images", batch.getSize());
                        jac.put("sigmaMax", e.sigmaMax);
                        jac.put("sigmaIterations", e.sigmaIterations);
                        jac.put("spectralRadius", e.spectralRadius);
                        jac.put("radiusIterations", e.radiusIterations);
                        jac.put("maxJTone", e.maxColumnSum);
                        found[0]++;
                    });
            r.put("jacobian", jac);

            // per image: convergence to 1e-3 within 4N steps, spectral radius at the end state
            ContractionAnalysis.Summary contraction = Evaluation.contraction(net, manager,
                    Setup.evalSet(c, p, PathfinderDataset.Split.TEST, images),
                    Setup.contractionAnalysis(), 0, null);
            r.put("contraction", contraction.toMap(n));

            // how fast the fixed point is reached: plain iteration against Anderson
            int curveImages = Math.min(images, 4);
            Map<String, Object> conv = new LinkedHashMap<>();
            Analysis.forEachBatch(Setup.evalSet(c, p, PathfinderDataset.Split.TEST, curveImages),
                    manager, 1, batch -> {
                        Map<String, java.util.List<double[]>> curvesBysolver =
                                Analysis.residualCurves(net, manager, batch.getData(), t,
                                        ANDERSON_WINDOW);
                        conv.put("images", batch.getSize());
                        conv.put("evaluations", t);
                        conv.put("andersonWindow", ANDERSON_WINDOW);
                        conv.put("naive", curvesBysolver.get("naive"));
                        conv.put("anderson", curvesBysolver.get("anderson"));
                        try {
                            Charts.residuals(curvesBysolver.get("naive"),
                                    curvesBysolver.get("anderson"), n,
                                    "Fixed-point residual, " + name, dir.resolve(RESIDUALS));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            r.put("residuals", conv);
            console.printf(Locale.ROOT, "Residual after N=%d evaluations (image 1): naive %.2e,"
                            + " Anderson %.2e%n", n,
                    at((java.util.List<?>) conv.get("naive"), n),
                    at((java.util.List<?>) conv.get("anderson"), n));
            console.printf(Locale.ROOT, "Jacobian at h_N: sigma_max %.4f (%d iterations),"
                            + " spectral radius %.4f, max J^T 1 %.4f%n", jac.get("sigmaMax"),
                    jac.get("sigmaIterations"), jac.get("spectralRadius"), jac.get("maxJTone"));
            console.println(contraction);
            r.put("pictures", new String[] {Pictures.EXTRAPOLATION, "distances.png",
                Pictures.TIME_COURSE, Pictures.STATE_SPACE, RESIDUALS});
            r.put("provenance", Provenance.collect(c.seed, dev));
            Json.write(dir.resolve("analysis.json"), r);
            console.println("Analysis: " + dir.resolve("analysis.json"));
        }
        return 0;
    }

    private static String label(Loaded l) {
        return l.config.methodLabel() + " N=" + l.config.steps + " ("
                + l.checkpoint.dir.getFileName() + ")";
    }

    private static double at(java.util.List<?> curves, int evaluation) {
        if (curves == null || curves.isEmpty()) {
            return Double.NaN;
        }
        double[] first = (double[]) curves.get(0);
        return first.length >= evaluation ? first[evaluation - 1] : Double.NaN;
    }
}
