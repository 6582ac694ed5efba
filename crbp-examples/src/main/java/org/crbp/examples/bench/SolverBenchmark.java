/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.bench;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.crbp.core.GradientMethod;
import org.crbp.core.GradientMethods;
import org.crbp.core.LipschitzPenalty;
import org.crbp.core.Rbp;
import org.crbp.core.RecurrentNet;
import org.crbp.core.StepResult;
import org.crbp.core.TanhCell;
import org.crbp.core.bench.ProcessMemory;
import org.crbp.core.check.GradientCheck;
import org.crbp.core.solver.AdjointSolver;
import org.crbp.core.solver.FixedPointResult;
import org.crbp.core.solver.FixedPointSolver;
import org.crbp.core.solver.NeumannSeries;
import org.crbp.examples.pathfinder.PathfinderGenerator;
import org.crbp.examples.pathfinder.PathfinderPreset;
import org.crbp.examples.pathfinder.PathfinderSample;
import org.crbp.models.FocalLoss;
import org.crbp.models.GaborInputLayer;
import org.crbp.models.SegmentationReadout;
import org.crbp.models.PathfinderModels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The solvers side by side in one run, on the hGRU Pathfinder model and one batch of generated
 * images:
 *
 * <ol>
 *   <li><b>Forward</b>: function evaluations and seconds to reach relative residuals 1e-2, 1e-3
 *       and 1e-4, plain iteration against Anderson (m = 5), from {@code h = 0}.
 *   <li><b>Adjoint</b>: seconds per C-RBP training iteration (forward and backward, no optimizer
 *       step) with the reference's Neumann series (15 terms) and with every other adjoint
 *       solver, each with its relative gradient error against an exact solve (Anderson on the
 *       adjoint to 1e-10) at the same fixed point, so that rows of equal accuracy can be
 *       compared.
 * </ol>
 *
 * <p>Usage: {@code SolverBenchmark [--size 64] [--channels 25] [--kernel 7] [--steps 20]
 * [--batch 8] [--repeats 3] [--max-evaluations 200] [--preset pf-mini-14] [--checkpoint DIR]
 * [--float64] [--sections forward,adjoint,iteration] [--quick] [--exact-steps 301]
 * [--exact-products 300] [--horizontal-scale S] [--cell hgru|tanh] [--weight-scale 0.9]
 * [--lambda 0.9] [--penalty-weight 10] [--penalty-probe ones|residual]
 * [--penalty-reduction mean|image]}. The penalty options set the Lipschitz penalty of every C-RBP
 * row (default: the reference's, column sums at lambda 0.9, weight 10, mean); a model trained with
 * the residual probe is measured with {@code --penalty-probe residual --lambda 0.7
 * --penalty-reduction image}, the penalty it was trained under. {@code
 * --cell tanh} replaces the hGRU by a convolutional tanh cell whose contraction factor is about
 * {@code --weight-scale}, a control where the implicit gradient exists. {@code --horizontal-scale} multiplies the
 * hGRU's horizontal kernels by S (a contractive control). {@code --quick} keeps the main rows of the iteration table (for paper
 * size). With {@code --checkpoint} the model's parameters are loaded from a DJL model
 * folder (a crbp checkpoint folder); otherwise they are the model's initial values (seed 1). The
 * tables are Markdown, printed to standard output.
 */
public final class SolverBenchmark {

    private SolverBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args the options above
     * @throws IOException if the checkpoint cannot be read
     * @throws ai.djl.MalformedModelException if the checkpoint is not a model of this shape
     */
    public static void main(String[] args) throws IOException, ai.djl.MalformedModelException {
        Map<String, String> options = parse(args);
        int channels = Integer.parseInt(options.getOrDefault("channels", "25"));
        int kernel = Integer.parseInt(options.getOrDefault("kernel", "7"));
        int steps = Integer.parseInt(options.getOrDefault("steps", "20"));
        int batch = Integer.parseInt(options.getOrDefault("batch", "8"));
        int repeats = Integer.parseInt(options.getOrDefault("repeats", "3"));
        int maxEvaluations = Integer.parseInt(options.getOrDefault("max-evaluations", "200"));
        String presetName = options.getOrDefault("preset", "pf-mini-14");
        boolean float64 = options.containsKey("float64");
        PathfinderPreset preset = PathfinderPreset.byName(presetName);
        int height = preset.config().getOutputHeight();
        int width = preset.config().getOutputWidth();
        if (options.containsKey("size") && Integer.parseInt(options.get("size")) != height) {
            throw new IllegalArgumentException("--size " + options.get("size") + " does not match"
                    + " the preset " + presetName + " (" + height + "x" + width + ")");
        }

        Engine.getInstance().setRandomSeed(1);
        // --cell tanh: a convolutional tanh cell whose contraction is set by --weight-scale, a
        // control where the implicit gradient exists and the accuracies can be compared
        boolean tanh = "tanh".equals(options.getOrDefault("cell", "hgru"));
        RecurrentNet net = tanh
                ? RecurrentNet.builder().setEncoder(new GaborInputLayer(channels))
                        .setCell(TanhCell.builder().setChannels(channels).optKernel(kernel)
                                .optWeightScale(Float.parseFloat(
                                        options.getOrDefault("weight-scale", "0.9")))
                                .build())
                        .setReadout(new SegmentationReadout(channels, PathfinderModels.CLASSES))
                        .optSteps(steps).build()
                : PathfinderModels.hgru(kernel, channels, steps);
        try (Model model = Model.newInstance("solver-benchmark")) {
            model.setBlock(net);
            NDManager manager = model.getNDManager();
            DataType type = float64 ? DataType.FLOAT64 : DataType.FLOAT32;
            Shape inputShape = new Shape(batch, 1, height, width);
            net.initialize(manager, type, inputShape);
            if (options.containsKey("checkpoint")) {
                Path folder = Paths.get(options.get("checkpoint"));
                model.load(folder, prefix(folder));
                model.setDataType(type);
                // loaded arrays replace the initialised ones without a gradient; the methods
                // below differentiate with respect to them
                for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : net.getParameters()) {
                    if (p.getValue().requiresGradient()) {
                        p.getValue().getArray().setRequiresGradient(true);
                    }
                }
            }
            if (options.containsKey("horizontal-scale")) {
                // a contractive control: the same model with weaker horizontal connections, where
                // the implicit gradient exists as the limit of the Neumann series
                double scale = Double.parseDouble(options.get("horizontal-scale"));
                int scaled = 0;
                for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : net.getParameters()) {
                    if (p.getKey().endsWith("w_gate_inh") || p.getKey().endsWith("w_gate_exc")) {
                        NDArray horizontal = p.getValue().getArray();
                        try (NDArray smaller = horizontal.mul(scale)) {
                            horizontal.set(smaller.toByteBuffer());
                        }
                        scaled++;
                    }
                }
                if (scaled != 2) {
                    throw new IllegalStateException("expected the two horizontal kernels, scaled "
                            + scaled + " of " + net.getParameters().keys());
                }
            }
            ParameterStore ps = new ParameterStore(manager, false);
            NDList data = new NDList(images(manager, preset, batch, height, width, type));
            NDList labels = new NDList(masks(manager, preset, batch, height, width));
            System.out.printf(Locale.ROOT, (tanh ? "tanh cell (weight scale "
                    + options.getOrDefault("weight-scale", "0.9") + ")" : "hGRU")
                    + " %d channels, kernel %d, %dx%d, batch %d, %s,"
                    + " %s weights%s, %d repeats (median)%n%n", channels, kernel, height, width,
                    batch, type, options.containsKey("checkpoint") ? "checkpointed" : "initial",
                    options.containsKey("horizontal-scale") ? ", horizontal kernels x "
                            + options.get("horizontal-scale") : "", repeats);
            LipschitzPenalty penalty = penalty(options);
            String sections = options.getOrDefault("sections", "forward,adjoint,iteration");
            if (sections.contains("forward")) {
                forward(net, ps, data, repeats, maxEvaluations);
            }
            if (sections.contains("adjoint")) {
                adjoint(net, ps, data, labels, steps, repeats, penalty);
            }
            if (sections.contains("iteration")) {
                iteration(net, ps, data, labels, steps, repeats, penalty,
                        options.containsKey("quick"),
                        Integer.parseInt(options.getOrDefault("exact-steps", "301")),
                        Integer.parseInt(options.getOrDefault("exact-products", "300")));
            }
        }
    }

    private static void forward(RecurrentNet net, ParameterStore ps, NDList data, int repeats,
            int maxEvaluations) {
        double[] tolerances = {1e-2, 1e-3, 1e-4};
        Map<String, FixedPointSolver[]> solvers = new LinkedHashMap<>();
        solvers.put("naive", Arrays.stream(tolerances).mapToObj(GradientMethods::naive)
                .toArray(FixedPointSolver[]::new));
        solvers.put("anderson m=5", Arrays.stream(tolerances)
                .mapToObj(t -> GradientMethods.anderson(t, 5)).toArray(FixedPointSolver[]::new));
        System.out.println("Forward: evaluations and seconds to a relative residual (median of "
                + repeats + ")");
        System.out.println();
        System.out.println("| solver | tol 1e-2: evals | s | tol 1e-3: evals | s | tol 1e-4: evals"
                + " | s |");
        System.out.println("|---|---|---|---|---|---|---|");
        NDManager outer = data.head().getManager();
        for (Map.Entry<String, FixedPointSolver[]> entry : solvers.entrySet()) {
            StringBuilder row = new StringBuilder("| " + entry.getKey() + " |");
            for (FixedPointSolver solver : entry.getValue()) {
                double[] seconds = new double[repeats];
                int evaluations = 0;
                boolean converged = true;
                for (int r = 0; r < repeats; r++) {
                    try (NDManager scope = outer.newSubManager()) {
                        data.tempAttach(scope);
                        NDArray drive = net.drive(ps, data, false).stopGradient();
                        drive.attach(scope);
                        long begin = System.nanoTime();
                        FixedPointResult result = solver.solve(net.stepMap(ps, drive, false),
                                net.getCell().initialState(drive), maxEvaluations);
                        seconds[r] = (System.nanoTime() - begin) / 1e9;
                        evaluations = result.evaluations();
                        converged &= result.converged();
                    }
                }
                row.append(String.format(Locale.ROOT, " %d%s | %.3f |", evaluations,
                        converged ? "" : " (not reached)", median(seconds)));
            }
            System.out.println(row);
        }
        System.out.println();
    }

    /** The Lipschitz penalty of every C-RBP row, from the penalty options. */
    private static LipschitzPenalty penalty(Map<String, String> options) {
        String probe = options.getOrDefault("penalty-probe", "ones");
        String reduction = options.getOrDefault("penalty-reduction", "mean");
        if (!probe.equals("ones") && !probe.equals("residual")) {
            throw new IllegalArgumentException("--penalty-probe must be ones or residual, got '"
                    + probe + "'");
        }
        if (!reduction.equals("mean") && !reduction.equals("image")) {
            throw new IllegalArgumentException("--penalty-reduction must be mean or image, got '"
                    + reduction + "'");
        }
        return LipschitzPenalty.builder()
                .optLambda(Double.parseDouble(options.getOrDefault("lambda", "0.9")))
                .optWeight(Float.parseFloat(options.getOrDefault("penalty-weight", "10")))
                .optProbe(probe.equals("ones") ? LipschitzPenalty.Probe.ONES
                        : LipschitzPenalty.Probe.RESIDUAL)
                .optReduction(reduction.equals("mean") ? LipschitzPenalty.Reduction.MEAN
                        : LipschitzPenalty.Reduction.PER_IMAGE)
                .build();
    }

    private static void adjoint(RecurrentNet net, ParameterStore ps, NDList data, NDList labels,
            int steps, int repeats, LipschitzPenalty penalty) {
        Map<String, AdjointSolver> solvers = new LinkedHashMap<>();
        solvers.put("neumann 15 (reference rules)", GradientMethods.neumann(15));
        solvers.put("neumann 15, every term", NeumannSeries.builder().optMaxTerms(15)
                .optGrowthGuard(false).optNormCap(0).optAbsoluteTolerance(0).build());
        for (double tol : new double[] {1e-2, 1e-3, 1e-4}) {
            solvers.put(String.format(Locale.ROOT, "fixed-point tol %.0e", tol),
                    GradientMethods.fixedPointAdjoint(50, tol));
            solvers.put(String.format(Locale.ROOT, "anderson m=5 tol %.0e", tol),
                    GradientMethods.andersonAdjoint(50, tol, 5));
        }
        solvers.put("jacobian-free", GradientMethods.jacobianFree());
        solvers.put("phantom k=5 l=0.5", GradientMethods.phantomGradient(5, 0.5));
        FocalLoss loss = new FocalLoss();
        FixedPointSolver forward = GradientMethods.naive(0);
        Map<String, double[]> exact = GradientCheck.gradients(net, crbp(steps, penalty, forward,
                GradientMethods.andersonAdjoint(200, 1e-10, 5), Rbp.PenaltyDifference.ONE_SIDED),
                ps, data, labels, loss);
        System.out.println("C-RBP iteration (T=" + steps + ", " + penalty + ", plain"
                + " forward): seconds, adjoint products and gradient error against an exact"
                + " adjoint solve");
        System.out.println();
        System.out.println("| adjoint solver | s / iteration | products | gradient error (all"
                + " parameters, relative) | ratio to neumann 15 |");
        System.out.println("|---|---|---|---|---|");
        double neumannSeconds = 0;
        for (Map.Entry<String, AdjointSolver> entry : solvers.entrySet()) {
            GradientMethod method = crbp(steps, penalty, forward, entry.getValue(),
                    Rbp.PenaltyDifference.ONE_SIDED);
            double[] seconds = new double[repeats];
            int products = 0;
            Map<String, double[]> gradient = null;
            for (int r = 0; r <= repeats; r++) {
                GradientCheck.zeroGradients(net);
                long begin = System.nanoTime();
                StepResult result = method.forwardBackward(net, ps, data, labels, loss);
                double elapsed = (System.nanoTime() - begin) / 1e9;
                result.predictions().close();
                products = result.adjointIterations();
                if (r == 0) {
                    gradient = GradientCheck.readGradients(net); // the first run warms up
                } else {
                    seconds[r - 1] = elapsed;
                }
            }
            double s = median(seconds);
            neumannSeconds = neumannSeconds == 0 ? s : neumannSeconds;
            System.out.printf(Locale.ROOT, "| %s | %.3f | %d | %.2e | %.2f |%n", entry.getKey(),
                    s, products, globalError(gradient, exact),
                    s / neumannSeconds);
        }
        System.out.println();
    }

    /**
     * Whole C-RBP iterations: the reference's algorithm (plain iteration for T - 1 steps, all 15
     * Neumann terms, the penalty by central differences: the configuration measured at 1.05x the
     * published code's seconds in a side-by-side measurement) against crbp's solvers, each at the fixed-point residual
     * the reference's T - 1 steps reach, with its gradient error against a converged solve.
     */
    private static void iteration(RecurrentNet net, ParameterStore ps, NDList data,
            NDList labels, int steps, int repeats, LipschitzPenalty penalty, boolean quick,
            int deepSteps, int exactProducts) {
        FocalLoss loss = new FocalLoss();
        // the residual the reference's T - 1 plain steps reach on this batch
        double reached;
        NDManager outer = data.head().getManager();
        try (NDManager scope = outer.newSubManager()) {
            data.tempAttach(scope);
            NDArray drive = net.drive(ps, data, false).stopGradient();
            drive.attach(scope);
            reached = GradientMethods.naive(0).solve(net.stepMap(ps, drive, false),
                    net.getCell().initialState(drive), steps - 1).residual();
        }
        // a converged solve of the same model, for the gradient error of every row
        RecurrentNet deep = RecurrentNet.builder().setEncoder(net.getEncoder())
                .setCell(net.getCell()).setReadout(net.getReadout()).optSteps(deepSteps).build();
        GradientMethod converged = Rbp.builder().setSteps(deepSteps)
                .optPenalty(penalty)
                .optPenaltyDifference(Rbp.PenaltyDifference.CENTRAL)
                .optForwardSolver(GradientMethods.anderson(1e-6, 5))
                .optAdjointSolver(GradientMethods.andersonAdjoint(exactProducts, 1e-10, 5)).build();
        GradientCheck.zeroGradients(deep);
        StepResult exactResult = converged.forwardBackward(deep, ps, data, labels, loss);
        exactResult.predictions().close();
        Map<String, double[]> exact = GradientCheck.readGradients(deep);

        Map<String, GradientMethod> methods = new LinkedHashMap<>();
        methods.put("reference algorithm: plain T-1, Neumann 15 (every term), central",
                crbp(steps, penalty, GradientMethods.naive(0),
                        GradientMethods.neumannUncapped(15), Rbp.PenaltyDifference.CENTRAL));
        methods.put("crbp default: plain T-1, Neumann 15 (reference rules), one-sided",
                crbp(steps, penalty, GradientMethods.naive(0),
                        GradientMethods.neumann(15), Rbp.PenaltyDifference.ONE_SIDED));
        FixedPointSolver anderson = GradientMethods.anderson(reached, 5);
        methods.put("Anderson to the same residual, Neumann 15 (reference rules), one-sided",
                crbp(steps, penalty, anderson, GradientMethods.neumann(15),
                        Rbp.PenaltyDifference.ONE_SIDED));
        for (double tol : quick ? new double[] {1e-2} : new double[] {1e-1, 3e-2, 1e-2}) {
            methods.put(String.format(Locale.ROOT,
                    "Anderson to the same residual, Anderson adjoint tol %.0e, one-sided", tol),
                    crbp(steps, penalty, anderson, GradientMethods.andersonAdjoint(50, tol,
                            5), Rbp.PenaltyDifference.ONE_SIDED));
            methods.put(String.format(Locale.ROOT,
                    "Anderson to the same residual, fixed-point adjoint tol %.0e, one-sided", tol),
                    crbp(steps, penalty, anderson, GradientMethods.fixedPointAdjoint(50,
                            tol), Rbp.PenaltyDifference.ONE_SIDED));
        }
        // the cpu recipe's backward: Anderson on the adjoint to 1e-2 within 20 products
        methods.put("cpu recipe: plain T-1, Anderson adjoint tol 1e-2 (at most 20), one-sided",
                crbp(steps, penalty, GradientMethods.naive(0),
                        GradientMethods.andersonAdjoint(20, 1e-2, 5),
                        Rbp.PenaltyDifference.ONE_SIDED));
        methods.put("Anderson to the same residual, Jacobian-free, one-sided",
                crbp(steps, penalty, anderson, GradientMethods.jacobianFree(),
                        Rbp.PenaltyDifference.ONE_SIDED));
        // the first row again: how much the machine drifted during the table
        methods.put("reference algorithm again (drift check)",
                crbp(steps, penalty, GradientMethods.naive(0),
                        GradientMethods.neumannUncapped(15), Rbp.PenaltyDifference.CENTRAL));

        System.out.printf(Locale.ROOT, "C-RBP training iteration (T=%d, %s):"
                + " seconds (median of %d), forward evaluations, adjoint products, and the"
                + " relative gradient error against a converged solve (Anderson to 1e-6, adjoint"
                + " to 1e-10, central differences). Residual after the reference's %d plain"
                + " steps: %.3e.%n%n", steps, penalty, repeats, steps - 1, reached);
        System.out.printf(Locale.ROOT, "Converged solve: %d forward evaluations (residual %.2e),"
                + " %d adjoint products (adjoint residual %.2e, converged %s).%n%n",
                exactResult.steps(), exactResult.residual(), exactResult.adjointIterations(),
                exactResult.adjointResidual(), exactResult.adjointConverged());
        System.out.println("| configuration | s / iteration | cpu s | forward evals | adjoint"
                + " products | residual | gradient error vs converged | distance to the reference"
                + " algorithm's gradient | ratio to the reference algorithm |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        double baseline = 0;
        Map<String, double[]> referenceGradient = null;
        for (Map.Entry<String, GradientMethod> entry : methods.entrySet()) {
            GradientMethod method = entry.getValue();
            double[] seconds = new double[repeats];
            double[] cpu = new double[repeats];
            StepResult last = null;
            Map<String, double[]> gradient = null;
            for (int r = 0; r <= repeats; r++) {
                GradientCheck.zeroGradients(net);
                long begin = System.nanoTime();
                long cpuBegin = ProcessMemory.processCpuNanos();
                StepResult result = method.forwardBackward(net, ps, data, labels, loss);
                double elapsed = (System.nanoTime() - begin) / 1e9;
                double cpuElapsed = (ProcessMemory.processCpuNanos() - cpuBegin) / 1e9;
                result.predictions().close();
                last = result;
                if (r == 0) {
                    gradient = GradientCheck.readGradients(net); // the first run warms up
                } else {
                    seconds[r - 1] = elapsed;
                    cpu[r - 1] = cpuElapsed;
                }
            }
            double s = median(seconds);
            baseline = baseline == 0 ? s : baseline;
            referenceGradient = referenceGradient == null ? gradient : referenceGradient;
            System.out.printf(Locale.ROOT,
                    "| %s | %.3f | %.3f | %d | %d | %.2e | %.2e | %.2e | %.2f |%n",
                    entry.getKey(), s, median(cpu), last.steps(),
                    last.adjointIterations(), last.residual(), globalError(gradient, exact),
                    globalError(gradient, referenceGradient), s / baseline);
        }
        System.out.println();
    }

    /** {@code ||a - b|| / ||b||} over all parameters together. */
    static double globalError(Map<String, double[]> a, Map<String, double[]> b) {
        double difference = 0;
        double reference = 0;
        for (Map.Entry<String, double[]> e : b.entrySet()) {
            double[] x = a.get(e.getKey());
            double[] y = e.getValue();
            for (int i = 0; i < y.length; i++) {
                difference += (x[i] - y[i]) * (x[i] - y[i]);
                reference += y[i] * y[i];
            }
        }
        return reference == 0 ? 0 : Math.sqrt(difference / reference);
    }

    private static GradientMethod crbp(int steps, LipschitzPenalty penalty,
            FixedPointSolver forward, AdjointSolver adjoint, Rbp.PenaltyDifference difference) {
        return Rbp.builder().setSteps(steps)
                .optPenalty(penalty)
                .optForwardSolver(forward).optAdjointSolver(adjoint)
                .optPenaltyDifference(difference).build();
    }

    private static NDArray images(NDManager manager, PathfinderPreset preset, int batch,
            int height, int width, DataType type) {
        PathfinderGenerator generator = new PathfinderGenerator(preset);
        float[] values = new float[batch * height * width];
        for (int b = 0; b < batch; b++) {
            PathfinderSample sample = generator.generate(1, b);
            System.arraycopy(sample.getImage(), 0, values, b * height * width, height * width);
        }
        return manager.create(values, new Shape(batch, 1, height, width)).toType(type, false);
    }

    private static NDArray masks(NDManager manager, PathfinderPreset preset, int batch,
            int height, int width) {
        PathfinderGenerator generator = new PathfinderGenerator(preset);
        int[] values = new int[batch * height * width];
        for (int b = 0; b < batch; b++) {
            byte[] mask = generator.generate(1, b).getMask();
            for (int i = 0; i < height * width; i++) {
                values[b * height * width + i] = mask[i];
            }
        }
        return manager.create(values, new Shape(batch, height, width));
    }

    private static String prefix(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            List<String> names = new ArrayList<>();
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".params"))
                    .forEach(names::add);
            if (names.size() != 1) {
                throw new IOException("Expected one .params file in " + folder + ", found "
                        + names);
            }
            String name = names.get(0);
            return name.replaceAll("-\\d+\\.params$", "").replaceAll("\\.params$", "");
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument '" + args[i] + "'");
            }
            String key = args[i].substring(2);
            if (key.equals("float64") || key.equals("quick")) {
                options.put(key, "true");
            } else if (i + 1 < args.length) {
                options.put(key, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + key + " needs a value");
            }
        }
        return options;
    }
}
