package org.crbp.examples.pathfinder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Measures Pathfinder generation speed, in images per second (a program, not a test).
 *
 * <p>Usage: {@code GeneratorBenchmark [seconds-per-measurement] [preset ...]}; defaults: 10 s,
 * {@code pf-14 pf-mini-14}. For each preset it reports in-memory generation on 1 thread and on
 * all processors, and generation written to PNG files (the {@code generate} path) on all
 * processors. Each measurement follows a warm-up of a third of its duration. Images of the
 * measurement are indices 0.. of seed 1, so runs are comparable.
 */
public final class GeneratorBenchmark {

    private GeneratorBenchmark() {}

    /**
     * Entry point.
     *
     * @param args seconds per measurement, then preset names
     * @throws IOException if the temporary folder cannot be written
     */
    public static void main(String[] args) throws IOException {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        List<String> names = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            names.add(args[i]);
        }
        if (names.isEmpty()) {
            names.add("pf-14");
            names.add("pf-mini-14");
        }
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(
                Locale.ROOT,
                "Pathfinder generator %s, %d processors, Java %s, %.0f s per measurement%n",
                PathfinderGenerator.VERSION,
                cores,
                System.getProperty("java.version"),
                seconds);
        System.out.println("Rates are wall-clock images per second; CPU columns are images per"
                + " second of process CPU time (robust to other load on the machine).");
        System.out.println("| preset | output | 1 thread | 1 thread, per CPU-s | " + cores
                + " threads | " + cores + " threads, per CPU-s | " + cores
                + " threads + PNG files | mean target attempts |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (String name : names) {
            PathfinderPreset preset = PathfinderPreset.byName(name);
            PathfinderGenerator gen = new PathfinderGenerator(preset);
            double[] one = rate(gen, 1, seconds);
            double[] all = rate(gen, cores, seconds);
            double files = fileRate(preset, cores, seconds, all[0]);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %dx%d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n",
                    preset,
                    preset.config().getOutputWidth(),
                    preset.config().getOutputHeight(),
                    one[0],
                    one[1],
                    all[0],
                    all[1],
                    files,
                    all[2]);
        }
    }

    /** Returns {wall images/s, images per CPU-second, mean target attempts}. */
    private static double[] rate(PathfinderGenerator gen, int threads, double seconds) {
        // Warm-up for a third of the time, which also estimates the rate.
        long n0 = 4L * threads;
        long first = 1_000_000L * threads;
        long t0 = System.nanoTime();
        long done = 0;
        while (System.nanoTime() - t0 < seconds / 3 * 1e9) {
            gen.forEach(1, first + done, n0, threads, s -> { }, null);
            done += n0;
        }
        double estimate = done / ((System.nanoTime() - t0) / 1e9);
        long count = Math.max(threads, (long) (estimate * seconds));
        AtomicLong attempts = new AtomicLong();
        long c0 = org.crbp.core.bench.ProcessMemory.processCpuNanos();
        t0 = System.nanoTime();
        gen.forEach(1, 0, count, threads, s -> attempts.addAndGet(s.getTargetAttempts()), null);
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (org.crbp.core.bench.ProcessMemory.processCpuNanos() - c0) / 1e9;
        return new double[] {count / wall, cpu > 0 ? count / cpu : Double.NaN,
            attempts.get() / (double) count};
    }

    private static double fileRate(
            PathfinderPreset preset, int threads, double seconds, double estimate)
            throws IOException {
        Path dir = Files.createTempDirectory("pf-bench");
        try {
            long count = Math.max(16, (long) (estimate * seconds));
            long t0 = System.nanoTime();
            PathfinderFolder.generate(dir.resolve("out"), preset, 1, count, threads, false, null);
            return count / ((System.nanoTime() - t0) / 1e9);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
