/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import ai.djl.Device;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;

import org.crbp.core.Convolutions;
import org.crbp.examples.CliException;
import org.crbp.examples.ExitCode;
import org.crbp.examples.config.AtomicFiles;
import org.crbp.examples.config.Json;
import org.crbp.examples.config.MethodKind;
import org.crbp.examples.instances.InstancesTask;
import org.crbp.examples.instances.PanopticFolder;
import org.crbp.examples.run.Checkpoints;
import org.crbp.examples.run.Provenance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code crbp reproduce --task instances}: the paper's panoptic table at CPU scale. Every row
 * (the feedforward mask head, or the hGRU head trained by a method for some steps) trains on
 * the same data folder with the same settings in a fresh JVM ({@code crbp train}); the run ends
 * with the test split's PQ. Then a memory probe ({@link InstancesProbe}, another fresh JVM)
 * trains the row's model for a few steps at a larger batch and width, where the mask head's
 * activations rather than the engine decide the peak: its peak is the row's {@code
 * peakMemoryBytes}, the training process's own is {@code trainingPeakMemoryBytes}. Finished
 * rows (a {@code report.json} in their run folder) are only re-read, with their probe's
 * result ({@value #MEMORY_PROBE}) where it was measured at the same size; interrupted ones
 * resume from their last checkpoint.
 */
final class InstancesReproduction {

    /** The table's rows by default: the paper's Table 2 at CPU scale. */
    static final List<String> DEFAULT_ROWS = List.of("ff", "bptt-1", "bptt-3", "bptt-5",
            "rbp-20", "crbp-5", "crbp-10", "crbp-20");

    /** The table's JSON file. */
    static final String JSON = "instances.json";
    /** The table's Markdown file. */
    static final String MARKDOWN = "instances.md";
    /** A row's memory probe result, in its run folder. */
    static final String MEMORY_PROBE = "memory-probe.json";
    /** The memory probe's timed iterations after its warm-up. */
    static final int MEMORY_ITERATIONS = 2;

    /**
     * One row: the feedforward head ({@code method} null) or the hGRU head trained by a method
     * for some steps.
     *
     * @param name the row's name, {@code ff} or {@code METHOD-STEPS}
     * @param method the gradient method, null for {@code ff}
     * @param steps the recurrent steps, 0 for {@code ff}
     */
    record Row(String name, MethodKind method, int steps) {

        /**
         * Reads a row's name.
         *
         * @param name {@code ff} or {@code METHOD-STEPS} ({@code bptt-3}, {@code crbp-20})
         * @return the row
         * @throws CliException naming the row if it is not one
         */
        static Row parse(String name) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            if (n.equals("ff")) {
                return new Row(n, null, 0);
            }
            int dash = n.lastIndexOf('-');
            MethodKind m = dash > 0 ? MethodKind.byName(n.substring(0, dash)) : null;
            int steps = -1;
            if (dash > 0) {
                try {
                    steps = Integer.parseInt(n.substring(dash + 1));
                } catch (NumberFormatException e) {
                    steps = -1;
                }
            }
            if (m == null || m == MethodKind.TBPTT || steps < 1 || steps > 1000) {
                throw new CliException("--rows: '" + name + "' is not ff or METHOD-STEPS with"
                        + " METHOD bptt, cbptt, rbp or crbp and 1 to 1000 steps (e.g. crbp-20)");
            }
            return new Row(n, m, steps);
        }
    }

    /** What every row shares. */
    static final class Settings {
        Path data;
        List<Row> rows;
        int epochs;
        double budgetMinutes;
        double perRunMinutes;
        int channels;
        int kernel;
        int batch;
        int neumannTerms;
        Integer trainSize;
        Integer validationSize;
        Integer testSize;
        long seed;
        int threads;
        String recipe;
        Path out;
        Path results;
        /** The memory probe's scenes per batch. */
        int memoryBatch = InstancesProbe.DEFAULT_BATCH;
        /** The memory probe's width. */
        int memoryChannels = InstancesProbe.DEFAULT_CHANNELS;
    }

    private final Settings s;
    private final PrintWriter console;

    InstancesReproduction(Settings settings, PrintWriter console) {
        this.s = settings;
        this.console = console;
    }

    /**
     * Trains and tests the rows not yet finished, writing the table after each.
     *
     * @return the exit code
     * @throws IOException if writing fails
     */
    int run() throws IOException {
        checkData();
        long begin = System.nanoTime();
        double each = s.perRunMinutes > 0 ? s.perRunMinutes : s.budgetMinutes / s.rows.size();
        Path resultsDir = AtomicFiles.createDirectories(s.results != null ? s.results : s.out);
        Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        for (Row row : s.rows) {
            Path dir = s.out.resolve("instances-" + row.name());
            Map<String, Object> done = finished(dir);
            if (done != null) {
                console.println("Row " + row.name() + ": finished, re-read from " + dir);
                rows.put(row.name(), withMemory(row, row(row, done, Double.NaN), dir));
                write(rows, skipped, resultsDir);
                continue;
            }
            double used = (System.nanoTime() - begin) / 6e10;
            if (s.perRunMinutes <= 0 && used + 0.25 * each > s.budgetMinutes) {
                skipped.add(row.name());
                continue;
            }
            rows.put(row.name(), withMemory(row, train(row, dir, each), dir));
            write(rows, skipped, resultsDir);
        }
        write(rows, skipped, resultsDir);
        console.println("Table: " + resultsDir.resolve(MARKDOWN));
        return 0;
    }

    /** The splits' sizes from their JSON files: the defaults of the sizes left out. */
    private void checkData() {
        int[] sizes = new int[3];
        String[] splits = {InstancesTask.TRAIN, InstancesTask.VALIDATION, InstancesTask.TEST};
        for (int i = 0; i < 3; i++) {
            Path json = s.data.resolve(splits[i]).resolve(PanopticFolder.PANOPTIC_JSON);
            if (!Files.isRegularFile(json)) {
                throw new CliException("data folder " + s.data + " has no " + splits[i] + "/"
                        + PanopticFolder.PANOPTIC_JSON + " (write one with: crbp generate --task"
                        + " instances --out " + s.data + ")");
            }
            try {
                JsonArray images = JsonParser.parseString(Files.readString(json,
                        StandardCharsets.UTF_8)).getAsJsonObject().getAsJsonArray("images");
                sizes[i] = images == null ? 0 : images.size();
            } catch (IOException | RuntimeException e) {
                throw new CliException("cannot read " + json + ": " + e.getMessage(),
                        ExitCode.USAGE, e);
            }
        }
        if (s.trainSize == null) {
            s.trainSize = sizes[0] / s.batch * s.batch;
        }
        if (s.validationSize == null) {
            s.validationSize = Math.min(sizes[1], 1024);
        }
        if (s.testSize == null) {
            s.testSize = Math.min(sizes[2], 1024);
        }
        if (s.trainSize < s.batch) {
            throw new CliException(s.data.resolve(InstancesTask.TRAIN) + " holds " + sizes[0]
                    + " images, fewer than one batch of " + s.batch);
        }
    }

    /** A finished row's report, or null when the row has none yet. */
    private static Map<String, Object> finished(Path dir) {
        Path report = dir.resolve("report.json");
        if (!Files.isRegularFile(report)) {
            return null;
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> r = Json.GSON.fromJson(Files.readString(report,
                    StandardCharsets.UTF_8), LinkedHashMap.class);
            return r;
        } catch (IOException | RuntimeException e) {
            throw new CliException("cannot read " + report + ": " + e.getMessage()
                    + " (remove the row's folder to train it again)", ExitCode.USAGE, e);
        }
    }

    /** Trains and tests one row in its own JVM; a failed row is recorded, not fatal. */
    private Map<String, Object> train(Row row, Path dir, double minutes) throws IOException {
        List<String> cmd = command(row, dir, minutes);
        console.println("Row " + row.name() + ": training in " + dir);
        console.flush();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // large blocks go back to the system when freed: peak RSS then measures live tensors
        pb.environment().putIfAbsent("MALLOC_MMAP_THRESHOLD_", "1048576");
        long start = System.nanoTime();
        Process process = pb.start();
        StringBuilder log = new StringBuilder();
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                log.append(line).append('\n');
                console.println("  " + line);
                console.flush();
            }
        }
        int exit;
        try {
            exit = process.waitFor();
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while training row " + row.name(),
                    ExitCode.FAILURE, e);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        Map<String, Object> report = finished(dir);
        if (exit == ExitCode.USAGE.code()) {
            throw new CliException("row " + row.name() + ": "
                    + BenchmarkCommand.probeError(log.toString()), ExitCode.USAGE, null);
        }
        if (exit != 0 || report == null) {
            Map<String, Object> failed = new LinkedHashMap<>();
            failed.put("head", row.method() == null ? "ff" : "hgru");
            failed.put("method", row.method() == null ? "ff" : row.method().toString()
                    .toLowerCase(Locale.ROOT));
            failed.put("steps", row.steps());
            failed.put("error", "exit " + exit + ": " + BenchmarkCommand.probeError(
                    log.toString()));
            console.println("Row " + row.name() + " failed: " + failed.get("error"));
            return failed;
        }
        return row(row, report, wall);
    }

    /** The {@code crbp train} command line of a row, in a fresh JVM. */
    private List<String> command(Row row, Path dir, double minutes) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        for (String property : new String[] {Convolutions.PAD_CHANNELS_PROPERTY,
            "ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads"}) {
            String value = System.getProperty(property);
            if (value != null) {
                cmd.add("-D" + property + "=" + value);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.add("train");
        add(cmd, "--task", InstancesTask.NAME);
        add(cmd, "--data", s.data.toString());
        add(cmd, "--recipe", s.recipe);
        if (row.method() == null) {
            add(cmd, "--head", "ff");
        } else {
            add(cmd, "--head", "hgru");
            add(cmd, "--method", row.method().toString().toLowerCase(Locale.ROOT));
            add(cmd, "--steps", Integer.toString(row.steps()));
            add(cmd, "--kernel", Integer.toString(s.kernel));
            if (row.method().rbpFamily()) {
                add(cmd, "--neumann-terms", Integer.toString(s.neumannTerms));
            }
        }
        add(cmd, "--channels", Integer.toString(s.channels));
        add(cmd, "--batch", Integer.toString(s.batch));
        add(cmd, "--train-size", Integer.toString(s.trainSize));
        add(cmd, "--val-size", Integer.toString(s.validationSize));
        add(cmd, "--test-size", Integer.toString(s.testSize));
        add(cmd, "--epochs", Integer.toString(s.epochs));
        add(cmd, "--time-budget", Double.toString(Math.max(0.01, minutes)));
        add(cmd, "--seed", Long.toString(s.seed));
        add(cmd, "--threads", Integer.toString(s.threads));
        add(cmd, "--out", dir.toString());
        cmd.add("--no-pictures");
        cmd.add("--quiet");
        if (Checkpoints.latestIn(dir, OptionNames.OPTIONS) != null) {
            cmd.add("--resume");
        }
        return cmd;
    }

    private static void add(List<String> cmd, String option, String value) {
        cmd.add(option);
        cmd.add(value);
    }

    /**
     * The row's memory probe: its model trained for a few steps at the probe's size in a fresh
     * JVM, or the result kept in the row's folder from an earlier call at the same size. A
     * failed probe is recorded in the row, not fatal: the training's results stand.
     */
    private Map<String, Object> withMemory(Row row, Map<String, Object> r, Path dir)
            throws IOException {
        if (r.get("error") != null) {
            return r;
        }
        InstancesProbe.Config probe = probe(row);
        Path file = dir.resolve(MEMORY_PROBE);
        Map<String, Object> measured = earlierProbe(file, probe);
        if (measured == null) {
            console.println("Row " + row.name() + ": memory probe, "
                    + InstancesProbe.describe(probe, -1));
            console.flush();
            try {
                measured = InstancesProbe.inFreshJvm(probe);
            } catch (CliException e) {
                console.println("Row " + row.name() + ": the memory probe failed: "
                        + e.getMessage());
                r.put("trainingPeakMemoryBytes", r.get("peakMemoryBytes"));
                r.put("peakMemoryBytes", null);
                r.put("memoryProbeError", e.getMessage());
                return r;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted while probing row " + row.name(),
                        ExitCode.FAILURE, e);
            }
            Json.write(file, measured);
        }
        r.put("trainingPeakMemoryBytes", r.get("peakMemoryBytes"));
        r.put("peakMemoryBytes", measured.get("peakBytes"));
        r.put("memoryAboveStartBytes", measured.get("aboveStartBytes"));
        r.put("memoryProbe", measured);
        return r;
    }

    /** The memory probe of a row: its head, method and steps at the probe's size. */
    private InstancesProbe.Config probe(Row row) {
        InstancesProbe.Config base = new InstancesProbe.Config();
        base.channels = s.memoryChannels;
        base.batch = s.memoryBatch;
        // the smallest scenes: the mask head's share does not depend on the image size, the
        // backbone's and the semantic head's grow with it
        base.size = InstancesProbe.DEFAULT_SIZE;
        base.kernel = s.kernel;
        base.neumannTerms = s.neumannTerms;
        base.iterations = MEMORY_ITERATIONS;
        base.recipe = s.recipe;
        base.seed = s.seed;
        base.threads = s.threads;
        return base.with(row.method(), row.steps());
    }

    /** A probe's result from an earlier call, or null if there is none of these settings. */
    private static Map<String, Object> earlierProbe(Path file, InstancesProbe.Config probe) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Map<String, Object> earlier;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> read = Json.GSON.fromJson(Files.readString(file,
                    StandardCharsets.UTF_8), LinkedHashMap.class);
            earlier = read;
        } catch (IOException | RuntimeException e) {
            return null; // measured again, and written whole
        }
        if (earlier == null || !(earlier.get("peakBytes") instanceof Number)) {
            return null;
        }
        for (Map.Entry<String, Object> e : probe.settings().entrySet()) {
            Object was = earlier.get(e.getKey());
            boolean same = was instanceof Number && e.getValue() instanceof Number
                    ? ((Number) was).doubleValue() == ((Number) e.getValue()).doubleValue()
                    : String.valueOf(was).equals(String.valueOf(e.getValue()));
            if (!same) {
                return null;
            }
        }
        return earlier;
    }

    /** A row of the table from its run's report. */
    private static Map<String, Object> row(Row row, Map<String, Object> report, double wall) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("head", row.method() == null ? "ff" : "hgru");
        r.put("method", row.method() == null ? "ff" : row.method().toString()
                .toLowerCase(Locale.ROOT));
        r.put("steps", row.steps());
        for (String k : new String[] {"pq", "sq", "rq"}) {
            r.put(k, report.get(k));
        }
        r.put("thingsPq", part(report, "things"));
        r.put("stuffPq", part(report, "stuff"));
        r.put("parameters", report.get("parameters"));
        r.put("peakMemoryBytes", report.get("peakMemoryBytes"));
        r.put("epochs", report.get("epochs"));
        r.put("seconds", report.get("trainingSeconds"));
        r.put("secondsPerIteration", report.get("secondsPerIteration"));
        if (!Double.isNaN(wall)) {
            r.put("processSeconds", wall);
        }
        r.put("stoppedByTimeBudget", report.get("stoppedByTimeBudget"));
        return r;
    }

    private static Object part(Map<String, Object> report, String name) {
        Object p = report.get(name);
        return p instanceof Map ? ((Map<?, ?>) p).get("pq") : null;
    }

    /** Writes {@value #JSON} and {@value #MARKDOWN}, each replaced whole. */
    private void write(Map<String, Map<String, Object>> rows, List<String> skipped, Path dir)
            throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("rows", rows);
        json.put("skipped", skipped);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("data", s.data.toString());
        settings.put("boxes", "ground truth");
        settings.put("channels", s.channels);
        settings.put("kernel", s.kernel);
        settings.put("batch", s.batch);
        settings.put("neumannTerms", s.neumannTerms);
        settings.put("trainSize", s.trainSize);
        settings.put("validationSize", s.validationSize);
        settings.put("testSize", s.testSize);
        settings.put("epochs", s.epochs);
        settings.put("perRunMinutes", s.perRunMinutes > 0 ? s.perRunMinutes
                : s.budgetMinutes / s.rows.size());
        settings.put("seed", s.seed);
        settings.put("recipe", s.recipe);
        Map<String, Object> memory = new LinkedHashMap<>();
        memory.put("batch", s.memoryBatch);
        memory.put("channels", s.memoryChannels);
        memory.put("size", InstancesProbe.DEFAULT_SIZE);
        memory.put("instancesPerScene", InstancesProbe.MIN_INSTANCES + "-"
                + InstancesProbe.MAX_INSTANCES);
        memory.put("iterations", MEMORY_ITERATIONS);
        settings.put("memoryProbe", memory);
        json.put("settings", settings);
        json.put("provenance", Provenance.collect(s.seed, Device.cpu()));
        Json.write(dir.resolve(JSON), json);
        AtomicFiles.writeString(dir.resolve(MARKDOWN), markdown(rows, skipped));
    }

    private String markdown(Map<String, Map<String, Object>> rows, List<String> skipped) {
        StringBuilder md = new StringBuilder();
        md.append("| mask head | steps | PQ | SQ | RQ | things PQ | stuff PQ | parameters |"
                + " probe peak (MiB) | probe above start (MiB) | training peak (MiB) |"
                + " training (s) |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        long rois = -1;
        for (Row row : s.rows) {
            Map<String, Object> r = rows.get(row.name());
            String head = row.method() == null ? "FF (four 3x3 convolutions)"
                    : "hGRU, " + row.method().label();
            md.append("| ").append(head).append(" | ").append(row.steps() == 0 ? "-"
                    : Integer.toString(row.steps())).append(" | ");
            if (r == null) {
                md.append(skipped.contains(row.name()) ? "skipped (budget)" : "not run")
                        .append(" | | | | | | | | | |\n");
                continue;
            }
            if (r.get("error") != null) {
                md.append("failed | | | | | | | | | |\n");
                continue;
            }
            if (r.get("memoryProbe") instanceof Map && rois < 0) {
                Object n = ((Map<?, ?>) r.get("memoryProbe")).get("rois");
                rois = n instanceof Number ? ((Number) n).longValue() : -1;
            }
            md.append(number(r.get("pq"), 3)).append(" | ").append(number(r.get("sq"), 3))
                    .append(" | ").append(number(r.get("rq"), 3)).append(" | ")
                    .append(number(r.get("thingsPq"), 3)).append(" | ")
                    .append(number(r.get("stuffPq"), 3)).append(" | ")
                    .append(number(r.get("parameters"), 0)).append(" | ")
                    .append(mebibytes(r.get("peakMemoryBytes"))).append(" | ")
                    .append(mebibytes(r.get("memoryAboveStartBytes"))).append(" | ")
                    .append(mebibytes(r.get("trainingPeakMemoryBytes"))).append(" | ")
                    .append(number(r.get("seconds"), 0)).append(" |\n");
        }
        InstancesProbe.Config probe = new InstancesProbe.Config();
        probe.batch = s.memoryBatch;
        probe.channels = s.memoryChannels;
        md.append('\n').append(String.format(Locale.ROOT, "PQ on %d test images of %s (ground"
                + " truth boxes: no region proposals); %d training images, up to %d epochs,"
                + " %d channels, hGRU kernel %d, batch %d; each row in its own JVM, training"
                + " peak its resident peak.%n", s.testSize, s.data, s.trainSize, s.epochs,
                s.channels, s.kernel, s.batch));
        md.append('\n').append(String.format(Locale.ROOT, "Probe: each row's model trained"
                + " for 1 + %d updates in a fresh JVM on %s; its resident peak, and the peak less"
                + " its resident size before the first update (what the training step holds).%n",
                MEMORY_ITERATIONS, InstancesProbe.describe(probe, rois)));
        return md.toString();
    }

    private static String mebibytes(Object bytes) {
        return bytes instanceof Number ? String.format(Locale.ROOT, "%.0f",
                ((Number) bytes).doubleValue() / (1 << 20)) : "-";
    }

    private static String number(Object v, int decimals) {
        if (!(v instanceof Number)) {
            return "-";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", ((Number) v).doubleValue());
    }

    /**
     * Reads {@code --rows}.
     *
     * @param names the rows' names
     * @return the rows, in order, without repeats
     */
    static List<Row> rows(List<String> names) {
        List<Row> rows = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String n : names) {
            Row r = Row.parse(n);
            if (seen.contains(r.name())) {
                throw new CliException("--rows: '" + n + "' is given twice");
            }
            seen.add(r.name());
            rows.add(r);
        }
        if (rows.isEmpty()) {
            throw new CliException("--rows: give at least one row");
        }
        return rows;
    }
}
