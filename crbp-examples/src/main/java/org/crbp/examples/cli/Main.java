/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.CliException;
import org.crbp.examples.ExitCode;
import org.crbp.examples.run.Environment;
import org.crbp.examples.run.Provenance;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;

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
 * training (such as divergence) gives exit code 1. Set {@code CRBP_DEBUG=1} for stack traces.
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
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    PrintWriter err = commandLine.getErr();
                    Throwable root = unwrap(e);
                    if (root instanceof CliException) {
                        err.println("crbp: error: " + root.getMessage());
                        err.flush();
                        return ((CliException) root).getExitCode().code();
                    }
                    if (Environment.debug()) {
                        e.printStackTrace(err);
                    }
                    err.println("crbp: error: " + describe(root)
                            + (Environment.debug() ? "" : " (set CRBP_DEBUG=1 for the stack trace)"));
                    err.flush();
                    return (root instanceof IllegalArgumentException ? ExitCode.USAGE : ExitCode.FAILURE)
                            .code();
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

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof UncheckedIOException
                        || t.getClass() == RuntimeException.class
                        || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(Throwable t) {
        if (t instanceof ai.djl.engine.EngineException) {
            // the root cause (offline mode, a missing library) is several causes deep
            return Provenance.engineFailure(t);
        }
        if (t instanceof NoSuchFileException) {
            return "file not found: " + t.getMessage();
        }
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        String line = message.strip().replace('\n', ' ');
        return t instanceof IllegalArgumentException || t instanceof IllegalStateException
                ? line
                : t.getClass().getSimpleName() + ": " + line;
    }
}
