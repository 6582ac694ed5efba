/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.ExitCode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Bad options give one clear line and a non-zero exit code, never a stack trace. */
class BadOptionsTest {

    private static void assertError(Cli c, String fragment) {
        assertTrue(c.exitCode != 0, "exit code 0 for a bad option: " + c);
        assertTrue(c.err.startsWith("crbp: error: "), c.err);
        assertTrue(c.err.contains(fragment), "expected '" + fragment + "' in: " + c.err);
        assertFalse(c.err.contains("\tat "), "stack trace in: " + c.err);
    }

    @Test
    void unknownPreset() {
        assertError(Cli.run("train", "--preset", "pf-99"), "Unknown Pathfinder preset 'pf-99'");
        assertError(Cli.run("generate", "--preset", "nope", "--out", "x"),
                "Unknown Pathfinder preset");
    }

    @Test
    void stepsBelowOne() {
        assertError(Cli.run("train", "--steps", "0"), "--steps must be at least 1, got 0");
        assertError(Cli.run("evaluate", "--checkpoint", ".", "--steps", "0"),
                "--steps must be from 1 to 10000");
    }

    @Test
    void otherBadValues() {
        assertError(Cli.run("train", "--model", "resnet"), "--model must be hgru, convlstm or ff");
        assertError(Cli.run("train", "--lambda", "1.5"), "--lambda must be in [0, 1)");
        assertError(Cli.run("train", "--steps", "abc"), "--steps");
        assertError(Cli.run("train", "--bogus"), "Unknown option: '--bogus'");
    }

    @Test
    void outputFolderUnderAFile(@TempDir Path tmp) throws java.io.IOException {
        Path file = java.nio.file.Files.writeString(tmp.resolve("a-file"), "x");
        String under = file.resolve("sub").toString();
        for (String[] args : new String[][] {
            {"train", "--out", under}, {"generate", "--out", under},
            {"evaluate", "--checkpoint", tmp.toString(), "--out", under}}) {
            Cli c = Cli.run(args);
            assertError(c, "lies under " + file + ", which is a file, not a folder");
            assertEquals(ExitCode.USAGE.code(), c.exitCode);
        }
    }

    @Test
    void missingCheckpoint(@TempDir Path tmp) {
        Path missing = tmp.resolve("no-such-run");
        Cli c = Cli.run("evaluate", "--checkpoint", missing.toString());
        assertError(c, "checkpoint not found: " + missing);
        assertEquals(ExitCode.USAGE.code(), c.exitCode);
        assertError(Cli.run("analyze", "--checkpoint", tmp.toString()), "checkpoint not found");
    }

    @Test
    void corruptCheckpointState(@TempDir Path tmp) throws IOException {
        Path ckpt = Files.createDirectories(tmp.resolve("run/checkpoints/epoch-001"));
        Files.writeString(ckpt.resolve("state.json"), "{ not json");
        Files.write(ckpt.resolve("crbp-0001.params"), new byte[] {1, 2, 3});
        assertError(Cli.run("evaluate", "--checkpoint", tmp.resolve("run").toString()),
                "checkpoint " + ckpt + " is corrupt");
    }

    @Test
    void helpEverywhere() {
        for (String cmd : new String[] {"generate", "train", "evaluate", "analyze", "benchmark",
            "reproduce"}) {
            Cli c = Cli.run(cmd, "--help");
            assertEquals(0, c.exitCode, cmd + ": " + c);
            assertTrue(c.out.contains("Usage: crbp " + cmd), c.out);
        }
    }
}
