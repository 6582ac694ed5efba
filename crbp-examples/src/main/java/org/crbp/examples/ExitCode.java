/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples;

/** The program's exit codes, in one place. */
public enum ExitCode {
    /** The command did what it was asked. */
    OK(0),
    /** A failed run (for example training diverged, or data could not be read). */
    FAILURE(1),
    /** A usage error or a problem the user can fix (bad option, bad file). */
    USAGE(2);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /**
     * Returns the number the process exits with.
     *
     * @return the exit status
     */
    public int code() {
        return code;
    }
}
