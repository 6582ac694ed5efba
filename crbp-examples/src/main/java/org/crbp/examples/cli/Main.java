/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.CliException;
import org.crbp.examples.ExitCode;
import org.crbp.examples.config.AtomicFiles;
import org.crbp.examples.run.Environment;
import org.crbp.examples.run.Provenance;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code crbp} program: generate Pathfinder data, train, evaluate and analyse recurrent CNNs
 * with contractive recurrent back-propagation, benchmark memory and reproduce the paper's table.
 *
 * <pre>
 * java -jar crbp-examples/target/crbp.jar train --out runs/main
 * java -jar crbp-examples/target/crbp.jar evaluate --checkpoint runs/main --preset pf-mini-20
 * </pre>
 *
 * <p>Errors the user can fix (bad options, missing or corrupt checkpoints, mismatched data) are
 * printed as one line starting with {@code crbp: error:} and give exit code 2; a failure inside
 * training (such as divergence) gives exit code 1. So do {@link Error}s: running out of the Java
 * heap or of the engine's native memory says which memory ran out and what to lower. Set {@code
 * CRBP_DEBUG=1} for stack traces.
 */
@Command(
        usageHelpWidth = 100,
        name = "crbp",
        mixinStandardHelpOptions = true,
        versionProvider = Provenance.VersionProvider.class,
        description = {
            "Contractive recurrent back-propagation (C-RBP) for recurrent CNNs on DJL:",
            "train, evaluate and analyse on Pathfinder, with reports and pictures."
        },
        subcommands = {
            GenerateCommand.class,
            TrainCommand.class,
            EvaluateCommand.class,
            AnalyzeCommand.class,
            BenchmarkCommand.class,
            ReproduceCommand.class,
            CompareCommand.class,
            BenchmarkCommand.Probe.class,
            InstancesProbe.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** {@inheritDoc} */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Runs the program and exits with its exit code.
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the program without exiting (for tests and embedding).
     *
     * @param args the command-line arguments
     * @return the exit code: 0 on success
     */
    public static int run(String... args) {
        Environment.configure();
        return commandLine().execute(args);
    }

    /**
     * Creates the command line with the program's error handlers.
     *
     * @return the command line
     */
    public static CommandLine commandLine() {
        return withHandlers(new CommandLine(new Main()));
    }

    /**
     * Gives a command line the program's error handlers: every exception and every {@link Error}
     * of a command becomes one line, {@code crbp: error: ...}, and its exit code.
     *
     * @param cl the command line
     * @return the same command line
     */
    static CommandLine withHandlers(CommandLine cl) {
        cl.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> report(e, commandLine));
        // picocli hands only exceptions to the handler above: an Error (OutOfMemoryError above
        // all) would leave execute() with a stack trace and no message
        CommandLine.IExecutionStrategy last = new CommandLine.RunLast();
        cl.setExecutionStrategy(parseResult -> {
            try {
                return last.execute(parseResult);
            } catch (Error e) {
                CommandLine.ParseResult leaf = parseResult;
                while (leaf.subcommand() != null) {
                    leaf = leaf.subcommand();
                }
                return report(e, leaf.commandSpec().commandLine());
            }
        });
        cl.setParameterExceptionHandler(
                (e, args) -> {
                    CommandLine c = e.getCommandLine();
                    PrintWriter err = c.getErr();
                    err.println("crbp: error: " + e.getMessage());
                    err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
                    err.flush();
                    return ExitCode.USAGE.code();
                });
        return cl;
    }

    /** Freed when an Error arrives, so that the one line can still be formatted. */
    @SuppressWarnings("unused")
    private static volatile byte[] reserve = new byte[1 << 16];

    private static int report(Throwable e, CommandLine commandLine) {
        Throwable root = unwrap(e);
        if (root instanceof Error) {
            reserve = null; // the room to write the line in after an OutOfMemoryError
        }
        PrintWriter err = commandLine.getErr();
        if (root instanceof CliException) {
            err.println("crbp: error: " + root.getMessage());
            err.flush();
            return ((CliException) root).getExitCode().code();
        }
        if (Environment.debug()) {
            e.printStackTrace(err);
        }
        Problem p = problem(root, commandLine.getCommandName());
        err.println("crbp: error: " + p.message()
                + (Environment.debug() || !p.traceHelps() ? ""
                        : " (set CRBP_DEBUG=1 for the stack trace)"));
        err.flush();
        return p.exitCode().code();
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof UncheckedIOException
                        || t.getClass() == RuntimeException.class
                        || t instanceof java.util.concurrent.ExecutionException
                        || t instanceof java.util.concurrent.CompletionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * A failure in one line: its message, its exit code, and whether the stack trace would help
     * (not for a full disk or a denied permission, where the line says all).
     */
    record Problem(String message, ExitCode exitCode, boolean traceHelps) {}

    /**
     * Describes a failure that is not a {@link CliException} in one line.
     *
     * @param t the failure, unwrapped
     * @param command the command's name (for the options worth lowering when memory runs out)
     * @return the line and the exit code
     */
    static Problem problem(Throwable t, String command) {
        if (t instanceof OutOfMemoryError) {
            return new Problem(outOfMemory((OutOfMemoryError) t, command), ExitCode.FAILURE,
                    false);
        }
        if (t instanceof ai.djl.engine.EngineException
                || (t instanceof LinkageError && aboutTheEngine(t))) {
            return engine(t, command);
        }
        if (t instanceof IOException) {
            Problem p = io((IOException) t, null, null);
            if (p.message().contains("(No space left on device)") && ("train".equals(command)
                    || "reproduce".equals(command))) {
                // a run's checkpoints are intact: it goes on from the last one
                String again = "train".equals(command)
                        ? "free some space, then continue with the same command and --resume"
                        : "free some space, then run the same command again (it continues)";
                return new Problem(p.message().replace("free some space or choose another --out",
                        again), p.exitCode(), false);
            }
            return p;
        }
        if (t instanceof Error) {
            // StackOverflowError and the like: a bug, not an input
            return new Problem("internal error: " + oneLine(t), ExitCode.FAILURE, true);
        }
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return new Problem(t.getClass().getSimpleName(), ExitCode.FAILURE, true);
        }
        // these two carry the program's own sentences; other exceptions keep their class name
        String line = t instanceof IllegalArgumentException || t instanceof IllegalStateException
                ? message.strip().replaceAll("\\s+", " ") : oneLine(t);
        return new Problem(line, t instanceof IllegalArgumentException ? ExitCode.USAGE
                : ExitCode.FAILURE, true);
    }

    /** Whether a linkage error concerns the engine's native library (not a class of ours). */
    private static boolean aboutTheEngine(Throwable t) {
        String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("torch") || m.contains("djl")) {
            return true;
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith("ai.djl.")) {
                return true;
            }
        }
        return false;
    }

    private static final Pattern BYTES = Pattern.compile("allocate (\\d+) bytes");
    private static final Pattern CUDA_BYTES = Pattern.compile(
            "[Tt]ried to allocate ([0-9.]+ [KMGT]?i?B)");

    /** The engine's failure: it did not load, it ran out of memory, or an operator failed. */
    private static Problem engine(Throwable t, String command) {
        if (!engineLoaded(t)) {
            return new Problem(Provenance.engineFailure(t), ExitCode.FAILURE, true);
        }
        String first = firstLine(t);
        String lower = first.toLowerCase(Locale.ROOT);
        if (lower.contains("can't allocate memory") || lower.contains("out of memory")
                || lower.contains("cannot allocate memory") || lower.contains("bad_alloc")) {
            boolean gpu = lower.contains("cuda") || lower.contains("gpu");
            Matcher m = BYTES.matcher(first);
            Matcher cuda = CUDA_BYTES.matcher(first);
            String size = m.find() ? " (it asked for " + bytes(Long.parseLong(m.group(1))) + ")"
                    : cuda.find() ? " (it asked for " + cuda.group(1) + ")" : "";
            return new Problem("the PyTorch engine ran out of " + (gpu ? "GPU" : "native")
                    + " memory" + size + ": " + lowerWhat(command)
                    + (gpu ? ", or run on --device cpu" : ""), ExitCode.FAILURE, false);
        }
        return new Problem("the PyTorch engine failed: " + first, ExitCode.FAILURE, true);
    }

    /**
     * Whether the engine loaded before it failed: only a failure inside the loading (DJL's
     * {@code LibUtils}, {@code PtEngine.newInstance}, a missing native library) means it did not;
     * an operator that fails (out of memory, a shape it refuses) comes from a loaded engine.
     *
     * @param t the failure
     * @return false if the engine did not load
     */
    static boolean engineLoaded(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof LinkageError) {
                return false;
            }
            String m = String.valueOf(c.getMessage());
            if (m.startsWith("Failed to load PyTorch native library")
                    || m.contains("No deep learning engine found")
                    || m.contains("Deep learning engine not found")
                    || m.contains("Unknown default engine")
                    || m.contains("Offline mode is enabled")) {
                return false;
            }
            for (StackTraceElement e : c.getStackTrace()) {
                if (e.getClassName().equals("ai.djl.pytorch.jni.LibUtils")
                        || (e.getClassName().equals("ai.djl.pytorch.engine.PtEngine")
                                && e.getMethodName().equals("newInstance"))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Says which memory ran out and what to lower. */
    private static String outOfMemory(OutOfMemoryError e, String command) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("Direct buffer memory")) {
            return "Java ran out of direct buffer memory (the engine's tensors pass through it): "
                    + lowerWhat(command) + ", or raise its limit with java"
                    + " -XX:MaxDirectMemorySize=<size> -jar crbp.jar";
        }
        if (m.contains("native thread")) {
            return "Java cannot start another thread (" + m + "): lower --threads, or raise"
                    + " the limit on processes (ulimit -u)";
        }
        if (m.contains("Metaspace")) {
            return "Java ran out of metaspace (its class memory): raise its limit with java"
                    + " -XX:MaxMetaspaceSize=<size> -jar crbp.jar";
        }
        long max = Runtime.getRuntime().maxMemory();
        return "the Java heap ran out of memory (" + m + ", limit "
                + (max == Long.MAX_VALUE ? "none" : bytes(max)) + "): " + lowerWhat(command)
                + ", or give Java a larger heap with java -Xmx<size> -jar crbp.jar";
    }

    /** The options that set a command's memory. */
    private static String lowerWhat(String command) {
        switch (command == null ? "" : command) {
            case "evaluate":
                return "lower --steps (or --max-steps with --tol) or test on a smaller --preset"
                        + " (the batch and channels are the run's)";
            case "analyze":
                return "lower --images or --steps, or analyse on a smaller --preset";
            case "generate":
                return "lower --threads (every worker draws its own canvas)";
            case "compare":
                return "compare fewer runs at a time";
            case "benchmark":
            case "benchmark-probe":
                return "lower --batch, --channels or --steps (BPTT keeps every step), or use"
                        + " a smaller --preset";
            default:
                return "lower --batch, --channels or --steps (BPTT and TBPTT keep every step),"
                        + " or use a smaller --preset (smaller images)";
        }
    }

    /**
     * Describes an I/O failure in one line that names the file and says what is wrong with it:
     * not writable (permission denied, a read-only file system), a full disk, missing, or a file
     * in the way of a folder. Not writable and in the way are inputs to fix (exit 2); a full disk
     * is a failed run (exit 1).
     *
     * @param e the failure
     * @param option the option that named the place (such as {@code "--out"}), or null
     * @param value the option's value, or null
     * @return the line and the exit code
     */
    static Problem io(IOException e, String option, Path value) {
        String file = null;
        String reason = null;
        if (e instanceof FileSystemException) {
            file = ((FileSystemException) e).getFile();
            reason = ((FileSystemException) e).getReason();
        } else if (e instanceof FileNotFoundException && e.getMessage() != null) {
            // java.io says "PATH (REASON)"
            Matcher m = Pattern.compile("^(.*) \\(([^()]*)\\)$").matcher(e.getMessage());
            if (m.matches()) {
                file = m.group(1);
                reason = m.group(2);
            }
        }
        // the reason may sit deeper (ImageIO wraps the stream's failure)
        StringBuilder all = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            all.append(' ').append(c.getMessage());
            if (c instanceof FileSystemException && ((FileSystemException) c).getReason() != null) {
                all.append(' ').append(((FileSystemException) c).getReason());
            }
        }
        String text = all.toString().toLowerCase(Locale.ROOT);
        if (option == null) {
            value = null; // a default folder: the file's own name says it
        }
        // "--out X: X is ..." says X twice: the option then names the place itself
        boolean isValue = file != null && value != null && same(Paths.get(file), value);
        String prefix = option == null || isValue ? ""
                : option + (value == null ? "" : " " + value) + ": ";
        String name = isValue ? option + " " + value : file;
        String elsewhere = "choose another " + (option == null ? "--out" : option);
        if (text.contains("no space left on device") || text.contains("disk quota exceeded")) {
            String why = text.contains("quota") ? "the disk quota is used up (Disk quota exceeded)"
                    : "the disk is full (No space left on device)";
            return new Problem(prefix + (file == null ? "" : "cannot write " + name + ": ") + why
                    + "; free some space or " + elsewhere, ExitCode.FAILURE, false);
        }
        if (e instanceof AccessDeniedException || text.contains("permission denied")
                || text.contains("operation not permitted")) {
            if (file != null && Files.isRegularFile(Paths.get(file))
                    && !Files.isReadable(Paths.get(file))) {
                return new Problem(prefix + name + " is not readable by this user (permission"
                        + " denied): fix its permissions", ExitCode.USAGE, false);
            }
            String place = "a file";
            if (file != null) {
                // a folder not made yet is refused by the folder above it: name that one
                Path refusing = refusing(Paths.get(file));
                boolean refusingIsValue = value != null && same(refusing, value);
                place = refusingIsValue ? option + " " + value
                        : Files.isDirectory(refusing) ? "the folder " + refusing : file;
                prefix = option == null || refusingIsValue ? ""
                        : option + (value == null ? "" : " " + value) + ": ";
            }
            return new Problem(prefix + place + " is not writable by this user (permission"
                    + " denied): make it writable or " + elsewhere, ExitCode.USAGE, false);
        }
        if (text.contains("read-only file system")) {
            return new Problem(prefix + (file == null ? "a file" : name) + " is on a read-only"
                    + " file system: " + elsewhere, ExitCode.USAGE, false);
        }
        if (e instanceof NoSuchFileException || (file != null && reason != null
                && reason.toLowerCase(Locale.ROOT).contains("no such file"))) {
            return new Problem(prefix + "file not found: " + (file != null ? file
                    : e.getMessage()), ExitCode.FAILURE, false);
        }
        if (e instanceof FileAlreadyExistsException || e instanceof NotDirectoryException
                || text.contains("not a directory")) {
            // the file in the way may be a folder above the one named
            String blocking = file == null ? e.getMessage() : name;
            for (Path above = file == null ? null : Paths.get(file); above != null;
                    above = above.getParent()) {
                if (Files.exists(above) && !Files.isDirectory(above)) {
                    blocking = isValue && same(above, value) ? name : above.toString();
                    break;
                }
            }
            return new Problem(prefix + blocking + " is a file where a folder is needed",
                    ExitCode.USAGE, false);
        }
        if (text.contains("is a directory")) {
            return new Problem(prefix + (file == null ? e.getMessage() : name)
                    + " is a folder where a file is needed", ExitCode.USAGE, false);
        }
        if (file != null) {
            return new Problem(prefix + "cannot write or read " + file + (reason == null ? ""
                    : ": " + reason), ExitCode.FAILURE, true);
        }
        return new Problem(prefix + oneLine(e), ExitCode.FAILURE, true);
    }

    private static boolean same(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /** The place that refused a write: the file or folder, or for one not yet made, the folder
     * above it that exists. */
    private static Path refusing(Path p) {
        if (Files.exists(p)) {
            return p;
        }
        Path above = p.getParent();
        while (above != null && !Files.isDirectory(above)) {
            above = above.getParent();
        }
        return above != null ? above : Paths.get("").toAbsolutePath();
    }

    /**
     * Checks an output folder before any work: not a file, not under a file, created if missing,
     * and writable (a hidden file is made in it and removed).
     *
     * @param out the folder
     * @param option the option that named it, for the message, or null for a default folder
     * @return the folder
     * @throws CliException naming the option and the folder if it cannot be written
     */
    static Path writableFolder(Path out, String option) {
        OutputFolder.check(out); // also refuses an empty or odd value
        try {
            AtomicFiles.checkWritable(out);
        } catch (IOException e) {
            Problem p = io(e, option, out);
            throw new CliException(p.message(), p.exitCode(), e);
        }
        return out;
    }

    private static String bytes(long n) {
        double v = n;
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " bytes" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String firstLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        m = m.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip();
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName()
                : t.getClass().getSimpleName() + ": " + m.strip().replaceAll("\\s+", " ");
    }
}
