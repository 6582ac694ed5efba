/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.crbp.examples.ExitCode;
import org.crbp.examples.config.MethodKind;
import org.crbp.examples.instances.InstancesTask;
import org.crbp.examples.instances.PanopticSample;
import org.crbp.examples.instances.PanopticTargets;
import org.crbp.examples.instances.SceneConfig;
import org.crbp.examples.instances.SceneGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The instances task's memory probe on tiny models (2 scenes of 64 px, 2 channels): in this
 * process, and as {@code crbp benchmark --task instances} in fresh JVMs; and the benchmark's
 * bad options, each refused in one line before any probe.
 */
class InstancesBenchmarkTest {

    @TempDir Path tmp;

    /** The non-crowd thing instances of the probe's scenes: one ROI each. */
    private static long instancesOf(int batch, int size, long seed) {
        SceneGenerator g = new SceneGenerator(SceneConfig.defaults().withSize(size)
                .withInstances(InstancesProbe.MIN_INSTANCES, InstancesProbe.MAX_INSTANCES)
                .withSeed(seed));
        long n = 0;
        for (PanopticSample s : g.generate(0, batch)) {
            n += PanopticTargets.of(s.getAnnotation(), g.getCategories(),
                    InstancesTask.MASK_SIZE).instanceCount();
        }
        return n;
    }

    private static InstancesProbe.Config tiny() {
        InstancesProbe.Config c = new InstancesProbe.Config();
        c.channels = 2;
        c.batch = 2;
        c.size = 64;
        c.neumannTerms = 2;
        c.iterations = 1;
        return c;
    }

    @Test
    void probeInThisProcessReportsPeakAndRois() {
        long expected = instancesOf(2, 64, 1);
        // several instances per scene: the mask head sees many ROIs
        assertTrue(expected >= 2 * 4, "only " + expected + " instances in 2 scenes");
        for (MethodKind method : new MethodKind[] {null, MethodKind.CRBP}) {
            Map<String, Object> r = InstancesProbe.measure(tiny().with(method, 2));
            String what = method == null ? "ff" : method.toString();
            assertEquals(what, r.get("method"), r.toString());
            assertEquals(method == null ? 0 : 2, ((Number) r.get("steps")).intValue());
            assertEquals(expected, ((Number) r.get("rois")).longValue(), r.toString());
            long peak = ((Number) r.get("peakBytes")).longValue();
            long before = ((Number) r.get("residentBeforeBytes")).longValue();
            assertTrue(before > 0 && peak >= before, r.toString());
            assertEquals(peak - before, ((Number) r.get("aboveStartBytes")).longValue());
            assertTrue(((Number) r.get("parameters")).longValue() > 0, r.toString());
            assertTrue(((Number) r.get("secondsPerIteration")).doubleValue() > 0, r.toString());
        }
    }

    @Test
    void benchmarkWritesTheTableAndJson() throws IOException {
        Path out = tmp.resolve("bench");
        Cli c = Cli.run("benchmark", "--task", "instances", "--methods", "ff,crbp", "--steps",
                "2", "--channels", "2", "--batch", "2", "--neumann-terms", "2", "--iterations",
                "1", "--out", out.toString());
        assertEquals(0, c.exitCode, c.toString());
        assertTrue(c.out.contains("| ff | - |"), c.out);
        assertTrue(c.out.contains("| crbp | 2 |"), c.out);
        JsonObject r = CommandsEndToEndTest.json(out.resolve("benchmark.json"));
        assertEquals("instances", r.getAsJsonObject("setup").get("task").getAsString());
        JsonArray rows = r.getAsJsonArray("results");
        assertEquals(2, rows.size(), rows.toString());
        long expected = instancesOf(2, InstancesProbe.DEFAULT_SIZE, 1);
        for (int i = 0; i < 2; i++) {
            JsonObject row = rows.get(i).getAsJsonObject();
            assertEquals(expected, row.get("rois").getAsLong(), row.toString());
            assertTrue(row.get("peakBytes").getAsDouble() > 0, row.toString());
            assertTrue(row.get("residentBeforeBytes").getAsDouble() > 0, row.toString());
            assertTrue(row.get("cpuSecondsPerIteration").getAsDouble() >= 0, row.toString());
        }
        CommandsEndToEndTest.assertPng(out.resolve("benchmark.png"));
    }

    @Test
    void badOptionsAreOneLineBeforeAnyProbe() {
        Path out = tmp.resolve("bad");
        String[][] cases = {
            {"--preset", "pf-mini-14", "--preset"},
            {"--methods", "tbptt", "'tbptt'"},
            {"--methods", "ff,sgd", "'sgd'"},
            {"--size", "66", "--size must be 64 to 128"},
            {"--size", "256", "--size must be 64 to 128"},
            {"--batch", "0", "--batch must be at least 1"},
            {"--channels", "0", "--channels must be at least 1"},
            {"--kernel", "4", "--kernel must be an odd number"},
            {"--iterations", "0", "--iterations must be at least 1"},
            {"--steps", "0", "--steps must be at least 1"},
        };
        for (String[] bad : cases) {
            assertOneLine(Cli.run("benchmark", "--task", "instances", bad[0], bad[1], "--out",
                    out.toString()), bad[2]);
        }
        assertOneLine(Cli.run("benchmark", "--task", "instances", "--methods", "ff",
                "--kernel", "5", "--out", out.toString()), "--kernel has no effect with"
                + " --methods ff");
        assertOneLine(Cli.run("benchmark", "--task", "instances", "--methods", "bptt",
                "--neumann-terms", "4", "--out", out.toString()), "--neumann-terms has no"
                + " effect without rbp or crbp");
        assertOneLine(Cli.run("benchmark", "--task", "nope", "--out", out.toString()),
                "--task must be");
        // Pathfinder's images come from --preset
        assertOneLine(Cli.run("benchmark", "--size", "64", "--out", out.toString()),
                "--size is for --task instances");
        assertFalse(Files.exists(out.resolve("benchmark.json")));
    }

    private static void assertOneLine(Cli c, String fragment) {
        assertEquals(ExitCode.USAGE.code(), c.exitCode, c.toString());
        assertTrue(c.err.startsWith("crbp: error: ") && c.err.contains(fragment),
                "expected '" + fragment + "' in: " + c.err);
        assertEquals(1, c.err.strip().lines().count(), c.err);
        assertFalse(c.out.contains("| ff |") || c.out.contains("Benchmarking"), c.out);
    }
}
