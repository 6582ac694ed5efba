/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.crbp.examples.config.Json;
import org.crbp.examples.config.AtomicFiles;
import org.crbp.examples.ExitCode;
import org.crbp.examples.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A run folder is one run: its settings rule from the first moment, a checkpoint from another
 * run is refused, and one process at a time holds it.
 */
class RunFolderTest {

    @TempDir Path tmp;

    private static final String[] TINY = Cli.concat(CheckpointTrustTest.ONE_BATCH, "--epochs",
            "1", "--no-pictures");

    private static Cli train(Path out, String... more) {
        return Cli.run(Cli.concat(Cli.concat(new String[] {"train", "--out", out.toString()},
                TINY), more));
    }

    private static Object setting(Path run, String name) throws IOException {
        Map<?, ?> m = Json.GSON.fromJson(Files.readString(run.resolve("config.json")), Map.class);
        return m.get(name);
    }

    /** A run killed before its first checkpoint: only its folder, config.json and run.json. */
    private Path killedBeforeFirstCheckpoint(String name, String... options) throws IOException {
        Path run = tmp.resolve(name);
        Cli c = train(run, options);
        assertEquals(0, c.exitCode, c.toString());
        Checkpoints.deleteTree(run.resolve(Checkpoints.FOLDER));
        Files.delete(run.resolve("report.json"));
        return run;
    }

    @Test
    void resumeWithoutACheckpointKeepsTheRunsSettings() throws IOException {
        Path run = killedBeforeFirstCheckpoint("early", "--lr", "0.02", "--seed", "5");
        Cli resumed = Cli.run("train", "--out", run.toString(), "--resume");
        assertEquals(0, resumed.exitCode, resumed.toString());
        assertTrue(resumed.out.contains("with its settings"), resumed.out);
        assertEquals(0.02, ((Number) setting(run, "lr")).doubleValue(), 1e-6);
        assertEquals(5.0, ((Number) setting(run, "seed")).doubleValue());
        Map<?, ?> report = Json.GSON.fromJson(Files.readString(run.resolve("report.json")),
                Map.class);
        assertEquals(4.0, ((Number) report.get("trainSize")).doubleValue(), "the tiny run's size");
    }

    @Test
    void aNewRunOverAnotherRunsSettingsIsRefusedTheSameOneStartsAgain() throws IOException {
        Path run = killedBeforeFirstCheckpoint("other", "--lr", "0.02");
        CheckpointTrustTest.assertOneLine(train(run, "--lr", "0.03"), "holds another run that has no checkpoint yet",
                "--lr 0.02", "--resume");
        assertEquals(0.02, ((Number) setting(run, "lr")).doubleValue(), 1e-6, "kept");
        Cli again = train(run, "--lr", "0.02");
        assertEquals(0, again.exitCode, again.toString());
    }

    @Test
    void aCheckpointCopiedInFromAnotherRunIsRefused() throws IOException {
        Path mine = tmp.resolve("mine");
        Path theirs = tmp.resolve("theirs");
        assertEquals(0, train(mine).exitCode);
        // the same settings, another run: only the identity tells them apart
        assertEquals(0, train(theirs).exitCode);
        Path copied = mine.resolve("checkpoints/epoch-001");
        Checkpoints.deleteTree(copied);
        Files.createDirectories(copied);
        for (Path f : Files.list(theirs.resolve("checkpoints/epoch-001")).toList()) {
            Files.copy(f, copied.resolve(f.getFileName()));
        }
        Cli c = Cli.run("train", "--out", mine.toString(), "--resume", "--epochs", "2");
        CheckpointTrustTest.assertOneLine(c, "belongs to another run", "run.json");
        assertFalse(Files.exists(mine.resolve("checkpoints/epoch-002")), "trained anyway");
    }

    @Test
    void aConvLstmCheckpointInAnHgruRunWithoutIdentityIsRefusedByItsSettings()
            throws IOException {
        Path mine = tmp.resolve("hgru");
        Path theirs = tmp.resolve("convlstm");
        assertEquals(0, train(mine).exitCode);
        assertEquals(0, train(theirs, "--model", "convlstm").exitCode);
        // a checkpoint from before run identities: only its settings can tell
        Checkpoints.deleteTree(mine.resolve("checkpoints"));
        Path from = theirs.resolve("checkpoints/epoch-001");
        Path to = Files.createDirectories(mine.resolve("checkpoints/epoch-001"));
        for (Path f : Files.list(from).toList()) {
            String text = f.getFileName().toString().equals("state.json")
                    ? Files.readString(f).replaceFirst(",\\s*\"runId\": \"[^\"]*\"", "")
                    : null;
            if (text != null) {
                Files.writeString(to.resolve("state.json"), text);
            } else if (!f.getFileName().toString().equals("state.sha256")) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        Files.writeString(to.resolve("state.sha256"),
                AtomicFiles.sha256(to.resolve("state.json")) + "  state.json\n");
        Cli c = Cli.run("train", "--out", mine.toString(), "--resume", "--epochs", "2");
        assertEquals(ExitCode.USAGE.code(), c.exitCode, c.toString());
        assertTrue(c.err.contains("another configuration") && c.err.contains("convlstm"), c.err);
        assertEquals("hgru", setting(mine, "model"), "config.json kept");
    }

    @Test
    void anOldRunWithoutConfigJsonResumesWithItsCheckpointsSettings() throws IOException {
        // a bptt run from before config.json and before the central difference: what its
        // checkpoint records is what it was trained with, not an option given without effect
        Path run = tmp.resolve("old-bptt");
        Cli first = Cli.run("train", "--out", run.toString(), "--method", "bptt", "--channels",
                "2", "--kernel", "3", "--steps", "3", "--batch", "4", "--train-size", "4",
                "--val-size", "4", "--test-size", "8", "--epochs", "1", "--no-pictures");
        assertEquals(0, first.exitCode, first.toString());
        Path ckpt = run.resolve("checkpoints/epoch-001");
        String state = Files.readString(ckpt.resolve("state.json"));
        String old = state.replace("\"penaltyDifference\": \"central\"",
                "\"penaltyDifference\": \"one-sided\"");
        assertTrue(!old.equals(state), state);
        Files.writeString(ckpt.resolve("state.json"), old);
        Files.writeString(ckpt.resolve("state.sha256"),
                AtomicFiles.sha256(ckpt.resolve("state.json")) + "  state.json\n");
        Files.delete(run.resolve("config.json"));
        Cli c = Cli.run("train", "--out", run.toString(), "--resume", "--epochs", "2");
        assertEquals(0, c.exitCode, c.toString());
        assertTrue(Files.isDirectory(run.resolve("checkpoints/epoch-002")));
    }

    @Test
    void aSecondProcessOnTheSameFolderIsRefused() throws Exception {
        Path run = tmp.resolve("locked");
        Files.createDirectories(run);
        // another JVM holds the folder's lock, as a running trainer does
        Path source = tmp.resolve("Holder.java");
        Files.writeString(source, String.join("\n",
                "import java.nio.channels.FileChannel;",
                "import java.nio.file.*;",
                "public class Holder {",
                "  public static void main(String[] a) throws Exception {",
                "    FileChannel ch = FileChannel.open(Paths.get(a[0]),",
                "        StandardOpenOption.CREATE, StandardOpenOption.WRITE);",
                "    ch.write(java.nio.ByteBuffer.wrap(\"pid 4242, since then\\n\".getBytes()));",
                "    ch.lock();",
                "    System.out.println(\"locked\");",
                "    Thread.sleep(60000);",
                "  }",
                "}"));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process holder = new ProcessBuilder(java, source.toString(),
                run.resolve(RunFolder.LOCK).toString()).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                holder.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("locked", r.readLine());
            CheckpointTrustTest.assertOneLine(train(run), "is in use by another crbp process", "pid 4242");
            assertFalse(Files.exists(run.resolve("config.json")), "wrote into a held folder");
        } finally {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        // the lock goes with the process, even killed
        assertEquals(0, train(run).exitCode);
    }

    @Test
    void emptyOrOddOutIsRefused() {
        for (String bad : List.of("", "  ", " run", "run\n")) {
            CheckpointTrustTest.assertOneLine(Cli.run(Cli.concat(new String[] {"train", "--out", bad}, TINY)),
                    "--out");
        }
    }
}
