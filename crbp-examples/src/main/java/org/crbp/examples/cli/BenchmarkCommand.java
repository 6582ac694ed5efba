/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;

import org.crbp.core.Convolutions;
import org.crbp.core.GradientMethod;
import org.crbp.core.RecurrentNet;
import org.crbp.core.StepListener;
import org.crbp.core.bench.ProcessMemory;
import org.crbp.examples.CliException;
import org.crbp.examples.ExitCode;
import org.crbp.examples.analysis.Charts;
import org.crbp.examples.analysis.Stats;
import org.crbp.examples.pathfinder.PathfinderGenerator;
import org.crbp.examples.pathfinder.PathfinderPreset;
import org.crbp.examples.pathfinder.PathfinderSample;
import org.crbp.examples.run.CheckpointAdam;
import org.crbp.examples.config.Json;
import org.crbp.examples.config.MethodKind;
import org.crbp.examples.run.Provenance;
import org.crbp.examples.config.RunConfig;
import org.crbp.examples.instances.InstancesTask;
import org.crbp.examples.instances.SceneConfig;
import org.crbp.examples.run.Setup;
import org.crbp.examples.task.Tasks;
import org.crbp.models.FocalLoss;
import org.crbp.models.instances.RecurrentMaskHead;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code crbp benchmark}: peak resident memory and seconds per training iteration against the
 * number of steps, for BPTT and C-RBP (or any methods), each configuration in a fresh JVM.
 */
@Command(
        usageHelpWidth = 100,
        name = "benchmark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Memory and time of a training iteration against steps, BPTT against C-RBP.",
            "Peak resident memory (VmHWM of a fresh JVM per configuration) and seconds per",
            "training iteration of the hGRU against the number of steps.",
            "With --task instances: the instances task's model (backbone, semantic head, mask",
            "head per ROI) on generated scenes; --methods may hold ff, the feedforward head.",
            "Prints a table and writes OUT/benchmark.json and OUT/benchmark.png."
        })
final class BenchmarkCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--task", defaultValue = Tasks.DEFAULT, paramLabel = "<name>",
            description = "What to train: pathfinder (the hGRU on --preset images) or instances"
                    + " (the panoptic model on generated scenes of --size pixels, "
                    + InstancesProbe.MIN_INSTANCES + " to " + InstancesProbe.MAX_INSTANCES
                    + " instances each; by default " + InstancesProbe.DEFAULT_CHANNELS
                    + " channels, batch " + InstancesProbe.DEFAULT_BATCH + ", kernel 3 and the"
                    + " cpu recipe's adjoint budget). Default: ${DEFAULT-VALUE}.")
    String task;

    @Option(names = "--methods", defaultValue = "bptt,crbp", split = ",",
            paramLabel = "<methods>",
            description = "Gradient methods to measure, separated by commas (bptt, cbptt, rbp,"
                    + " crbp, tbptt; with --task instances also ff, the feedforward mask head,"
                    + " one row, but not tbptt). Default: ${DEFAULT-VALUE}.")
    List<String> methods;

    @Option(names = "--steps", defaultValue = "5,10,20,40", split = ",", paramLabel = "<t>",
            description = "Numbers of recurrent steps, separated by commas. Default:"
                    + " ${DEFAULT-VALUE}.")
    List<Integer> steps;

    @Mixin CommonOptions.Preset images = new CommonOptions.Preset();

    @Mixin ModelOptions size = new ModelOptions();

    /** The benchmark's own model size where the options are left out. */
    private int channels;
    private int kernel;
    private int batch;
    private int neumannTerms;

    @Option(names = "--size", paramLabel = "<px>",
            description = "The side of the generated scenes of --task instances, 64 to 128"
                    + " pixels, a multiple of 4. Default: " + InstancesProbe.DEFAULT_SIZE + ".")
    Integer sceneSize;

    @Option(names = "--iterations", defaultValue = "3", paramLabel = "<n>",
            description = "Timed iterations after one warm-up. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Mixin CommonOptions.Out output = new CommonOptions.Out();

    /** {@inheritDoc} */
    @Override
    public Integer call() throws Exception {
        if (InstancesTask.NAME.equals(Tasks.byName(task, OptionNames.OPTIONS).name())) {
            return instances();
        }
        if (given("--size")) {
            throw new CliException("--size is for --task instances (the scenes' side); the"
                    + " Pathfinder images' size comes from --preset");
        }
        checkOptions();
        // before the probes: their results would be lost to a bad --out
        Path out = output.writable();
        PrintWriter console = spec.commandLine().getOut();
        console.printf(Locale.ROOT, "hGRU %d channels, kernel %d, %s images, batch %d, %d Neumann"
                        + " terms; %d timed iterations; a fresh JVM per configuration%n",
                channels, kernel, images.preset, batch, neumannTerms, iterations);
        console.flush();
        List<Map<String, Object>> rows = new ArrayList<>();
        ai.djl.training.util.ProgressBar bar = new ai.djl.training.util.ProgressBar(
                "Benchmarking", (long) methods.size() * steps.size());
        int done = 0;
        for (int t : steps) {
            for (String m : methods) {
                rows.add(probe(m, t));
                bar.update(++done);
            }
        }
        bar.end();
        console.println("| method | T | peak RSS (MiB) | s/iteration | CPU s/iteration |");
        console.println("|---|---|---|---|---|");
        for (Map<String, Object> r : rows) {
            console.printf(Locale.ROOT, "| %s | %d | %.0f | %.3f | %.3f |%n", r.get("method"),
                    ((Number) r.get("steps")).intValue(),
                    ((Number) r.get("peakBytes")).doubleValue() / (1 << 20),
                    ((Number) r.get("secondsPerIteration")).doubleValue(),
                    ((Number) r.get("cpuSecondsPerIteration")).doubleValue());
        }
        console.println("Where the time goes (median seconds per phase; products: adjoint"
                + " vector-Jacobian products per iteration):");
        console.println("| method | T | forward solve | recorded step, loss, its backward |"
                + " adjoint products | backward to parameters | optimizer | products |");
        console.println("|---|---|---|---|---|---|---|---|");
        for (Map<String, Object> r : rows) {
            @SuppressWarnings("unchecked")
            Map<String, Object> ph = (Map<String, Object>) r.get("phaseSeconds");
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "| %s | %d |",
                    r.get("method"), ((Number) r.get("steps")).intValue()));
            for (String name : Probe.PhaseClock.NAMES) {
                line.append(String.format(Locale.ROOT, " %.3f |",
                        ((Number) ph.get(name)).doubleValue()));
            }
            line.append(String.format(Locale.ROOT, " %.0f |",
                    ((Number) r.get("adjointProducts")).doubleValue()));
            console.println(line);
        }
        Json.write(out.resolve("benchmark.json"), report(rows));
        Charts.benchmark(rows, methods, out.resolve("benchmark.png"));
        console.println("Wrote " + out.resolve("benchmark.json") + " and "
                + out.resolve("benchmark.png"));
        return 0;
    }

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /**
     * The instances task's benchmark: the ff row (where {@code --methods} holds ff), then every
     * (method, steps), each in a fresh JVM ({@link InstancesProbe}).
     */
    private int instances() throws IOException, InterruptedException {
        InstancesProbe.Config base = checkInstancesOptions();
        Path out = output.writable();
        PrintWriter console = spec.commandLine().getOut();
        List<InstancesProbe.Config> probes = new ArrayList<>();
        List<String> recurrent = new ArrayList<>();
        if (methods.contains("ff")) {
            probes.add(base.with(null, 0));
        }
        for (String m : methods) {
            if (!"ff".equals(m) && !recurrent.contains(m)) {
                recurrent.add(m);
                for (int t : steps) {
                    probes.add(base.with(MethodKind.byName(m), t));
                }
            }
        }
        console.printf(Locale.ROOT, "instances model, %s, hGRU kernel %d, %d adjoint terms,"
                        + " recipe %s; %d timed iterations; a fresh JVM per configuration%n",
                InstancesProbe.describe(base, -1), base.kernel, base.neumannTerms, base.recipe,
                iterations);
        console.flush();
        List<Map<String, Object>> rows = new ArrayList<>();
        ai.djl.training.util.ProgressBar bar = new ai.djl.training.util.ProgressBar(
                "Benchmarking", probes.size());
        for (InstancesProbe.Config p : probes) {
            rows.add(InstancesProbe.inFreshJvm(p));
            bar.update(rows.size());
        }
        bar.end();
        console.println("| method | T | ROIs | peak RSS (MiB) | above start (MiB) | s/iteration |"
                + " CPU s/iteration |");
        console.println("|---|---|---|---|---|---|---|");
        for (Map<String, Object> r : rows) {
            int t = ((Number) r.get("steps")).intValue();
            console.printf(Locale.ROOT, "| %s | %s | %d | %.0f | %.0f | %.3f | %.3f |%n",
                    r.get("method"), t == 0 ? "-" : Integer.toString(t),
                    ((Number) r.get("rois")).longValue(),
                    ((Number) r.get("peakBytes")).doubleValue() / (1 << 20),
                    ((Number) r.get("aboveStartBytes")).doubleValue() / (1 << 20),
                    ((Number) r.get("secondsPerIteration")).doubleValue(),
                    ((Number) r.get("cpuSecondsPerIteration")).doubleValue());
        }
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Object> setup = base.settings();
        for (String perRow : new String[] {"head", "method", "steps", "neumannTerms"}) {
            setup.remove(perRow);
        }
        setup.put("task", InstancesTask.NAME);
        setup.put("neumannTerms", base.neumannTerms);
        report.put("setup", setup);
        report.put("results", rows);
        report.put("provenance", Provenance.collect(base.seed, ai.djl.Device.cpu()));
        Json.write(out.resolve("benchmark.json"), report);
        if (recurrent.isEmpty()) {
            console.println("Wrote " + out.resolve("benchmark.json"));
        } else {
            // the chart's lines are the methods against steps: the ff row is in the table
            Charts.benchmark(rows, recurrent, out.resolve("benchmark.png"));
            console.println("Wrote " + out.resolve("benchmark.json") + " and "
                    + out.resolve("benchmark.png"));
        }
        return 0;
    }

    /**
     * Checks the instances benchmark's options, each under its own name, before any probe.
     *
     * @return the probes' shared configuration
     */
    private InstancesProbe.Config checkInstancesOptions() {
        if (given("--preset")) {
            throw new CliException("--preset is for --task pathfinder; --task instances"
                    + " generates scenes of --size pixels");
        }
        methods.replaceAll(m -> m.trim().toLowerCase(Locale.ROOT));
        methods.removeIf(String::isBlank);
        if (methods.isEmpty()) {
            throw new CliException("--methods is empty: give one or more of ff, bptt, cbptt,"
                    + " rbp, crbp, separated by commas");
        }
        boolean rbp = false;
        for (String m : methods) {
            MethodKind k = MethodKind.byName(m);
            if (!"ff".equals(m) && (k == null || k == MethodKind.TBPTT)) {
                throw new CliException("--methods: unknown method '" + m + "' for --task"
                        + " instances (valid: ff, bptt, cbptt, rbp, crbp)");
            }
            rbp |= k != null && k.rbpFamily();
        }
        if (methods.stream().allMatch("ff"::equals)) {
            for (String option : new String[] {"--steps", "--kernel", "--neumann-terms"}) {
                if (given(option)) {
                    throw new CliException(option + " has no effect with --methods ff (the ff"
                            + " mask head is four 3x3 convolutions); leave it out");
                }
            }
        } else if (!rbp && given("--neumann-terms")) {
            throw new CliException("--neumann-terms has no effect without rbp or crbp in"
                    + " --methods; leave it out");
        }
        for (int t : steps) {
            if (t < 1) {
                throw new CliException("--steps must be at least 1, got " + t);
            }
        }
        InstancesProbe.Config c = new InstancesProbe.Config();
        c.channels = ModelOptions.or(size.channels, InstancesProbe.DEFAULT_CHANNELS);
        c.kernel = ModelOptions.or(size.kernel, RecurrentMaskHead.DEFAULT_KERNEL);
        c.batch = ModelOptions.or(size.batch, InstancesProbe.DEFAULT_BATCH);
        c.neumannTerms = ModelOptions.or(size.neumannTerms, c.neumannTerms);
        c.size = sceneSize != null ? sceneSize : InstancesProbe.DEFAULT_SIZE;
        c.iterations = iterations;
        atLeast("--iterations", iterations, 1);
        atLeast("--channels", c.channels, 1);
        atLeast("--batch", c.batch, 1);
        atLeast("--neumann-terms", c.neumannTerms, 1);
        if (c.kernel < 1 || c.kernel % 2 == 0) {
            throw new CliException("--kernel must be an odd number >= 1, got " + c.kernel);
        }
        if (c.size < SceneConfig.MIN_SIZE || c.size > SceneConfig.MAX_SIZE
                || c.size % InstancesTask.STRIDE != 0) {
            throw new CliException("--size must be " + SceneConfig.MIN_SIZE + " to "
                    + SceneConfig.MAX_SIZE + " pixels and a multiple of " + InstancesTask.STRIDE
                    + " (the backbone's stride), got " + c.size);
        }
        return c;
    }

    /**
     * Checks every option under its own name, as train checks them: a bad one found by a probe
     * would come back only after the probes before it had run.
     */
    private void checkOptions() {
        images.value();
        channels = ModelOptions.or(size.channels, 12);
        kernel = ModelOptions.or(size.kernel, 5);
        batch = ModelOptions.or(size.batch, 8);
        neumannTerms = ModelOptions.or(size.neumannTerms, 10);
        methods.removeIf(String::isBlank);
        if (methods.isEmpty()) {
            throw new CliException("--methods is empty: give one or more of bptt, cbptt, rbp,"
                    + " crbp, tbptt, separated by commas");
        }
        for (String m : methods) {
            if (MethodKind.byName(m) == null) {
                throw new CliException("--methods: unknown method '" + m + "' (valid: bptt,"
                        + " cbptt, rbp, crbp, tbptt)");
            }
        }
        for (int t : steps) {
            if (t < 1) {
                throw new CliException("--steps must be at least 1, got " + t);
            }
        }
        atLeast("--iterations", iterations, 1);
        atLeast("--channels", channels, 1);
        atLeast("--neumann-terms", neumannTerms, 1);
        if (batch < 2) {
            throw new CliException("--batch must be at least 2 (the cells normalise over the"
                    + " batch), got " + batch);
        }
        if (kernel < 1 || kernel % 2 == 0) {
            throw new CliException("--kernel must be an odd number >= 1, got " + kernel);
        }
    }

    /** benchmark.json: the setup and the rows. */
    private Map<String, Object> report(List<Map<String, Object>> rows) {
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("model", "hgru");
        setup.put("preset", images.preset);
        setup.put("channels", channels);
        setup.put("kernel", kernel);
        setup.put("batch", batch);
        setup.put("neumannTerms", neumannTerms);
        setup.put("iterations", iterations);
        report.put("setup", setup);
        report.put("results", rows);
        report.put("provenance", Provenance.collect(1, ai.djl.Device.cpu()));
        return report;
    }

    private Map<String, Object> probe(String method, int t) throws IOException,
            InterruptedException {
        List<String> args = new ArrayList<>();
        args.add("benchmark-probe");
        args.add(method);
        args.add(Integer.toString(t));
        args.add(images.preset);
        args.add(Integer.toString(channels));
        args.add(Integer.toString(kernel));
        args.add(Integer.toString(batch));
        args.add(Integer.toString(neumannTerms));
        args.add(Integer.toString(iterations));
        // the convolution's channel padding, when chosen for this JVM, holds for the probe too
        return runProbe(args, List.of(Convolutions.PAD_CHANNELS_PROPERTY), method + " T=" + t);
    }

    /**
     * Runs a probe command in a fresh JVM, so that its peak resident memory is its own, and
     * reads the one JSON line it prints.
     *
     * @param arguments the command and its arguments
     * @param properties the system properties of this JVM the probe gets too, where set
     * @param what the configuration, as a failure names it
     * @return the probe's JSON line as a map
     * @throws IOException if the JVM cannot be started
     * @throws InterruptedException if interrupted while waiting for it
     * @throws CliException (exit 1) if the probe fails, with its one line
     */
    static Map<String, Object> runProbe(List<String> arguments, List<String> properties,
            String what) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        for (String property : properties) {
            String value = System.getProperty(property);
            if (value != null) {
                cmd.add("-D" + property + "=" + value);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(arguments);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // large blocks go back to the system when freed: peak RSS then measures live tensors
        pb.environment().putIfAbsent("MALLOC_MMAP_THRESHOLD_", "1048576");
        Process process = pb.start();
        String json = null;
        StringBuilder log = new StringBuilder();
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("{")) {
                    json = line;
                } else {
                    log.append(line).append('\n');
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0 || json == null) {
            throw new CliException("the probe for " + what + " failed (exit "
                    + exit + "): " + probeError(log.toString()), ExitCode.FAILURE, null);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> row = Json.GSON.fromJson(json, LinkedHashMap.class);
        return row;
    }

    private static void atLeast(String option, int value, int least) {
        if (value < least) {
            throw new CliException(option + " must be at least " + least + ", got " + value);
        }
    }

    /**
     * The probe's own error line, without its {@code crbp: error:} prefix and the debugging
     * hint, so that the benchmark's line does not say "crbp: error:" twice; its last line if it
     * printed none (a crash of the JVM).
     *
     * @param log what the probe printed
     * @return one line
     */
    static String probeError(String log) {
        String last = "no output";
        for (String line : log.strip().split("\n")) {
            if (line.startsWith("crbp: error: ")) {
                return line.substring("crbp: error: ".length())
                        .replace(" (set CRBP_DEBUG=1 for the stack trace)", "").strip();
            }
            if (!line.isBlank()) {
                last = line.strip();
            }
        }
        return last;
    }

    /** The probe run in a fresh JVM: trains a few iterations and prints one JSON line. */
    @Command(name = "benchmark-probe", hidden = true)
    static final class Probe implements Callable<Integer> {

        @picocli.CommandLine.Parameters(index = "0") String method;
        @picocli.CommandLine.Parameters(index = "1") int steps;
        @picocli.CommandLine.Parameters(index = "2") String preset;
        @picocli.CommandLine.Parameters(index = "3") int channels;
        @picocli.CommandLine.Parameters(index = "4") int kernel;
        @picocli.CommandLine.Parameters(index = "5") int batch;
        @picocli.CommandLine.Parameters(index = "6") int neumannTerms;
        @picocli.CommandLine.Parameters(index = "7") int iterations;

        /** {@inheritDoc} */
        @Override
        public Integer call() throws Exception {
            RunConfig c = new RunConfig();
            c.method = MethodKind.parse(method, OptionNames.OPTIONS);
            c.steps = steps;
            c.channels = channels;
            c.kernel = kernel;
            c.neumannTerms = neumannTerms;
            c.preset = preset;
            PathfinderPreset p = c.presetValue();
            int h = p.config().getOutputHeight();
            int w = p.config().getOutputWidth();
            Engine.getInstance().setRandomSeed(1);
            RecurrentNet net = (RecurrentNet) Setup.block(c, steps);
            PhaseClock clock = new PhaseClock();
            GradientMethod gm = Setup.method(c, clock);
            FocalLoss loss = new FocalLoss();
            try (Model model = Model.newInstance("probe")) {
                model.setBlock(net);
                DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                        .optOptimizer(new CheckpointAdam(1e-3f));
                try (Trainer trainer = model.newTrainer(config)) {
                    trainer.initialize(new Shape(batch, 1, h, w));
                    NDManager m = trainer.getManager();
                    NDList[] batchOf = batch(p, m);
                    ParameterStore ps = new ParameterStore(m, false);
                    long before = ProcessMemory.residentBytes();
                    double[] secs = new double[iterations];
                    double[] cpu = new double[iterations];
                    double[][] phases = new double[PhaseClock.NAMES.length][iterations];
                    double[] products = new double[iterations];
                    for (int i = 0; i <= iterations; i++) {
                        long begin = System.nanoTime();
                        long cpuBegin = ProcessMemory.processCpuNanos();
                        clock.start(begin);
                        long backwardEnd;
                        try (NDManager scope = m.newSubManager()) {
                            batchOf[0].tempAttach(scope);
                            batchOf[1].tempAttach(scope);
                            gm.forwardBackward(net, ps, batchOf[0], batchOf[1], loss);
                            backwardEnd = System.nanoTime();
                            trainer.step();
                        }
                        long end = System.nanoTime();
                        if (i > 0) {
                            secs[i - 1] = (end - begin) / 1e9;
                            cpu[i - 1] = (ProcessMemory.processCpuNanos() - cpuBegin) / 1e9;
                            double[] split = clock.split(backwardEnd, end);
                            for (int k = 0; k < split.length; k++) {
                                phases[k][i - 1] = split[k];
                            }
                            products[i - 1] = clock.products;
                        }
                    }
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("method", method);
                    row.put("steps", steps);
                    row.put("peakBytes", ProcessMemory.peakResidentBytes());
                    row.put("residentBeforeBytes", before);
                    row.put("secondsPerIteration", Stats.median(secs));
                    row.put("cpuSecondsPerIteration", Stats.median(cpu));
                    row.put("secondsPerStepForward", Stats.median(secs) / steps);
                    Map<String, Object> phaseRow = new LinkedHashMap<>();
                    for (int k = 0; k < PhaseClock.NAMES.length; k++) {
                        phaseRow.put(PhaseClock.NAMES[k], Stats.median(phases[k]));
                    }
                    row.put("phaseSeconds", phaseRow);
                    row.put("adjointProducts", Stats.median(products));
                    System.out.println(new com.google.gson.Gson().toJson(row));
                }
            }
            return 0;
        }

        /**
         * Where an iteration's time goes, from the gradient method's step callbacks: the forward
         * solve (encoder and the unrecorded steps); the recorded step with the penalty's
         * products, readout, loss and the loss's backward to the state; the adjoint products;
         * the backward to the parameters; the optimizer. A product's start is not observed: the
         * adjoint phase starts one mean product before the first callback. Methods without
         * products (BPTT) have their whole backward in the second phase.
         */
        static final class PhaseClock implements StepListener {
            static final String[] NAMES = {"forwardSolve", "recordedStepLossAndItsBackward",
                "adjointProducts", "backwardToParameters", "optimizer"};
            private long begin;
            private long lastForward;
            private long penultimateForward;
            private long firstProduct;
            private long lastProduct;
            int products;

            void start(long now) {
                begin = now;
                lastForward = now;
                penultimateForward = now;
                products = 0;
            }

            @Override
            public void afterStep(Phase phase, int index) {
                long now = System.nanoTime();
                if (phase == Phase.FORWARD) {
                    penultimateForward = lastForward;
                    lastForward = now;
                } else {
                    if (products == 0) {
                        firstProduct = now;
                    }
                    lastProduct = now;
                    products++;
                }
            }

            /** Seconds per phase, in the order of {@link #NAMES}. */
            double[] split(long backwardEnd, long end) {
                // the last forward callback is the recorded step: the solve ends at the one before
                long solveEnd = penultimateForward;
                long adjointStart;
                long adjointEnd;
                if (products == 0) {
                    adjointStart = backwardEnd;
                    adjointEnd = backwardEnd;
                    solveEnd = lastForward;
                } else {
                    long mean = products > 1 ? (lastProduct - firstProduct) / (products - 1)
                            : 0;
                    adjointStart = Math.max(lastForward, firstProduct - mean);
                    adjointEnd = lastProduct;
                }
                return new double[] {(solveEnd - begin) / 1e9, (adjointStart - solveEnd) / 1e9,
                    (adjointEnd - adjointStart) / 1e9, (backwardEnd - adjointEnd) / 1e9,
                    (end - backwardEnd) / 1e9};
            }
        }

        /** One batch of generated images and their masks: {data, labels}. */
        private NDList[] batch(PathfinderPreset p, NDManager m) {
            int h = p.config().getOutputHeight();
            int w = p.config().getOutputWidth();
            PathfinderGenerator gen = new PathfinderGenerator(p);
            float[] image = new float[batch * h * w];
            int[] label = new int[batch * h * w];
            for (int b = 0; b < batch; b++) {
                PathfinderSample s = gen.generate(1, b);
                System.arraycopy(s.getImage(), 0, image, b * h * w, h * w);
                byte[] mask = s.getMask();
                for (int i = 0; i < h * w; i++) {
                    label[b * h * w + i] = mask[i];
                }
            }
            return new NDList[] {new NDList(m.create(image, new Shape(batch, 1, h, w))),
                new NDList(m.create(label, new Shape(batch, h, w)))};
        }
    }
}
