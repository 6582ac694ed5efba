/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import org.crbp.examples.cli.Cli;
import org.crbp.examples.cli.CommandsEndToEndTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A run interrupted in the middle of an epoch and resumed reports what the uninterrupted run
 * reports: the interrupted epoch's loss, F1 and penalty cover all its batches (the partial
 * epoch's statistics are stored in the checkpoint).
 */
class ResumeReportTest {

    @Test
    void aMidEpochResumeReportsTheUninterruptedRunsNumbers(@TempDir Path tmp) throws Exception {
        String[] common = Cli.concat(CheckpointTrustTest.TINY, "--epochs", "2", "--no-pictures");
        Path whole = tmp.resolve("whole");
        Cli a = Cli.run(Cli.concat(new String[] {"train", "--out", whole.toString()}, common));
        assertEquals(0, a.exitCode, a.toString());
        Path split = tmp.resolve("split");
        Cli first = Cli.run(Cli.concat(new String[] {"train", "--out", split.toString(),
            "--stop-after-batches", "1"}, common));
        assertEquals(0, first.exitCode, first.toString());
        Checkpoints.Found partial = Checkpoints.latestIn(split);
        assertEquals(1, partial.state.batchesInEpoch);
        assertEquals(1, partial.state.partial.batches, "the partial epoch's tally is stored");
        Cli rest = Cli.run(Cli.concat(new String[] {"train", "--out", split.toString(),
            "--resume"}, common));
        assertEquals(0, rest.exitCode, rest.toString());

        JsonObject ra = CommandsEndToEndTest.json(whole.resolve("report.json"));
        JsonObject rb = CommandsEndToEndTest.json(split.resolve("report.json"));
        for (String key : new String[] {"f1", "iou", "precision", "recall", "epochs"}) {
            assertEquals(ra.get(key), rb.get(key), key);
        }
        JsonArray ha = ra.getAsJsonArray("history");
        JsonArray hb = rb.getAsJsonArray("history");
        assertEquals(2, ha.size());
        assertEquals(ha.size(), hb.size());
        for (int i = 0; i < ha.size(); i++) {
            JsonObject ea = ha.get(i).getAsJsonObject();
            JsonObject eb = hb.get(i).getAsJsonObject();
            for (String key : ea.keySet()) {
                if (key.equals("seconds") || key.equals("cpuSeconds")) {
                    continue; // wall and CPU time differ between any two runs
                }
                JsonElement va = ea.get(key);
                assertEquals(va, eb.get(key), "epoch " + (i + 1) + " " + key);
            }
        }
        assertTrue(ha.get(0).getAsJsonObject().get("loss").getAsDouble() > 0);
        assertTrue(Files.isRegularFile(split.resolve("checkpoints/epoch-002/state.json")));
    }
}
