/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.djl.engine.EngineException;

import org.crbp.examples.config.RunConfig;
import org.crbp.examples.ExitCode;
import org.crbp.examples.config.AtomicFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Failures that used to escape the one-line rule or to name the wrong thing: Errors (out of
 * memory), the engine's own failures, unwritable places, a full disk, options reported under
 * another name, compare's series names, and --out checked only after the work.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClearMessagesTest {

    @TempDir static Path tmp;
    private Path run;

    @BeforeAll
    void train() {
        run = tmp.resolve("run");
        Cli c = Cli.run(Cli.concat(new String[] {"train", "--out", run.toString(), "--epochs",
            "1", "--no-pictures"}, Cli.TINY));
        assertEquals(0, c.exitCode, c.toString());
    }

    /** One {@code crbp: error:} line with the fragments, the exit code, no stack trace. */
    private static void assertLine(Cli c, ExitCode code, String... fragments) {
        assertLine(c.exitCode, c.err, c.toString(), code, fragments);
    }

    private static void assertLine(int exit, String err, String all, ExitCode code,
            String... fragments) {
        assertEquals(code.code(), exit, all);
        assertTrue(err.startsWith("crbp: error: "), err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "expected '" + f + "' in: " + err);
        }
        assertFalse(err.contains("\tat "), "stack trace in: " + err);
        assertEquals(1, err.lines().filter(l -> l.startsWith("crbp: error:")).count(), err);
    }

    /** The exit code and standard error of a failing command. */
    private record Failed(int exitCode, String err) {}

    private static void assertLine(Failed f, ExitCode code, String... fragments) {
        assertLine(f.exitCode(), f.err(), f.toString(), code, fragments);
    }

    /** A command that fails with what it is given, run under the program's handlers. */
    @Command(name = "train")
    static final class Failing implements Callable<Integer> {
        final Throwable failure;

        Failing(Throwable failure) {
            this.failure = failure;
        }

        @Override
        public Integer call() throws Exception {
            if (failure instanceof Error) {
                throw (Error) failure;
            }
            throw (Exception) failure;
        }
    }

    private static Failed fail(Throwable failure) {
        CommandLine cl = Main.withHandlers(new CommandLine(new Failing(failure)));
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        int code = cl.execute();
        return new Failed(code, err.toString());
    }

    @Test
    void outOfMemoryIsOneLineThatSaysWhatToLower() {
        Failed heap = fail(new OutOfMemoryError("Java heap space"));
        assertLine(heap, ExitCode.FAILURE, "the Java heap ran out of memory (Java heap space,",
                "--batch", "--channels", "--steps", "-Xmx");
        // a worker thread's Error arrives wrapped in an exception
        Failed wrapped = fail(new java.util.concurrent.ExecutionException(
                new OutOfMemoryError("Java heap space")));
        assertLine(wrapped, ExitCode.FAILURE, "the Java heap ran out of memory");
        Failed stack = fail(new StackOverflowError());
        assertLine(stack, ExitCode.FAILURE, "internal error: StackOverflowError");
    }

    @Test
    void enginesNativeOutOfMemoryIsNotAnEngineThatDidNotLoad() {
        Failed c = fail(new EngineException("[enforce fail at alloc_cpu.cpp:119] err == 0."
                + " DefaultCPUAllocator: can't allocate memory: you tried to allocate"
                + " 131072000000 bytes. Error code 12 (Cannot allocate memory)\nException raised"
                + " from ..."));
        assertLine(c, ExitCode.FAILURE, "the PyTorch engine ran out of native memory (it asked"
                + " for 122.1 GiB)", "--batch", "--channels");
        assertFalse(c.err().contains("did not load"), c.err());
    }

    @Test
    void anEngineThatLoadedReportsItsOwnFirstLine() {
        Failed c = fail(new EngineException("Given groups=1, weight of size [2, 1, 3, 3], expected"
                + " input[4, 3, 64, 64] to have 1 channels\nException raised from ..."));
        assertLine(c, ExitCode.FAILURE, "the PyTorch engine failed: Given groups=1, weight of"
                + " size [2, 1, 3, 3], expected input[4, 3, 64, 64] to have 1 channels");
        assertFalse(c.err().contains("did not load"), c.err());
    }

    @Test
    void anEngineThatDidNotLoadSaysSo() {
        Failed c = fail(new EngineException("Failed to load PyTorch native library",
                new UnsatisfiedLinkError("no torch_cpu")));
        assertLine(c, ExitCode.FAILURE, "the PyTorch engine did not load");
        // DJL's loader in the stack, whatever the message
        EngineException inLoader = new EngineException("Failed to save pytorch index file");
        inLoader.setStackTrace(new StackTraceElement[] {new StackTraceElement(
                "ai.djl.pytorch.jni.LibUtils", "downloadPyTorch", "LibUtils.java", 1)});
        assertFalse(Main.engineLoaded(inLoader));
        assertTrue(Main.engineLoaded(new EngineException("shape mismatch")));
    }

    @Test
    void aDeniedPermissionNamesTheFolderThatIsNotWritable() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("locked"));
        Failed c = fail(new AccessDeniedException(dir.resolve("report.json").toString()));
        assertLine(c, ExitCode.USAGE, "the folder " + dir + " is not writable by this user"
                + " (permission denied)", "choose another --out");
        assertFalse(c.err().contains("file not found"), c.err());
        Main.Problem out = Main.io(new AccessDeniedException(dir.toString()), "--out", dir);
        assertEquals("--out " + dir + " is not writable by this user (permission denied): make"
                + " it writable or choose another --out", out.message());
        Main.Problem readOnly = Main.io(new FileSystemException(dir.resolve("x").toString(),
                null, "Read-only file system"), "--out", dir.resolve("x"));
        assertEquals("--out " + dir.resolve("x") + " is on a read-only file system: choose"
                + " another --out", readOnly.message());
        assertEquals(ExitCode.USAGE, readOnly.exitCode());
    }

    @Test
    void anUnwritableOutIsToldBeforeTheWork() throws IOException {
        Path locked = Files.createDirectories(tmp.resolve("read-only"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            // root writes anyway: the check needs an ordinary user
            assumeFalse(Files.isWritable(locked), "running as root");
            Cli c = Cli.run("compare", run.toString(), "--out", locked.toString());
            assertLine(c, ExitCode.USAGE, "--out " + locked + " is not writable by this user");
            Cli e = Cli.run("evaluate", "--checkpoint", run.toString(), "--out",
                    locked.resolve("eval").toString());
            assertLine(e, ExitCode.USAGE, "--out " + locked.resolve("eval") + ": the folder "
                    + locked + " is not writable");
            assertFalse(e.out.contains("Test:"), "evaluated before the check: " + e.out);
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aFullDiskNamesTheFileBeingWritten() throws IOException {
        Path report = tmp.resolve("full/report.json");
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> AtomicFiles.write(report, file -> {
                    throw new IOException("No space left on device");
                }));
        assertEquals(report.toString(), e.getFile());
        assertEquals("No space left on device", e.getReason());
        // nothing is left behind: neither the file nor its temporary file
        try (var left = Files.list(report.getParent())) {
            assertEquals(0, left.count());
        }
        Failed c = fail(e);
        assertLine(c, ExitCode.FAILURE, "cannot write " + report + ": the disk is full (No space"
                + " left on device); free some space, then continue with the same command and"
                + " --resume");
    }

    @Test
    void maxStepsIsReportedUnderItsOwnName() {
        Cli c = Cli.run(Cli.concat(new String[] {"train", "--out", tmp.resolve("ms").toString(),
            "--method", "crbp", "--tol", "1e-3", "--max-steps", "0"},
                "--channels", "2", "--kernel", "3", "--batch", "4", "--train-size", "8"));
        assertLine(c, ExitCode.USAGE, "--max-steps must be at least 1, got 0");
        assertFalse(c.err.contains("--steps must"), c.err);
    }

    @Test
    void aLongAndersonWindowIsCappedAtTheSolvesBudget() {
        // --window 1000000 allocated two (batch, 1000000, state) arrays up front and ran out of
        // native memory; a window past the budget never fills
        org.crbp.examples.config.RunConfig c = new org.crbp.examples.config.RunConfig();
        c.solver = org.crbp.examples.config.ForwardSolverKind.ANDERSON;
        c.window = 1_000_000;
        c.steps = 3;
        assertTrue(org.crbp.examples.run.Setup.forwardSolver(c).describe()
                .startsWith("anderson(m=3,"), org.crbp.examples.run.Setup.forwardSolver(c)
                .describe());
        assertEquals(5, org.crbp.examples.run.Setup.window(5, 12));
    }

    @Test
    void compareNamesRunsOfTheSameFolderNameByTheirPaths() throws IOException {
        Path a = tmp.resolve("seed1/main");
        Path b = tmp.resolve("seed2/main");
        copy(run, a);
        copy(run, b);
        Path out = tmp.resolve("compare");
        Cli c = Cli.run("compare", a.toString(), b.toString(), "--out", out.toString());
        assertEquals(0, c.exitCode, c.toString());
        String table = Files.readString(out.resolve("compare.md"));
        assertTrue(table.contains("| seed1/main |") && table.contains("| seed2/main |"), table);
        assertTrue(Files.size(out.resolve("iou-vs-updates.png")) > 0);
        Cli twice = Cli.run("compare", a.toString(), a.toString(), "--out", out.toString());
        assertLine(twice, ExitCode.USAGE, "run " + a + " is given twice");
    }

    @Test
    void seriesNamesAreTheShortestPathSuffixesThatDiffer() {
        assertEquals(List.of("a", "b"), CompareCommand.names(List.of(Path.of("/r/a"),
                Path.of("/r/b"))));
        assertEquals(List.of("a/x/main", "y/main", "b/x/main"), CompareCommand.names(List.of(
                Path.of("/a/x/main"), Path.of("/a/y/main"), Path.of("/b/x/main"))));
        assertEquals(List.of("main", "x/main"), CompareCommand.names(List.of(Path.of("/main"),
                Path.of("/x/main"))));
    }

    @Test
    void compareAndBenchmarkCheckOutBeforeTheWork() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Cli c = Cli.run("compare", tmp.resolve("no-such-run").toString(), "--out",
                file.toString());
        assertLine(c, ExitCode.USAGE, "--out " + file + " is a file, not a folder");
        Cli b = Cli.run("benchmark", "--steps", "2", "--methods", "bptt", "--channels", "2",
                "--kernel", "3", "--batch", "2", "--iterations", "1", "--out",
                file.resolve("sub").toString());
        assertLine(b, ExitCode.USAGE, "lies under " + file + ", which is a file");
        assertFalse(b.out.contains("| bptt |"), "benchmarked before the check: " + b.out);
    }

    @Test
    void eachOptionIsNamedOnItsOwn() {
        assertLine(Cli.run("benchmark", "--iterations", "0"), ExitCode.USAGE,
                "--iterations must be at least 1, got 0");
        assertLine(Cli.run("benchmark", "--batch", "1"), ExitCode.USAGE,
                "--batch must be at least 2");
        assertLine(Cli.run("benchmark", "--kernel", "4"), ExitCode.USAGE,
                "--kernel must be an odd number >= 1, got 4");
        assertLine(Cli.run("benchmark", "--methods", ","), ExitCode.USAGE, "--methods is empty");
        assertLine(Cli.run("generate", "--out", tmp.resolve("g").toString(), "--val-size",
                "-1"), ExitCode.USAGE, "--val-size must be from 0 (none) to 10000000, got -1");
        assertLine(Cli.run("generate", "--out", tmp.resolve("g").toString(), "--train-size",
                "0", "--val-size", "0", "--test-size", "0"), ExitCode.USAGE,
                "--train-size, --val-size and --test-size are all 0");
        assertLine(Cli.run("generate", "--out", "", "--train-size", "4"), ExitCode.USAGE,
                "--out is empty");
    }

    @Test
    void analyzeChecksTheSecondCheckpointBeforeTheWork() {
        Path missing = tmp.resolve("no-such-run");
        Cli c = Cli.run("analyze", "--checkpoint", run.toString(), "--compare",
                missing.toString(), "--images", "2", "--out", tmp.resolve("an").toString());
        assertLine(c, ExitCode.USAGE, "checkpoint not found: " + missing);
        assertFalse(c.out.contains("Extrapolation"), "analysed before the check: " + c.out);
    }

    @Test
    void aProbesErrorLineIsNotNested() {
        assertEquals("--kernel must be odd", BenchmarkCommand.probeError(
                "INFO something\ncrbp: error: --kernel must be odd (set CRBP_DEBUG=1 for the stack"
                        + " trace)\n"));
        assertEquals("Killed", BenchmarkCommand.probeError("a\nKilled\n"));
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
