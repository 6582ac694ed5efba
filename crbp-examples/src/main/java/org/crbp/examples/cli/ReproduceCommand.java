/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import ai.djl.Device;

import org.crbp.examples.CliException;
import org.crbp.examples.ExitCode;
import org.crbp.examples.analysis.Charts;
import org.crbp.examples.analysis.Evaluation;
import org.crbp.examples.analysis.Pictures;
import org.crbp.examples.analysis.Scores;
import org.crbp.examples.pathfinder.PathfinderDataset;
import org.crbp.examples.pathfinder.PathfinderPreset;
import org.crbp.examples.run.Checkpoints;
import org.crbp.examples.config.Json;
import org.crbp.examples.run.Loaded;
import org.crbp.examples.run.Provenance;
import org.crbp.examples.config.MethodKind;
import org.crbp.examples.config.ModelKind;
import org.crbp.examples.config.RunConfig;
import org.crbp.examples.run.Setup;
import org.crbp.examples.run.Training;
import org.crbp.examples.instances.InstancesTask;
import org.crbp.examples.task.Tasks;
import org.crbp.models.instances.RecurrentMaskHead;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code crbp reproduce}: the paper's Pathfinder table at mini scale within a time budget:
 * BPTT (6 steps), C-BPTT (6), RBP (20), C-RBP (20 / 30 / 80 by length) and the feedforward
 * control, trained on each mini length, and the models trained on 14 tested on 20 and 25.
 */
@Command(
        usageHelpWidth = 100,
        name = "reproduce",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run the paper's Pathfinder table at mini scale within a time budget.",
            "BPTT (T=6), C-BPTT (6), RBP (20), C-RBP (20/30/80 for lengths 14/20/25) and the FF",
            "control,",
            "trained on each mini length, and trained on 14 then tested on 20 and 25.",
            "Runs in priority order (length 14 first) and skips what the budget leaves out.",
            "Writes reproduction.md, reproduction.json and reproduction.png to --results.",
            "With --task instances --data DIR: the panoptic table instead (--rows: the ff mask",
            "head and the hGRU head by method and steps), each row trained in its own JVM and",
            "tested by PQ; writes instances.json and instances.md."
        })
final class ReproduceCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--task", defaultValue = Tasks.DEFAULT, paramLabel = "<name>",
            description = "The table: pathfinder, or instances (the panoptic table, needs"
                    + " --data). Default: ${DEFAULT-VALUE}.")
    String task;

    @Option(names = "--data", paramLabel = "<dir>",
            description = "The instances task's data folder (train/, val/, test/ from 'crbp"
                    + " generate --task instances').")
    Path data;

    @Option(names = "--rows", split = ",", paramLabel = "<rows>",
            description = "The instances table's rows, separated by commas: ff, or the hGRU head"
                    + " as METHOD-STEPS. Default: ff,bptt-1,bptt-3,bptt-5,rbp-20,crbp-5,crbp-10,"
                    + "crbp-20.")
    List<String> rows;

    @Option(names = "--memory-batch", paramLabel = "<n>",
            description = "Scenes per batch of the instances table's memory probe, a few"
                    + " training steps of each row's model in a fresh JVM (larger than"
                    + " training's, so that the mask head decides the peak). Default: "
                    + InstancesProbe.DEFAULT_BATCH + ".")
    Integer memoryBatch;

    @Option(names = "--memory-channels", paramLabel = "<n>",
            description = "Width of backbone and heads in the instances table's memory probe."
                    + " Default: " + InstancesProbe.DEFAULT_CHANNELS + ".")
    Integer memoryChannels;

    @Option(names = "--budget", defaultValue = "120", paramLabel = "<minutes>",
            description = "Total time budget in minutes. Default: ${DEFAULT-VALUE}.")
    double budget;

    @Option(names = "--per-run", defaultValue = "0", paramLabel = "<minutes>",
            description = "Training budget of each run in minutes (0: the total budget divided"
                    + " by the number of runs). Default: ${DEFAULT-VALUE}.")
    double perRun;

    @Option(names = "--lengths", defaultValue = "14,20,25", split = ",",
            paramLabel = "<lengths>",
            description = "Contour lengths of the mini presets, separated by commas. Default:"
                    + " ${DEFAULT-VALUE}.")
    List<Integer> lengths;

    @Option(names = "--methods", defaultValue = "bptt,cbptt,rbp,crbp,ff", split = ",",
            paramLabel = "<methods>",
            description = "Rows of the table, separated by commas: bptt, cbptt, rbp, crbp, and"
                    + " ff for the feedforward control. Default: ${DEFAULT-VALUE}.")
    List<String> methods;

    @Option(names = "--recipe", defaultValue = RunConfig.RECIPE_CPU, paramLabel = "<name>",
            description = "Where the training settings come from (see 'crbp train --help')."
                    + " Default: ${DEFAULT-VALUE}.")
    String recipe;

    @Mixin ModelOptions size = new ModelOptions();

    /** The model's size: the options', or the recipe's where left out. */
    private int channels;
    private int kernel;
    private int batch;
    private int neumannTerms;

    @Option(names = "--paper-steps", negatable = false,
            description = "C-RBP with the paper's 20/30/80 steps by length and RBP with 20 (else"
                    + " the recipe's steps for both; BPTT and C-BPTT use 6 either way).")
    boolean paperSteps;

    @Option(names = "--epochs", defaultValue = "10", paramLabel = "<n>",
            description = "Epochs per run (the per-run budget may stop earlier). Default:"
                    + " ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--train-size", defaultValue = "1600", paramLabel = "<n>",
            description = "Training images per epoch. Default: ${DEFAULT-VALUE}.")
    int trainSize;

    @Mixin CommonOptions.Threads threads = new CommonOptions.Threads();

    @Option(names = "--extrapolation-steps", defaultValue = "48", paramLabel = "<t>",
            description = "Last step of the extrapolation picture (readout at every step of the"
                    + " recurrent models trained on the first length). Default: ${DEFAULT-VALUE}.")
    int extrapolationSteps;

    @Option(names = "--val-size", defaultValue = "128", paramLabel = "<n>",
            description = "Validation images per run. Default: ${DEFAULT-VALUE}.")
    int validationSize;

    @Option(names = "--test-size", defaultValue = "256", paramLabel = "<n>",
            description = "Held-out test images per length. Default: ${DEFAULT-VALUE}.")
    int testSize;

    @Option(names = "--max-steps", defaultValue = "0", hidden = true,
            description = "Cap every method's steps (for tests).")
    int maxSteps;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "<seed>",
            description = "Seed of initialisation, data, order and flips. Default:"
                    + " ${DEFAULT-VALUE}.")
    long seed;

    @Mixin CommonOptions.Out output = new CommonOptions.Out();

    @Option(names = "--results", paramLabel = "<dir>",
            description = "Folder of the table and plot. Default: the --out folder.")
    Path results;

    /** The paper's step counts (paper-facts §5): C-RBP 20/30/80 by length, RBP 20, BPTT 6. */
    static int paperSteps(MethodKind method, int length) {
        switch (method) {
            case CRBP:
                return length <= 14 ? 20 : length <= 20 ? 30 : 80;
            case RBP:
                return 20;
            default:
                return 6;
        }
    }

    /** The row of the feedforward control in {@code --methods}. */
    private static final String FF = "ff";

    /** {@inheritDoc} */
    @Override
    public Integer call() throws Exception {
        String table = Tasks.byName(task, OptionNames.OPTIONS).name();
        if (InstancesTask.NAME.equals(table)) {
            return instances();
        }
        for (String option : new String[] {"--data", "--rows"}) {
            if (given(option)) {
                throw new CliException(option + " is for --task instances; the Pathfinder table"
                        + " generates its images");
            }
        }
        for (String option : new String[] {"--memory-batch", "--memory-channels"}) {
            if (given(option)) {
                throw new CliException(option + " is for --task instances (the memory probe of"
                        + " its rows); the Pathfinder table has none");
            }
        }
        List<MethodKind> rows = checkOptions();
        Path out = output.out;
        PrintWriter console = spec.commandLine().getOut();
        long begin = System.nanoTime();
        int runs = lengths.size() * methods.size();
        double each = perRun > 0 ? perRun : budget / runs;
        Path resultsDir = Files.createDirectories(results != null ? results : out);
        Map<String, Map<String, Object>> cells = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        for (int length : lengths) {
            for (String method : methods) {
                String key = method + "@" + length;
                double used = (System.nanoTime() - begin) / 6e10;
                if (used + 0.25 * each > budget) {
                    skipped.add(key);
                    continue;
                }
                MethodKind kind = rows.get(methods.indexOf(method));
                double minutes = Math.min(each, Math.max(0.01, budget - used)) * 0.85;
                cells.put(key, cell(method, kind, length, minutes, console));
                write(cells, skipped, resultsDir, begin);
            }
        }
        extrapolation(cells, resultsDir, console);
        write(cells, skipped, resultsDir, begin);
        console.println("Table: " + resultsDir.resolve("reproduction.md"));
        return 0;
    }

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** The instances table: its own options, then its rows. */
    private int instances() throws java.io.IOException {
        for (String option : new String[] {"--lengths", "--methods", "--paper-steps",
            "--extrapolation-steps", "--max-steps"}) {
            if (given(option)) {
                throw new CliException(option + " is for the Pathfinder table; the instances"
                        + " table takes --rows");
            }
        }
        if (data == null) {
            throw new CliException("--task instances needs --data DIR (write one with: crbp"
                    + " generate --task instances --out DIR)");
        }
        if (!(budget > 0)) {
            throw new CliException("--budget must be positive, got " + budget);
        }
        if (perRun < 0 || epochs < 1) {
            throw new CliException(perRun < 0 ? "--per-run must be 0 or more, got " + perRun
                    : "--epochs must be at least 1, got " + epochs);
        }
        if (memoryBatch != null && memoryBatch < 1) {
            throw new CliException("--memory-batch must be at least 1, got " + memoryBatch);
        }
        if (memoryChannels != null && memoryChannels < 1) {
            throw new CliException("--memory-channels must be at least 1, got " + memoryChannels);
        }
        RunConfig base = RunConfig.forRecipe(recipe, OptionNames.OPTIONS);
        InstancesReproduction.Settings s = new InstancesReproduction.Settings();
        s.memoryBatch = ModelOptions.or(memoryBatch, InstancesProbe.DEFAULT_BATCH);
        s.memoryChannels = ModelOptions.or(memoryChannels, InstancesProbe.DEFAULT_CHANNELS);
        s.data = data;
        s.rows = InstancesReproduction.rows(rows != null ? rows
                : InstancesReproduction.DEFAULT_ROWS);
        s.epochs = epochs;
        s.budgetMinutes = budget;
        s.perRunMinutes = perRun;
        s.channels = ModelOptions.or(size.channels, base.channels);
        s.kernel = ModelOptions.or(size.kernel, RecurrentMaskHead.DEFAULT_KERNEL);
        s.batch = ModelOptions.or(size.batch, base.batch);
        s.neumannTerms = ModelOptions.or(size.neumannTerms, base.neumannTerms);
        s.trainSize = given("--train-size") ? trainSize : null;
        s.validationSize = given("--val-size") ? validationSize : null;
        s.testSize = given("--test-size") ? testSize : null;
        s.seed = seed;
        s.threads = threads.threads;
        s.recipe = recipe;
        s.out = output.writable();
        s.results = results;
        return new InstancesReproduction(s, spec.commandLine().getOut()).run();
    }

    /**
     * Checks the options, takes the model's size and sets the engine's threads.
     *
     * @return the rows' methods, {@code null} for the feedforward control
     */
    private List<MethodKind> checkOptions() {
        threads.apply();
        RunConfig base = RunConfig.forRecipe(recipe, OptionNames.OPTIONS);
        channels = ModelOptions.or(size.channels, base.channels);
        kernel = ModelOptions.or(size.kernel, base.kernel);
        batch = ModelOptions.or(size.batch, base.batch);
        neumannTerms = ModelOptions.or(size.neumannTerms, base.neumannTerms);
        List<MethodKind> rows = new ArrayList<>();
        for (String m : methods) {
            MethodKind k = MethodKind.byName(m);
            if (!FF.equals(m) && (k == null || k == MethodKind.TBPTT)) {
                throw new CliException("--methods: unknown method '" + m + "'");
            }
            rows.add(k);
        }
        for (int l : lengths) {
            RunConfig.preset("pf-mini-" + l);
        }
        if (!(budget > 0)) {
            throw new CliException("--budget must be positive, got " + budget);
        }
        return rows;
    }

    /** The configuration of one cell of the table: the recipe's, with the table's settings. */
    private RunConfig config(MethodKind kind, int length) {
        RunConfig c = RunConfig.forRecipe(recipe);
        c.preset = "pf-mini-" + length;
        c.model = kind == null ? ModelKind.FF : ModelKind.HGRU;
        c.method = kind == null ? MethodKind.BPTT : kind;
        c.steps = paperSteps ? paperSteps(c.method, length) : c.defaultSteps();
        if (maxSteps > 0) {
            c.steps = Math.min(c.steps, maxSteps);
        }
        c.channels = channels;
        c.kernel = kernel;
        c.batch = batch;
        c.neumannTerms = neumannTerms;
        c.epochs = epochs;
        c.trainSize = trainSize;
        c.validationSize = validationSize;
        c.testSize = testSize;
        c.seed = seed;
        c.validate(OptionNames.OPTIONS);
        return c;
    }

    /**
     * Trains one cell of the table (resuming its run), and for the first length tests it on
     * the others; a run that fails is recorded as such, a usage error ends the command.
     */
    private Map<String, Object> cell(String method, MethodKind kind, int length, double minutes,
            PrintWriter console) throws java.io.IOException {
        RunConfig c = config(kind, length);
        Path dir = output.out.resolve(c.preset + "-" + method);
        Training.Options o = new Training.Options();
        o.names = OptionNames.OPTIONS;
        o.resume = true;
        o.pictures = false;
        o.timeBudgetMinutes = minutes;
        o.commandLine.add("crbp reproduce");
        Map<String, Object> cell = new LinkedHashMap<>();
        cell.put("method", method);
        cell.put("length", length);
        cell.put("steps", c.recurrent() ? c.steps : 0);
        try {
            o.settings = TrainCommand.settingsFor(c, dir, o);
            Map<String, Object> r = Training.run(c, dir, o, console);
            for (String k : new String[] {"iou", "f1", "epochs", "secondsPerIteration",
                "peakMemoryBytes"}) {
                cell.put(k, r.get(k));
            }
            if (length == lengths.get(0)) {
                Map<String, Object> gen = new LinkedHashMap<>();
                for (int other : lengths) {
                    if (other != length) {
                        gen.put("pf-mini-" + other, transfer(dir, c, other, console));
                    }
                }
                cell.put("generalization", gen);
            }
        } catch (CliException e) {
            if (e.getExitCode() == ExitCode.USAGE) {
                throw e;
            }
            cell.put("error", e.getMessage());
            console.println("Run " + method + "@" + length + " failed: " + e.getMessage());
        }
        return cell;
    }

    /**
     * The paper's Fig. 2c: the readout of every recurrent model trained on the first length,
     * applied after every step t = 1..T on that length's test images.
     */
    private void extrapolation(Map<String, Map<String, Object>> cells, Path dir,
            PrintWriter console) throws java.io.IOException {
        int length = lengths.get(0);
        Map<String, double[]> series = new LinkedHashMap<>();
        double[] steps = null;
        int trained = 0;
        for (String m : methods) {
            Map<String, Object> cell = cells.get(m + "@" + length);
            Path run = output.out.resolve("pf-mini-" + length + "-" + m);
            if (m.equals("ff") || cell == null || cell.get("error") != null
                    || Checkpoints.latestIn(run, OptionNames.OPTIONS) == null) {
                continue;
            }
            try (Loaded l = Loaded.open(run, Device.cpu())) {
                if (!(l.block instanceof org.crbp.core.RecurrentNet)) {
                    continue;
                }
                PathfinderDataset set = Setup.evalSet(l.config, l.config.presetValue(),
                        PathfinderDataset.Split.TEST, Math.min(testSize, 128));
                Map<String, Object> ex = Pictures.extrapolation(
                        (org.crbp.core.RecurrentNet) l.block, l.model.getNDManager(), set,
                        extrapolationSteps);
                steps = (double[]) ex.get("steps");
                series.put(label(m) + ", N = " + l.config.steps, (double[]) ex.get("f1"));
                trained = Math.max(trained, l.config.steps);
                cell.put("extrapolation", ex);
                console.printf(Locale.ROOT, "  %s: readout F1 %.3f at N = %d, %.3f at t = %d%n",
                        label(m), ((double[]) ex.get("f1"))[l.config.steps - 1], l.config.steps,
                        ((double[]) ex.get("f1"))[extrapolationSteps - 1], extrapolationSteps);
            }
        }
        if (steps != null) {
            Charts.extrapolation(steps, series, trained,
                    "Readout at every step, trained and tested on pf-mini-" + length,
                    dir.resolve("extrapolation.png"));
        }
    }

    private Map<String, Object> transfer(Path dir, RunConfig c, int length,
            PrintWriter console) {
        PathfinderPreset p = RunConfig.preset("pf-mini-" + length);
        try (Loaded l = Loaded.open(dir, Device.cpu())) {
            Scores s = Evaluation.evaluate(l.block, l.model.getNDManager(),
                    Setup.evalSet(c, p, PathfinderDataset.Split.TEST, c.testSize), c.steps,
                    null);
            console.printf(Locale.ROOT, "  %s trained on %s, tested on %s: %s%n",
                    c.methodLabel(), c.preset, p, s);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("iou", s.iou());
            m.put("f1", s.f1());
            return m;
        }
    }

    private void write(Map<String, Map<String, Object>> cells, List<String> skipped, Path dir,
            long begin) throws java.io.IOException {
        StringBuilder md = new StringBuilder();
        md.append("| model (steps) |");
        for (int l : lengths) {
            md.append(" pf-mini-").append(l).append(" |");
        }
        for (int l : lengths.subList(1, lengths.size())) {
            md.append(" ").append(lengths.get(0)).append(" → ").append(l).append(" |");
        }
        md.append('\n').append("|---|");
        for (int i = 0; i < 2 * lengths.size() - 1; i++) {
            md.append("---|");
        }
        md.append('\n');
        for (String m : methods) {
            md.append("| ").append(label(m)).append(" |");
            for (int l : lengths) {
                md.append(' ').append(cell(cells.get(m + "@" + l), m, l)).append(" |");
            }
            Map<String, Object> first = cells.get(m + "@" + lengths.get(0));
            for (int l : lengths.subList(1, lengths.size())) {
                String v = "not run";
                if (first != null && first.get("generalization") instanceof Map) {
                    Object g = ((Map<?, ?>) first.get("generalization")).get("pf-mini-" + l);
                    if (g instanceof Map) {
                        v = String.format(Locale.ROOT, "%.3f", ((Number) ((Map<?, ?>) g)
                                .get("iou")).doubleValue());
                    }
                }
                md.append(' ').append(v).append(" |");
            }
            md.append('\n');
        }
        md.append('\n').append(String.format(Locale.ROOT,
                "IoU = F1/(2-F1) on %d held-out test images per length; hGRU %d channels, kernel"
                        + " %d, batch %d, %d training images, up to %d epochs or %.1f min of"
                        + " training per run; FF = the six-block feedforward control; %.0f min"
                        + " in all.%n", testSize, channels, kernel, batch, trainSize, epochs,
                perRun > 0 ? perRun : budget / (lengths.size() * methods.size()),
                (System.nanoTime() - begin) / 6e10));
        Files.writeString(dir.resolve("reproduction.md"), md.toString());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("cells", cells);
        json.put("skipped", skipped);
        json.put("provenance", Provenance.collect(seed, Device.cpu()));
        Json.write(dir.resolve("reproduction.json"), json);
        Map<String, double[]> series = new LinkedHashMap<>();
        double[] x = new double[lengths.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = lengths.get(i);
        }
        for (String m : methods) {
            double[] y = new double[lengths.size()];
            boolean any = false;
            for (int i = 0; i < x.length; i++) {
                Map<String, Object> c = cells.get(m + "@" + lengths.get(i));
                y[i] = c != null && c.get("iou") instanceof Number
                        ? ((Number) c.get("iou")).doubleValue() : Double.NaN;
                any |= !Double.isNaN(y[i]);
            }
            if (any) {
                series.put(label(m), y);
            }
        }
        if (!series.isEmpty()) {
            Charts.byLength(x, series, "Pathfinder mini: IoU by contour length",
                    dir.resolve("reproduction.png"));
        }
    }

    private String label(String method) {
        MethodKind k = MethodKind.byName(method);
        return k == null ? "FF control" : k.label();
    }

    private static String cell(Map<String, Object> c, String m, int l) {
        if (c == null) {
            return "not run";
        }
        if (c.get("error") != null) {
            return "diverged";
        }
        String s = String.format(Locale.ROOT, "%.3f", ((Number) c.get("iou")).doubleValue());
        return m.equals("ff") ? s : s + " (T=" + c.get("steps") + ")";
    }
}
