/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import com.google.gson.JsonObject;

import org.crbp.examples.ExitCode;
import org.crbp.examples.cli.Cli;
import org.crbp.examples.cli.CommandsEndToEndTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The hooks of the one training loop: the time budget stops between two batches with a
 * checkpoint of the partial epoch, and a NaN loss stops the run naming epoch and batch.
 */
class TrainingLoopTest {

    @Test
    void theTimeBudgetStopsBetweenBatchesAndReports(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("budget");
        // 0.0001 minutes: spent after the first batch of two. The feedforward control, whose
        // batches have no recurrent steps to stop between (a recurrent model's batch stops inside
        // itself: SolverOptionsTest.timeBudgetStopsInsideALongBatch)
        Cli c = Cli.run(new String[] {"train", "--out", run.toString(),
            "--time-budget", "0.0001", "--epochs", "2", "--no-pictures", "--model", "ff",
            // TINY without its recurrent options, which the ff model refuses
            "--channels", "2", "--kernel", "3", "--batch", "4", "--train-size", "8",
            "--val-size", "4", "--test-size", "8"});
        assertEquals(0, c.exitCode, c.toString());
        assertTrue(c.out.contains("Time budget reached after 1 batches of epoch 1"), c.out);
        assertTrue(Files.isDirectory(run.resolve("checkpoints/epoch-000-b00001")));
        assertFalse(Files.exists(run.resolve("checkpoints/epoch-001")), "trained on");
        JsonObject report = CommandsEndToEndTest.json(run.resolve("report.json"));
        assertTrue(report.get("stoppedByTimeBudget").getAsBoolean());
        assertEquals(1, report.get("batchesInPartialEpoch").getAsInt());
        assertEquals(2, Files.readAllLines(run.resolve(MetricsLog.FILE)).size(),
                "header and one row");
    }

    @Test
    void aNonFiniteLossNamesEpochAndBatch(@TempDir Path tmp) {
        Path run = tmp.resolve("nan");
        Cli c = Cli.run(Cli.concat(new String[] {"train", "--out", run.toString(), "--lr", "1e30",
            "--clip", "0", "--epochs", "3", "--no-pictures"}, CheckpointTrustTest.TINY));
        assertEquals(ExitCode.FAILURE.code(), c.exitCode, c.toString());
        assertTrue(c.err.startsWith("crbp: error: training diverged at epoch "), c.err);
        assertTrue(c.err.contains("the last good checkpoint is"), c.err);
        assertEquals(1, c.err.strip().split("\n").length, c.err);
    }
}
