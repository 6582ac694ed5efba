/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Peak resident memory of training against the number of steps, for BPTT and C-RBP, each
 * configuration in a fresh JVM ({@link MemoryProbe}), printed as a table with the ratios and
 * written as JSON lines.
 *
 * <p>Usage: {@code MemoryBenchmark [OUT.jsonl] [STEPS,STEPS,...]}; system properties {@code
 * crbp.bench.channels}, {@code .size}, {@code .batch}, {@code .kernel}, {@code .terms} change the
 * cell (defaults 32 channels, 96x96, batch 8, 3x3, 15 terms). Each probe runs with glibc's
 * {@code MALLOC_MMAP_THRESHOLD_=1048576} (unless {@code -Dcrbp.bench.glibcDefaults=true}), so
 * that freed tensors leave the resident set at once and the peak measures live memory rather than
 * the allocator's caches.
 */
public final class MemoryBenchmark {

    private static final Pattern NUMBER = Pattern.compile("\"(\\w+)\":\"?([^,\"}]+)");

    private MemoryBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args an optional output file and list of step counts
     * @throws IOException if a probe cannot be started or the output written
     * @throws InterruptedException if interrupted while waiting for a probe
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length > 0 && args[0].equals("--solvers")) {
            solvers(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Path out = Paths.get(args.length > 0 ? args[0] : "memory-benchmark.jsonl");
        int[] steps = {5, 10, 20, 40, 80};
        if (args.length > 1) {
            String[] parts = args[1].split(",");
            steps = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                steps[i] = Integer.parseInt(parts[i].trim());
            }
        }
        String[] sizes = {
            Integer.getInteger("crbp.bench.channels", 32).toString(),
            Integer.getInteger("crbp.bench.size", 96).toString(),
            Integer.getInteger("crbp.bench.batch", 8).toString(),
            Integer.getInteger("crbp.bench.kernel", 3).toString(),
            Integer.getInteger("crbp.bench.terms", 15).toString()
        };
        List<String> lines = new ArrayList<>();
        Map<String, Map<String, String>> bptt6 = new LinkedHashMap<>();
        Map<String, String> reference = probe("bptt", 6, sizes);
        lines.add(reference.get("_line"));
        bptt6.put("bptt6", reference);
        List<Map<String, String>[]> rows = new ArrayList<>();
        for (int t : steps) {
            @SuppressWarnings("unchecked")
            Map<String, String>[] row = new Map[] {probe("bptt", t, sizes), probe("crbp", t, sizes)};
            lines.add(row[0].get("_line"));
            lines.add(row[1].get("_line"));
            rows.add(row);
            System.err.printf(Locale.ROOT, "T=%d done%n", t);
        }
        Files.write(out, lines, StandardCharsets.UTF_8);

        double referencePeak = mb(reference, "peakBytes");
        System.out.printf(Locale.ROOT,
                "Cell: TanhCell %s channels, %sx%s kernel, %sx%s input, batch %s; C-RBP with %s"
                        + " Neumann terms, lambda 0.9, weight 10%n",
                sizes[0], sizes[3], sizes[3], sizes[1], sizes[1], sizes[2], sizes[4]);
        System.out.printf(Locale.ROOT, "BPTT at T=6 (the paper's BPTT budget): %.0f MB peak%n",
                referencePeak);
        System.out.println("| T | BPTT peak MB | BPTT s/iter | C-RBP peak MB | C-RBP s/iter |"
                + " C-RBP / BPTT memory | C-RBP / BPTT(T=6) memory |");
        System.out.println("|---|---|---|---|---|---|---|");
        double firstCrbp = 0;
        double lastCrbp = 0;
        for (Map<String, String>[] row : rows) {
            double b = mb(row[0], "peakBytes");
            double c = mb(row[1], "peakBytes");
            firstCrbp = firstCrbp == 0 ? c : firstCrbp;
            lastCrbp = c;
            System.out.printf(Locale.ROOT, "| %s | %.0f | %s | %.0f | %s | %.2f | %.2f |%n",
                    row[0].get("steps"), b, row[0].get("secondsPerIteration"), c,
                    row[1].get("secondsPerIteration"), c / b, c / referencePeak);
        }
        System.out.printf(Locale.ROOT, "C-RBP peak at T=%d / at T=%d: %.3f%n",
                steps[steps.length - 1], steps[0], lastCrbp / firstCrbp);
        System.out.println("JSON lines written to " + out.toAbsolutePath());
    }

    /**
     * Peak memory of C-RBP with each solver at a small and a large number of iterations: plain and
     * Anderson forward ({@code T - 1} iterations), all-terms Neumann and Anderson adjoint ({@code
     * K} products, T fixed at 10). Plain iteration and Neumann must stay flat; Anderson may grow by
     * its window of {@code 2m} state copies, not with the iterations.
     */
    private static void solvers(String[] args) throws IOException, InterruptedException {
        Path out = Paths.get(args.length > 0 ? args[0] : "memory-solvers.jsonl");
        int[] iterations = {10, 80};
        if (args.length > 1) {
            iterations = Arrays.stream(args[1].split(",")).mapToInt(v -> Integer.parseInt(
                    v.trim())).toArray();
        }
        String channels = Integer.getInteger("crbp.bench.channels", 32).toString();
        String size = Integer.getInteger("crbp.bench.size", 96).toString();
        String batch = Integer.getInteger("crbp.bench.batch", 8).toString();
        String kernel = Integer.getInteger("crbp.bench.kernel", 3).toString();
        // a contractive start (weight scale 0.5): the terms stay finite for 80 iterations
        String scale = System.getProperty("crbp.bench.weightScale", "0.5");
        String[][] rows = {
            {"crbp-naive", "forward"}, {"crbp-anderson", "forward"},
            {"crbp-neumann-all", "adjoint"}, {"crbp-anderson-adjoint", "adjoint"}
        };
        List<String> lines = new ArrayList<>();
        System.out.printf(Locale.ROOT, "Cell: TanhCell %s channels, %sx%s kernel, %sx%s input,"
                + " batch %s, weight scale %s; C-RBP lambda 0.9, weight 10%n", channels, kernel,
                kernel, size, size, batch, scale);
        StringBuilder header = new StringBuilder("| solver | iterations |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (int it : iterations) {
            header.append(" peak MB at ").append(it).append(" |");
            rule.append("---|");
        }
        header.append(" last / first |");
        rule.append("---|");
        System.out.println(header);
        System.out.println(rule);
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder("| " + row[0] + " | " + row[1] + " |");
            double first = 0;
            double last = 0;
            for (int it : iterations) {
                boolean forward = row[1].equals("forward");
                int steps = forward ? it + 1 : 10;
                int terms = forward ? 15 : it;
                Map<String, String> result = probe(row[0], steps, new String[] {
                    channels, size, batch, kernel, Integer.toString(terms), "3", scale});
                lines.add(result.get("_line"));
                double peak = mb(result, "peakBytes");
                first = first == 0 ? peak : first;
                last = peak;
                line.append(String.format(Locale.ROOT, " %.0f |", peak));
            }
            line.append(String.format(Locale.ROOT, " %.3f |", last / first));
            System.out.println(line);
        }
        Files.write(out, lines, StandardCharsets.UTF_8);
        System.out.println("JSON lines written to " + out.toAbsolutePath());
    }

    private static double mb(Map<String, String> values, String key) {
        return Double.parseDouble(values.get(key)) / (1024.0 * 1024.0);
    }

    private static Map<String, String> probe(String method, int steps, String[] sizes)
            throws IOException, InterruptedException {
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MemoryProbe.class.getName());
        command.add(method);
        command.add(Integer.toString(steps));
        for (String size : sizes) {
            command.add(size);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
        if (!Boolean.getBoolean("crbp.bench.glibcDefaults")) {
            // blocks above 1 MiB go straight back to the system when freed, so that peak
            // resident memory measures live tensors rather than the allocator's free lists
            builder.environment().putIfAbsent("MALLOC_MMAP_THRESHOLD_", "1048576");
        }
        Process process = builder.start();
        String json = null;
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("{")) {
                    json = line;
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0 || json == null) {
            String error = new String(process.getErrorStream().readAllBytes(),
                    StandardCharsets.UTF_8);
            throw new IOException("The probe for " + method + " T=" + steps + " failed (exit "
                    + exit + "): " + error);
        }
        Map<String, String> values = new LinkedHashMap<>();
        Matcher matcher = NUMBER.matcher(json);
        while (matcher.find()) {
            values.put(matcher.group(1), matcher.group(2));
        }
        values.put("_line", json);
        return values;
    }
}
