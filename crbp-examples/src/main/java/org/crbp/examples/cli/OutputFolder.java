/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.CliException;

import java.nio.file.Files;
import java.nio.file.Path;

/** The check every command's {@code --out} gets before any work. */
final class OutputFolder {

    private OutputFolder() {}

    /**
     * Refuses an output folder that is a file or lies under one, in one line.
     *
     * @param out the folder
     * @throws CliException if {@code out} or a folder above it is a file
     */
    static void check(Path out) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new CliException("--out " + out + " is a file, not a folder");
        }
        for (Path above = out.toAbsolutePath().getParent(); above != null;
                above = above.getParent()) {
            if (Files.exists(above) && !Files.isDirectory(above)) {
                throw new CliException("--out " + out + " lies under " + above
                        + ", which is a file, not a folder");
            }
        }
    }
}
