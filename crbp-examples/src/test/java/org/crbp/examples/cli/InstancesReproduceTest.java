/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code crbp reproduce --task instances} on a handful of 64 px scenes: two rows, one epoch
 * each, each with its memory probe (2 scenes, 4 channels), the table's JSON shape, and a second
 * call that only re-reads the finished rows and their probes.
 */
public class InstancesReproduceTest {

    @TempDir Path tmp;

    @Test
    void twoRowsWriteTheTableAndAreReReadAfterwards() throws IOException {
        Path data = tmp.resolve("scenes");
        Cli g = Cli.run("generate", "--task", "instances", "--out", data.toString(), "--train",
                "2", "--val", "1", "--test", "2", "--size", "64", "--seed", "5");
        assertEquals(0, g.exitCode, g.toString());
        Path out = tmp.resolve("table");
        String[] args = {"reproduce", "--task", "instances", "--data", data.toString(),
            "--rows", "ff,bptt-1", "--epochs", "1", "--channels", "4", "--batch", "2",
            "--per-run", "2", "--threads", "1", "--memory-batch", "2", "--memory-channels",
            "4", "--out", out.toString()};
        Cli r = Cli.run(args);
        assertEquals(0, r.exitCode, r.toString());
        JsonObject table = CommandsEndToEndTest.json(out.resolve("instances.json"));
        JsonObject rows = table.getAsJsonObject("rows");
        assertEquals(2, rows.size(), rows.toString());
        for (String name : new String[] {"ff", "bptt-1"}) {
            JsonObject row = rows.getAsJsonObject(name);
            for (String key : new String[] {"pq", "sq", "rq", "thingsPq", "stuffPq",
                "parameters", "peakMemoryBytes", "steps", "seconds"}) {
                assertTrue(row.has(key), name + " lacks " + key + ": " + row);
            }
            double pq = row.get("pq").getAsDouble();
            assertTrue(pq >= 0 && pq <= 1, name + " PQ " + pq);
            assertTrue(row.get("peakMemoryBytes").getAsLong() > 0, row.toString());
            // the probe's peak, its part above the start, and the training process's own
            JsonObject probe = row.getAsJsonObject("memoryProbe");
            assertEquals(probe.get("peakBytes").getAsLong(), row.get("peakMemoryBytes")
                    .getAsLong(), row.toString());
            assertEquals(probe.get("peakBytes").getAsLong() - probe.get("residentBeforeBytes")
                    .getAsLong(), row.get("memoryAboveStartBytes").getAsLong(), row.toString());
            assertTrue(row.get("trainingPeakMemoryBytes").getAsLong() > 0, row.toString());
            assertEquals(2, probe.get("batch").getAsInt(), probe.toString());
            assertEquals(4, probe.get("channels").getAsInt(), probe.toString());
            assertEquals(64, probe.get("size").getAsInt(), probe.toString());
            assertEquals(row.get("steps").getAsInt(), probe.get("steps").getAsInt());
            assertTrue(probe.get("rois").getAsInt() >= 2, probe.toString());
            assertTrue(Files.isRegularFile(out.resolve("instances-" + name)
                    .resolve(InstancesReproduction.MEMORY_PROBE)));
        }
        assertEquals("ff", rows.getAsJsonObject("ff").getAsJsonObject("memoryProbe")
                .get("method").getAsString());
        assertEquals(0, rows.getAsJsonObject("ff").get("steps").getAsInt());
        assertEquals(1, rows.getAsJsonObject("bptt-1").get("steps").getAsInt());
        String md = Files.readString(out.resolve("instances.md"));
        assertTrue(md.contains("| hGRU, BPTT | 1 |"), md);
        assertTrue(md.contains("probe above start (MiB)") && md.contains("Probe: each row's"
                + " model trained for 1 + 2 updates in a fresh JVM on batch 2 scenes of 64 px"), md);
        // a second call trains nothing: the finished rows are re-read, the numbers kept
        Cli again = Cli.run(args);
        assertEquals(0, again.exitCode, again.toString());
        assertTrue(again.out.contains("Row ff: finished, re-read"), again.out);
        assertFalse(again.out.contains("memory probe"), "probed again: " + again.out);
        JsonObject reread = CommandsEndToEndTest.json(out.resolve("instances.json"));
        assertEquals(rows.getAsJsonObject("bptt-1").get("pq").getAsDouble(),
                reread.getAsJsonObject("rows").getAsJsonObject("bptt-1").get("pq")
                        .getAsDouble(), 0.0);
        assertEquals(rows.getAsJsonObject("bptt-1").get("peakMemoryBytes").getAsLong(),
                reread.getAsJsonObject("rows").getAsJsonObject("bptt-1").get("peakMemoryBytes")
                        .getAsLong());
    }

    @Test
    void badRowIsOneLine() {
        Cli r = Cli.run("reproduce", "--task", "instances", "--data",
                tmp.resolve("none").toString(), "--rows", "ff,crbp", "--out",
                tmp.resolve("t").toString());
        assertEquals(2, r.exitCode, r.toString());
        assertTrue(r.err.contains("'crbp'"), r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
    }

    @Test
    void badMemoryProbeSizeIsOneLine() {
        Cli r = Cli.run("reproduce", "--task", "instances", "--data",
                tmp.resolve("none").toString(), "--memory-batch", "0", "--out",
                tmp.resolve("t").toString());
        assertEquals(2, r.exitCode, r.toString());
        assertTrue(r.err.contains("--memory-batch must be at least 1, got 0"), r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        Cli p = Cli.run("reproduce", "--memory-channels", "8", "--out",
                tmp.resolve("t").toString());
        assertEquals(2, p.exitCode, p.toString());
        assertTrue(p.err.contains("--memory-channels is for --task instances"), p.err);
        assertEquals(1, p.err.strip().lines().count(), p.err);
    }

    @Test
    void pathfinderOptionsAreRefused() {
        Cli r = Cli.run("reproduce", "--task", "instances", "--data",
                tmp.resolve("none").toString(), "--lengths", "14", "--out",
                tmp.resolve("t").toString());
        assertEquals(2, r.exitCode, r.toString());
        assertTrue(r.err.contains("--lengths"), r.err);
    }
}
