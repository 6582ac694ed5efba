/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.CliException;
import org.crbp.examples.analysis.Charts;
import org.crbp.examples.config.AtomicFiles;
import org.crbp.examples.run.Checkpoints;
import org.crbp.examples.task.Task;
import org.crbp.examples.task.Tasks;
import org.crbp.examples.config.Json;
import org.crbp.examples.run.Provenance;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code crbp compare}: the validation metric that selects a task's best checkpoint (IoU for
 * Pathfinder, PQ for the instances task) of several training runs of one task against wall time,
 * CPU time and updates, as pictures and a Markdown table (the learning study's figures).
 */
@Command(
        usageHelpWidth = 100,
        name = "compare",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Compare training runs: validation IoU (PQ for instances runs) against wall time,",
            "CPU time and updates. Writes iou-vs-time.png, iou-vs-updates.png, iou-vs-cpu.png",
            "(pq-vs-... for instances runs) and compare.md to OUT."
        })
final class CompareCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "<run>", arity = "1..*",
            description = "Run folders written by 'crbp train' (finished or not).")
    List<Path> runs;

    @Mixin CommonOptions.Out output = new CommonOptions.Out();

    @Option(names = "--title", defaultValue = "", paramLabel = "<text>",
            description = "Title of the pictures (empty: none). Default: empty.")
    String title;

    /** One run's curve. */
    static final class Curve {
        String name;
        double[] minutes;
        double[] cpuMinutes;
        double[] updates;
        /** The task's name and how it names its selection metric (IoU, PQ). */
        String task;
        String metric;
        double[] validation;
        /** Per epoch: the largest J^T 1 the monitor saw, the fraction of validation images
         * that contract and their median drift (NaN where not measured). */
        double[] maxColumnSum;
        double[] contracting;
        double[] drift;
        double bestValidation;
        Map<?, ?> contraction;
        double testValue = Double.NaN;
        double testRecall = Double.NaN;
        String command = "";
    }

    /** {@inheritDoc} */
    @Override
    public Integer call() throws IOException {
        // before the runs are read: a bad --out is told at once, not after the work
        Path out = output.writable();
        List<String> names = names(runs);
        List<Curve> curves = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            Curve c = read(runs.get(i));
            c.name = names.get(i);
            curves.add(c);
        }
        String metric = commonMetric(curves);
        String prefix = metric.toLowerCase(Locale.ROOT);
        XYChart time = chart("wall time of training (min)", metric);
        XYChart updates = chart("updates", metric);
        XYChart cpu = chart("CPU time of the process (min, all threads)", metric);
        boolean anyCpu = false;
        for (Curve c : curves) {
            if (c.validation.length == 0) {
                continue;
            }
            time.addSeries(c.name, c.minutes, c.validation);
            updates.addSeries(c.name, c.updates, c.validation);
            // runs written before CPU time was recorded have none
            if (c.cpuMinutes[c.cpuMinutes.length - 1] > 0) {
                cpu.addSeries(c.name, c.cpuMinutes, c.validation);
                anyCpu = true;
            }
        }
        if (anyCpu) {
            Charts.save(cpu, out.resolve(prefix + "-vs-cpu.png"));
        }
        Charts.save(time, out.resolve(prefix + "-vs-time.png"));
        Charts.save(updates, out.resolve(prefix + "-vs-updates.png"));
        contractionCharts(curves);
        String table = "Written by `crbp compare` (crbp commit "
                + Provenance.gitCommit() + ").\n\n" + table(curves);
        AtomicFiles.writeString(out.resolve("compare.md"), table);
        PrintWriter console = spec.commandLine().getOut();
        console.print(table);
        console.println("Pictures: " + out.resolve(prefix + "-vs-time.png") + ", "
                + out.resolve(prefix + "-vs-updates.png"));
        console.flush();
        return 0;
    }

    /**
     * The contraction against updates, for runs of recurrent models: the largest {@code J^T 1}
     * the monitor saw in each epoch, and (where measured) the fraction of validation images that
     * contract and their median drift.
     */
    private void contractionCharts(List<Curve> curves) throws IOException {
        XYChart columnSums = Charts.chart(title, "updates", "largest J^T 1 in the epoch");
        XYChart contracting = Charts.chart(title, "updates",
                "validation images that contract (fraction)");
        XYChart drift = Charts.chart(title, "updates", "median drift ||h_4N - h_N|| / ||h_N||");
        int[] series = new int[3];
        for (Curve c : curves) {
            // a feedforward run records no column sums (0)
            series[0] += addFinite(columnSums, c.name, c.updates, c.maxColumnSum, true);
            series[1] += addFinite(contracting, c.name, c.updates, c.contracting, false);
            series[2] += addFinite(drift, c.name, c.updates, c.drift, false);
        }
        if (series[0] > 0) {
            columnSums.getStyler().setYAxisLogarithmic(true);
        }
        XYChart[] charts = {columnSums, contracting, drift};
        String[] files = {"jt1-vs-updates.png", "contracting-vs-updates.png",
            "drift-vs-updates.png"};
        for (int i = 0; i < charts.length; i++) {
            if (series[i] > 0) {
                charts[i].getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
                charts[i].getStyler().setXAxisMin(0.0);
                charts[i].getStyler().setXAxisDecimalPattern("#0");
                Charts.save(charts[i], output.out.resolve(files[i]));
            }
        }
    }

    /**
     * Adds the finite (and, if asked, positive) points of a curve as a series; returns 1 if it
     * had any, else 0.
     */
    private static int addFinite(XYChart chart, String name, double[] x, double[] y,
            boolean positiveOnly) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int i = 0; i < y.length; i++) {
            if (Double.isFinite(y[i]) && (!positiveOnly || y[i] > 0)) {
                xs.add(x[i]);
                ys.add(y[i]);
            }
        }
        if (xs.isEmpty()) {
            return 0;
        }
        chart.addSeries(name, xs, ys);
        return 1;
    }

    /**
     * The label of the metric every run is compared on; runs of different tasks are refused
     * in one line (their curves measure different things).
     */
    static String commonMetric(List<Curve> curves) {
        Curve first = curves.get(0);
        for (Curve c : curves) {
            if (!c.task.equals(first.task)) {
                throw new CliException("run " + c.name + " is of the " + c.task + " task and run "
                        + first.name + " of the " + first.task + " task: compare runs of one"
                        + " task");
            }
        }
        return first.metric;
    }

    private XYChart chart(String x, String metric) {
        XYChart c = Charts.chart(title, x, "validation " + metric);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.0);
        c.getStyler().setXAxisMin(0.0);
        c.getStyler().setXAxisDecimalPattern("#0");
        c.getStyler().setMarkerSize(4);
        return c;
    }

    /**
     * The names of the runs' series and table rows: each run folder's shortest path suffix that
     * no other run shares ({@code seed1/main} and {@code seed2/main} for two folders named
     * {@code main}); XChart refuses two series of one name.
     *
     * @param runs the run folders, as given
     * @return their names, in the same order
     * @throws CliException if a run folder is given twice
     */
    static List<String> names(List<Path> runs) {
        List<Path> full = new ArrayList<>();
        for (Path run : runs) {
            Path p = run.toAbsolutePath().normalize();
            int first = full.indexOf(p);
            if (first >= 0) {
                String other = runs.get(first).toString();
                throw new CliException("run " + run + " is given twice"
                        + (other.equals(run.toString()) ? "" : " (also as " + other + ")")
                        + ": give each run once");
            }
            full.add(p);
        }
        int[] depth = new int[full.size()];
        java.util.Arrays.fill(depth, 1);
        List<String> names = new ArrayList<>();
        while (true) {
            names.clear();
            for (int i = 0; i < full.size(); i++) {
                names.add(suffix(full.get(i), depth[i]));
            }
            boolean grew = false;
            for (int i = 0; i < full.size(); i++) {
                for (int j = 0; j < full.size(); j++) {
                    if (i != j && names.get(i).equals(names.get(j))
                            && depth[i] < full.get(i).getNameCount()) {
                        depth[i]++;
                        grew = true;
                        break;
                    }
                }
            }
            if (!grew) {
                return names;
            }
        }
    }

    /** The last {@code n} names of a path, separated by '/'. */
    private static String suffix(Path p, int n) {
        int count = p.getNameCount();
        if (count == 0) {
            return p.toString();
        }
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, count - n); i < count; i++) {
            sb.append(sb.length() == 0 ? "" : "/").append(p.getName(i));
        }
        return sb.toString();
    }

    static Curve read(Path run) {
        if (!Files.exists(run)) {
            throw new CliException("run folder not found: " + run);
        }
        if (!Files.isDirectory(run)) {
            throw new CliException(run + " is a file, not a run folder (give the folder that"
                    + " 'crbp train --out' wrote)");
        }
        Checkpoints.Found found = Checkpoints.latestIn(run, OptionNames.OPTIONS);
        if (found == null) {
            Path parent = run.toAbsolutePath().normalize().getParent();
            if (parent != null && parent.getFileName() != null
                    && parent.getFileName().toString().equals(Checkpoints.FOLDER)) {
                // a checkpoint, not a run: compare reads a run's whole history
                throw new CliException(run + " is one checkpoint; compare reads a run's history:"
                        + " give its run folder " + parent.getParent());
            }
            throw new CliException(run + " holds no checkpoint of a training run (expected a"
                    + " run folder written by 'crbp train')");
        }
        List<Checkpoints.EpochRecord> h = found.state.history;
        Curve c = new Curve();
        c.name = run.toString();
        int n = h.size();
        c.minutes = new double[n];
        c.cpuMinutes = new double[n];
        c.updates = new double[n];
        c.validation = new double[n];
        c.maxColumnSum = new double[n];
        c.contracting = new double[n];
        c.drift = new double[n];
        double wall = 0;
        double cpu = 0;
        // a run of an older crbp may lack the batch; the updates then come from the records
        int perEpoch = found.state.config.batch > 0
                ? found.state.config.trainSize / found.state.config.batch : 0;
        // the curve of the metric that selects the task's best checkpoint (Pathfinder's IoU)
        Task task = Tasks.of(found.state.config);
        String selection = task.selectionMetric();
        c.task = task.name();
        c.metric = task.selectionMetricLabel();
        for (int i = 0; i < n; i++) {
            Checkpoints.EpochRecord r = h.get(i);
            wall += r.seconds;
            cpu += r.cpuSeconds;
            c.minutes[i] = wall / 60;
            c.cpuMinutes[i] = cpu / 60;
            c.updates[i] = r.updates > 0 ? r.updates : (double) r.epoch * perEpoch;
            c.validation[i] = r.metric(selection);
            c.maxColumnSum[i] = r.maxColumnSum;
            c.contracting[i] = r.contractingFraction;
            c.drift[i] = r.driftMedian;
            c.bestValidation = Math.max(c.bestValidation, r.metric(selection));
        }
        Path report = run.resolve("report.json");
        if (Files.isRegularFile(report)) {
            Map<?, ?> m;
            try {
                m = Json.GSON.fromJson(Files.readString(report, StandardCharsets.UTF_8), Map.class);
            } catch (IOException | RuntimeException e) {
                throw new CliException("cannot read " + report + ": " + e.getMessage());
            }
            c.testValue = number(m.get(c.metric.toLowerCase(Locale.ROOT)));
            c.testRecall = number(m.get("recall"));
            c.contraction = m.get("contraction") instanceof Map ? (Map<?, ?>) m.get("contraction")
                    : null;
            Object command = m.get("commandLine");
            c.command = command == null ? "" : command.toString();
        }
        return c;
    }

    private static double number(Object o) {
        return o instanceof Number ? ((Number) o).doubleValue() : Double.NaN;
    }

    static String table(List<Curve> curves) {
        String metric = curves.isEmpty() ? "IoU" : commonMetric(curves);
        StringBuilder sb = new StringBuilder();
        sb.append("| run | updates | wall min | CPU min | last val " + metric + " | best val "
                + metric + " | test " + metric
                + " | test recall | test: converged to tol | spectral radius median / p95"
                + " | drift median |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Curve c : curves) {
            int n = c.validation.length;
            sb.append(String.format(Locale.ROOT, "| %s | %.0f | %.1f | %.1f | %s | %s | %s | %s"
                    + " | %s | %s | %s |%n",
                    c.name, n == 0 ? 0 : c.updates[n - 1], n == 0 ? 0 : c.minutes[n - 1],
                    n == 0 ? 0 : c.cpuMinutes[n - 1], n == 0 ? "-" : fmt(c.validation[n - 1]),
                    n == 0 ? "-" : fmt(c.bestValidation), fmt(c.testValue), fmt(c.testRecall),
                    fmt(figure(c, "convergedFraction")),
                    fmt(figure(c, "spectralRadiusMedian")) + " / "
                            + fmt(figure(c, "spectralRadiusP95")),
                    fmt(figure(c, "driftMedian"))));
        }
        return sb.toString();
    }

    private static double figure(Curve c, String name) {
        return c.contraction == null ? Double.NaN : number(c.contraction.get(name));
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
