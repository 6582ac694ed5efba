/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import org.crbp.examples.config.AtomicFiles;
import org.crbp.examples.CliException;
import org.crbp.examples.ExitCode;
import org.crbp.examples.cli.Cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Checkpoints cannot be silently wrong: a parameter file overwritten with random bytes or zeros is
 * refused by {@code evaluate} and {@code train --resume} with one line naming the file (and, for
 * resume, the previous good checkpoint and the option that resumes from it); checkpoints sort by
 * number; leftovers of interrupted writes are removed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class CheckpointTrustTest {

    @TempDir static Path tmp;
    private Path run;
    /** A model small enough for tests (seconds per run), valid with every recipe default. */
    public static final String[] TINY = {
        "--channels", "2", "--kernel", "3", "--steps", "3", "--neumann-terms", "2",
        "--batch", "4", "--train-size", "8", "--val-size", "4", "--test-size", "8"
    };
    /** TINY with one batch per epoch: two short epochs. */
    static final String[] ONE_BATCH = {
        "--channels", "2", "--kernel", "3", "--steps", "3", "--neumann-terms", "2",
        "--batch", "4", "--train-size", "4", "--val-size", "4", "--test-size", "8"
    };
    private static final String[] COMMON = Cli.concat(ONE_BATCH, "--epochs", "2",
            "--no-pictures");

    @BeforeAll
    void train() {
        run = tmp.resolve("run");
        Cli c = Cli.run(Cli.concat(new String[] {"train", "--out", run.toString()}, COMMON));
        assertEquals(0, c.exitCode, c.toString());
    }

    private Path copyOfRun(String name) throws IOException {
        Path copy = tmp.resolve(name);
        try (Stream<Path> s = Files.walk(run)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path q = copy.resolve(run.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
        return copy;
    }

    /** Asserts exit 2 and one {@code crbp: error:} line holding every fragment. */
    static void assertOneLine(Cli c, String... fragments) {
        assertEquals(ExitCode.USAGE.code(), c.exitCode, c.toString());
        assertTrue(c.err.startsWith("crbp: error: "), c.err);
        assertEquals(1, c.err.strip().split("\n").length, "one line: " + c.err);
        for (String f : fragments) {
            assertTrue(c.err.contains(f), "expected '" + f + "' in: " + c.err);
        }
    }

    @Test
    void stateRecordsSizeAndDigestOfEveryFile() throws IOException {
        Checkpoints.Found f = Checkpoints.latestIn(run);
        assertNotNull(f);
        assertEquals("epoch-002", f.dir.getFileName().toString());
        assertNotNull(f.state.files);
        assertEquals(2, f.state.files.size(), f.state.files.keySet().toString());
        Checkpoints.FileRecord r = f.state.files.get("crbp-0002.params");
        Path params = f.dir.resolve("crbp-0002.params");
        assertEquals(Files.size(params), r.bytes);
        assertEquals(AtomicFiles.sha256(params), r.sha256);
        assertEquals(64, r.sha256.length());
    }

    @Test
    void randomBytesInTheParametersAreRefused() throws IOException {
        Path copy = copyOfRun("random");
        Path params = copy.resolve("checkpoints/epoch-002/crbp-0002.params");
        byte[] noise = new byte[(int) Files.size(params)];
        new Random(7).nextBytes(noise);
        Files.write(params, noise);
        assertOneLine(Cli.run("evaluate", "--checkpoint", copy.toString()),
                "crbp-0002.params", "does not match the SHA-256", "epoch-002",
                "the previous good checkpoint is");
        Cli resume = Cli.run(Cli.concat(new String[] {"train", "--out", copy.toString(),
            "--resume", "--epochs", "3"}, Cli.concat(ONE_BATCH, "--no-pictures")));
        assertOneLine(resume, "crbp-0002.params", "--resume-from epoch-001");
        assertFalse(Files.exists(copy.resolve("checkpoints/epoch-003")), "trained anyway");
        assertFalse(Files.exists(copy.resolve("report.json")) && resume.out.contains("Epoch 3"));
    }

    @Test
    void aHandEditedStateIsRefused() throws IOException {
        Path copy = copyOfRun("edited-state");
        Path state = copy.resolve("checkpoints/epoch-002/state.json");
        String text = Files.readString(state);
        String edited = text.replaceFirst("\"seed\": 1,", "\"seed\": 2,");
        assertTrue(!edited.equals(text), "the seed is in state.json");
        Files.writeString(state, edited); // still valid, still consistent with the files
        assertOneLine(Cli.run("evaluate", "--checkpoint", copy.toString()),
                "state.json does not match the SHA-256 recorded in state.sha256",
                "epoch-002", "the previous good checkpoint is");
        Cli resume = Cli.run(Cli.concat(new String[] {"train", "--out", copy.toString(),
            "--resume", "--epochs", "3"}, Cli.concat(ONE_BATCH, "--no-pictures")));
        assertOneLine(resume, "state.json", "--resume-from epoch-001");
        assertFalse(Files.exists(copy.resolve("checkpoints/epoch-003")), "trained anyway");
        // a changed checksum file is refused the same way
        Path copy2 = copyOfRun("edited-sidecar");
        Files.writeString(copy2.resolve("checkpoints/epoch-002/state.sha256"),
                "0".repeat(64) + "  state.json\n");
        assertOneLine(Cli.run("evaluate", "--checkpoint", copy2.toString()),
                "state.json does not match", "the previous good checkpoint is");
    }

    @Test
    void aRemovedStateChecksumIsRefusedUnlessTheCheckpointPredatesChecksums() throws IOException {
        Path copy = copyOfRun("no-sidecar");
        Path dir = copy.resolve("checkpoints/epoch-002");
        assertTrue(Checkpoints.read(dir).stateVerified);
        Files.delete(dir.resolve("state.sha256"));
        // written by a crbp that writes state.sha256: someone removed it
        assertOneLine(Cli.run("evaluate", "--checkpoint", copy.toString()),
                "state.sha256 is missing", "cannot be verified");
        // a checkpoint whose provenance shows a crbp from before checksums loads, with a warning
        writtenBefore(dir, "2026-11-20T10:00:00+01:00");
        assertFalse(Checkpoints.read(dir).stateVerified);
        Cli ok = Cli.run("evaluate", "--checkpoint", copy.toString(), "--out",
                tmp.resolve("no-sidecar-eval").toString());
        assertEquals(0, ok.exitCode, ok.toString());
    }

    /** Makes a checkpoint's provenance say it was written by a crbp of the given commit time. */
    private static void writtenBefore(Path checkpoint, String commitTime) throws IOException {
        Path state = checkpoint.resolve("state.json");
        String text = Files.readString(state, StandardCharsets.UTF_8);
        String edited = text.replaceFirst("\"gitCommitTime\": \"[^\"]*\"",
                "\"gitCommitTime\": \"" + commitTime + "\"");
        assertTrue(!edited.equals(text) || text.contains(commitTime), "no gitCommitTime: " + text);
        Files.writeString(state, edited, StandardCharsets.UTF_8);
    }

    @Test
    void zeroFilledParametersAreRefused() throws IOException {
        Path copy = copyOfRun("zeros");
        Path params = copy.resolve("checkpoints/epoch-002/crbp-0002.params");
        Files.write(params, new byte[(int) Files.size(params)]);
        assertOneLine(Cli.run("evaluate", "--checkpoint", copy.toString()),
                "crbp-0002.params", "SHA-256");
        assertOneLine(Cli.run(Cli.concat(new String[] {"train", "--out", copy.toString(),
            "--resume"}, COMMON)), "crbp-0002.params", "--resume-from epoch-001");
        // the previous checkpoint itself still loads
        Cli ok = Cli.run("evaluate", "--checkpoint",
                copy.resolve("checkpoints/epoch-001").toString(), "--out",
                tmp.resolve("zeros-eval").toString());
        assertEquals(0, ok.exitCode, ok.toString());
    }

    @Test
    void aShortenedOptimizerFileIsRefused() throws IOException {
        Path copy = copyOfRun("short-adam");
        Path adam = copy.resolve("checkpoints/epoch-002/optimizer.bin");
        byte[] all = Files.readAllBytes(adam);
        Files.write(adam, java.util.Arrays.copyOf(all, all.length / 2));
        assertOneLine(Cli.run(Cli.concat(new String[] {"train", "--out", copy.toString(),
            "--resume"}, COMMON)), "optimizer.bin has", "bytes where state.json records",
                "--resume-from epoch-001");
    }

    @Test
    void checkpointsWithoutRecordsAreStillCheckedForDjlParameters() throws IOException {
        // written before state.json recorded digests: zeros must not load as random weights
        Path copy = copyOfRun("legacy");
        Path dir = copy.resolve("checkpoints/epoch-002");
        String state = Files.readString(dir.resolve("state.json"), StandardCharsets.UTF_8);
        int at = state.indexOf("\"files\"");
        assertTrue(at > 0, state);
        Files.writeString(dir.resolve("state.json"),
                state.substring(0, state.lastIndexOf(',', at)) + "\n}\n");
        // nor state.sha256, which came later still; nor the commit time in the provenance,
        // which came in between
        Files.delete(dir.resolve("state.sha256"));
        Path stateFile = dir.resolve("state.json");
        Files.writeString(stateFile, Files.readString(stateFile, StandardCharsets.UTF_8)
                .replaceFirst("\\s*\"gitCommitTime\": \"[^\"]*\",?", ""),
                StandardCharsets.UTF_8);
        assertFalse(Files.readString(stateFile).contains("gitCommitTime"));
        assertNull(Checkpoints.read(dir).state.files);
        Path params = dir.resolve("crbp-0002.params");
        Files.write(params, new byte[(int) Files.size(params)]);
        assertOneLine(Cli.run("evaluate", "--checkpoint", dir.toString()),
                "crbp-0002.params is not a DJL parameter file");
    }

    @Test
    void epoch1000SortsAfterEpoch999() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("order/checkpoints"));
        List<String> names = List.of("epoch-1000", "epoch-999", "epoch-002", "epoch-010",
                "epoch-999-b00007", "epoch-999-b00012", "epoch-1000-b00001", "epoch-notes");
        for (String n : names) {
            Files.createDirectories(root.resolve(n));
        }
        List<String> sorted = new ArrayList<>();
        for (Path p : Checkpoints.list(root)) {
            sorted.add(p.getFileName().toString());
        }
        assertEquals(List.of("epoch-002", "epoch-010", "epoch-999", "epoch-999-b00007",
                "epoch-999-b00012", "epoch-1000", "epoch-1000-b00001"), sorted);
        Checkpoints.State s = new Checkpoints.State();
        s.epoch = 1000;
        assertEquals("epoch-1000", Checkpoints.name(s));
    }

    @Test
    void theLatestOfAThousandEpochsIsChosenAndMissingRecordsNamed() throws IOException {
        Path copy = copyOfRun("thousand");
        Path root = copy.resolve("checkpoints");
        // a real checkpoint renamed to epoch-1000 (its files renamed to match) next to epoch-999
        Files.move(root.resolve("epoch-001"), root.resolve("epoch-999"));
        Files.move(root.resolve("epoch-002"), root.resolve("epoch-1000"));
        Cli c = Cli.run("evaluate", "--checkpoint", copy.toString(), "--out",
                tmp.resolve("thousand-eval").toString());
        // epoch-1000's state says epoch 2, so it looks for crbp-0002.params: found and verified
        assertEquals(0, c.exitCode, c.toString());
        assertTrue(c.out.contains("epoch-1000"), c.out);
    }

    @Test
    void interruptedWritesAreCleanedAndNamedCheckpointsFound() throws IOException {
        Path copy = copyOfRun("leftovers");
        Path root = copy.resolve("checkpoints");
        Path left = Files.createDirectories(root.resolve(".epoch-003.k2j4.tmp"));
        Files.write(left.resolve("crbp-0003.params"), new byte[10]);
        Path other = Files.createDirectories(root.resolve(".keep-me"));
        assertEquals(List.of(".epoch-003.k2j4.tmp"), Checkpoints.cleanInterrupted(copy));
        assertFalse(Files.exists(left));
        assertTrue(Files.exists(other));
        assertEquals("epoch-001", Checkpoints.named(copy, "epoch-001").dir.getFileName()
                .toString());
        CliException e = assertThrows(CliException.class,
                () -> Checkpoints.named(copy, "epoch-007"));
        assertTrue(e.getMessage().contains("epoch-001, epoch-002"), e.getMessage());
    }
}
