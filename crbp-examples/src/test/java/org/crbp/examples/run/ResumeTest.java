/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import org.crbp.examples.ExitCode;
import org.crbp.examples.cli.Cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --resume} after interruptions (inside an epoch and at its end) gives the weights and the
 * optimizer state of an uninterrupted run, bit for bit.
 */
class ResumeTest {

    @Test
    void resumedRunEndsWithTheSameWeights(@TempDir Path tmp) throws IOException {
        String[] common = Cli.concat(Cli.TINY, "--epochs", "2", "--no-pictures");
        Path whole = tmp.resolve("whole");
        Cli a = Cli.run(Cli.concat(new String[] {"train", "--out", whole.toString()}, common));
        assertEquals(0, a.exitCode, a.toString());

        Path split = tmp.resolve("split");
        // interrupted inside epoch 1 (after its first batch), then at the end of epoch 1
        Cli inside = Cli.run(Cli.concat(new String[] {"train", "--out", split.toString(),
            "--stop-after-batches", "1"}, common));
        assertEquals(0, inside.exitCode, inside.toString());
        assertTrue(Files.isDirectory(split.resolve("checkpoints/epoch-000-b00001")),
                inside.toString());
        Cli first = Cli.run(Cli.concat(new String[] {"train", "--out", split.toString(),
            "--resume", "--stop-after-epoch", "1"}, common));
        assertEquals(0, first.exitCode, first.toString());
        assertTrue(first.out.contains("Resuming after epoch 0 and 1 batches of epoch 1"),
                first.out);
        assertTrue(Files.isDirectory(split.resolve("checkpoints/epoch-001")));
        assertTrue(!Files.exists(split.resolve("checkpoints/epoch-002")));

        Cli again = Cli.run(Cli.concat(new String[] {"train", "--out", split.toString()},
                common));
        assertEquals(ExitCode.USAGE.code(), again.exitCode, "needs --resume: " + again);
        assertTrue(again.err.contains("--resume"), again.err);

        Cli resumed = Cli.run(Cli.concat(new String[] {"train", "--out", split.toString(),
            "--resume"}, common));
        assertEquals(0, resumed.exitCode, resumed.toString());
        assertTrue(resumed.out.contains("Resuming after epoch 1"), resumed.out);

        String params = "checkpoints/epoch-002/crbp-0002.params";
        assertArrayEquals(Files.readAllBytes(whole.resolve(params)),
                Files.readAllBytes(split.resolve(params)), "final weights differ");
        String adam = "checkpoints/epoch-002/optimizer.bin";
        assertArrayEquals(Files.readAllBytes(whole.resolve(adam)),
                Files.readAllBytes(split.resolve(adam)), "optimizer state differs");

        Cli other = Cli.run(Cli.concat(new String[] {"train", "--out", split.toString(),
            "--resume", "--lr", "0.02"}, common));
        assertEquals(ExitCode.USAGE.code(), other.exitCode, other.toString());
        assertTrue(other.err.contains("another configuration") && other.err.contains("lr"),
                other.err);
    }
}
