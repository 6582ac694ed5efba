/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples;

/**
 * A problem the program reports as one line ({@code crbp: error: MESSAGE}) and a non-zero exit
 * code, without a stack trace: a bad option, a missing or corrupt checkpoint, data of another
 * preset, a diverged training run.
 */
public class CliException extends RuntimeException {

    /** The serialisation version. */
    private static final long serialVersionUID = 1L;

    /** The process's exit code for this error. */
    private final ExitCode exitCode;

    /**
     * Creates a usage error (exit code {@link ExitCode#USAGE}).
     *
     * @param message the one-line message
     */
    public CliException(String message) {
        this(message, ExitCode.USAGE, null);
    }

    /**
     * Creates an error with an exit code and a cause.
     *
     * @param message the one-line message
     * @param exitCode the exit code, not {@link ExitCode#OK}
     * @param cause the cause, or {@code null}
     */
    public CliException(String message, ExitCode exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /**
     * Returns the exit code.
     *
     * @return the exit code
     */
    public ExitCode getExitCode() {
        return exitCode;
    }
}
