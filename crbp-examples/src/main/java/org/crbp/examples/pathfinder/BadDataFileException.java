/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.pathfinder;

import java.nio.file.Path;

/**
 * A data file that cannot be used: missing, not a PNG, truncated, undecodable, of the wrong
 * size, or in a format that would be read other than its writer meant (in colour, not opaque,
 * a mask that is not binary). The message is one line naming the file and the problem, with what
 * was found (the format, the pixel and its values). It is an {@link
 * IllegalArgumentException} because the data is an input the user gave (the program reports it
 * with exit code 2).
 */
public final class BadDataFileException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * Creates the exception.
     *
     * @param file the file
     * @param problem what is wrong with it, for example "is truncated"
     */
    public BadDataFileException(Path file, String problem) {
        this(file, problem, null);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param file the file
     * @param problem what is wrong with it
     * @param cause the cause, or {@code null}
     */
    public BadDataFileException(Path file, String problem, Throwable cause) {
        super("bad data file " + file + ": " + problem.replace('\n', ' '), cause);
        this.file = file;
    }

    /**
     * Returns the file.
     *
     * @return the file
     */
    public Path getFile() {
        return file;
    }
}
