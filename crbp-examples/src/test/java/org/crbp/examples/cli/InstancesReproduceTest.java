/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code crbp reproduce --task instances} on a handful of 64 px scenes: two rows, one epoch
 * each, the table's JSON shape, and a second call that only re-reads the finished rows.
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
            "--per-run", "2", "--threads", "1", "--out", out.toString()};
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
        }
        assertEquals(0, rows.getAsJsonObject("ff").get("steps").getAsInt());
        assertEquals(1, rows.getAsJsonObject("bptt-1").get("steps").getAsInt());
        String md = Files.readString(out.resolve("instances.md"));
        assertTrue(md.contains("| hGRU, BPTT | 1 |"), md);
        // a second call trains nothing: the finished rows are re-read, the numbers kept
        Cli again = Cli.run(args);
        assertEquals(0, again.exitCode, again.toString());
        assertTrue(again.out.contains("Row ff: finished, re-read"), again.out);
        JsonObject reread = CommandsEndToEndTest.json(out.resolve("instances.json"));
        assertEquals(rows.getAsJsonObject("bptt-1").get("pq").getAsDouble(),
                reread.getAsJsonObject("rows").getAsJsonObject("bptt-1").get("pq")
                        .getAsDouble(), 0.0);
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
    void pathfinderOptionsAreRefused() {
        Cli r = Cli.run("reproduce", "--task", "instances", "--data",
                tmp.resolve("none").toString(), "--lengths", "14", "--out",
                tmp.resolve("t").toString());
        assertEquals(2, r.exitCode, r.toString());
        assertTrue(r.err.contains("--lengths"), r.err);
    }
}
