/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.ExitCode;
import org.crbp.examples.run.CheckpointTrustTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * A bad file in a {@code --data} folder is named in one line with exit code 2 before the first
 * epoch, whichever split it is in; {@code generate} refuses bad options and finishes an
 * interrupted run when given the same command again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataFilesTest {

    @TempDir static Path tmp;
    private Path data;

    private static final String[] SIZES = {"--train-size", "8", "--val-size", "4",
        "--test-size", "8"};

    @BeforeAll
    void generate() {
        data = tmp.resolve("data");
        Cli c = Cli.run(Cli.concat(new String[] {"generate", "--out", data.toString()}, SIZES));
        assertEquals(0, c.exitCode, c.toString());
    }

    private Path copyOfData(String name) throws IOException {
        Path copy = tmp.resolve(name);
        try (Stream<Path> s = Files.walk(data)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path q = copy.resolve(data.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
        return copy;
    }

    private Cli train(Path dataDir, String name) {
        return Cli.run(Cli.concat(new String[] {"train", "--data", dataDir.toString(), "--out",
            tmp.resolve("run-" + name).toString()}, Cli.concat(CheckpointTrustTest.TINY, "--epochs", "1",
                    "--no-pictures")));
    }

    private static void assertNamed(Cli c, Path file, String problem) {
        assertEquals(ExitCode.USAGE.code(), c.exitCode, c.toString());
        assertEquals(1, c.err.strip().split("\n").length, "one line: " + c.err);
        assertTrue(c.err.contains(file.toString()), "names " + file + ": " + c.err);
        assertTrue(c.err.contains(problem), "says '" + problem + "': " + c.err);
        assertFalse(c.out.contains("Epoch 1/"), "trained before finding it: " + c.out);
    }

    private static void truncate(Path file, int keep) throws IOException {
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, Math.min(keep, all.length)));
    }

    @Test
    void aTruncatedPngInEachSplitIsNamedBeforeTraining() throws IOException {
        for (String split : new String[] {"train", "validation", "test"}) {
            Path copy = copyOfData("trunc-" + split);
            Path bad = copy.resolve(split + "/images/000002.png");
            truncate(bad, (int) Files.size(bad) - 20);
            assertNamed(train(copy, "trunc-" + split), bad, "is truncated");
        }
    }

    @Test
    void otherBadFilesAreNamed() throws IOException {
        Path copy = copyOfData("others");
        Path mask = copy.resolve("validation/masks/000003.png");
        Files.delete(mask);
        assertNamed(train(copy, "missing"), mask, "is missing");
        Files.copy(copy.resolve("validation/masks/000002.png"), mask);

        Path text = copy.resolve("test/images/000001.png");
        Files.writeString(text, "not a picture\n");
        assertNamed(train(copy, "text"), text, "is not a PNG file");
        Files.copy(data.resolve("test/images/000001.png"), text,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        Path empty = copy.resolve("train/masks/000000.png");
        Files.write(empty, new byte[0]);
        assertNamed(train(copy, "empty"), empty, "is empty");
        Files.copy(data.resolve("train/masks/000000.png"), empty,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        Path big = copy.resolve("train/images/000005.png");
        Files.write(big, org.crbp.examples.pathfinder.PathfinderImages.encodeGrayPng(
                new byte[32 * 32], 32, 32));
        assertNamed(train(copy, "size"), big, "is 32x32, expected 64x64");
    }

    @Test
    void generateRefusesBadThreadsAndAFileAsOut() throws IOException {
        Cli threads = Cli.run(Cli.concat(new String[] {"generate", "--out",
            tmp.resolve("t").toString(), "--threads", "-1"}, SIZES));
        assertEquals(ExitCode.USAGE.code(), threads.exitCode, threads.toString());
        assertTrue(threads.err.contains("--threads must be 0"), threads.err);
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Cli out = Cli.run(Cli.concat(new String[] {"generate", "--out", file.toString()}, SIZES));
        assertEquals(ExitCode.USAGE.code(), out.exitCode, out.toString());
        assertTrue(out.err.contains(file + " is a file, not a folder"), out.err);
        Cli under = Cli.run(Cli.concat(new String[] {"generate", "--out",
            file.resolve("sub").toString()}, SIZES));
        assertEquals(ExitCode.USAGE.code(), under.exitCode, under.toString());
        assertTrue(under.err.contains("which is a file"), under.err);
        Cli eval = Cli.run("evaluate", "--checkpoint", tmp.toString(), "--out", file.toString());
        assertEquals(ExitCode.USAGE.code(), eval.exitCode, eval.toString());
        assertTrue(eval.err.contains(file + " is a file, not a folder"), eval.err);
    }

    @Test
    void theSameGenerateCommandFinishesAnInterruptedRun() throws IOException {
        Path copy = copyOfData("interrupted");
        // as if killed while writing the validation split: no metadata.json, some PNGs
        Files.delete(copy.resolve("validation/metadata.json"));
        Files.delete(copy.resolve("validation/images/000003.png"));
        Files.delete(copy.resolve("validation/masks/000003.png"));
        Files.delete(copy.resolve("test/metadata.json"));
        Cli again = Cli.run(Cli.concat(new String[] {"generate", "--out", copy.toString()},
                SIZES));
        assertEquals(0, again.exitCode, again.toString());
        assertTrue(again.out.contains("train: 8 images already there, kept"), again.out);
        for (String f : new String[] {"validation/images/000003.png", "test/metadata.json"}) {
            assertTrue(Files.isRegularFile(copy.resolve(f)), f);
        }
        assertEquals(Files.readString(data.resolve("validation/metadata.json")),
                Files.readString(copy.resolve("validation/metadata.json")));
        // another seed over a complete folder still needs --overwrite
        Cli other = Cli.run(Cli.concat(new String[] {"generate", "--out", copy.toString(),
            "--seed", "2"}, SIZES));
        assertEquals(ExitCode.USAGE.code(), other.exitCode, other.toString());
        assertTrue(other.err.contains("overwrite"), other.err);
    }
}
