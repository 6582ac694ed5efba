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
     * Refuses an output folder that is empty, holds control characters or surrounding spaces
     * (quoting mistakes), is a file or lies under one, in one line.
     *
     * @param out the folder
     * @throws CliException if {@code out} is empty or odd, or it or a folder above it is a file
     */
    static void check(Path out) {
        String name = out.toString();
        if (name.isBlank()) {
            // an empty path is the current folder: results would land among the user's files
            throw new CliException("--out is empty; name a folder for the results (use --out ."
                    + " to write into the current folder)");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new CliException("--out '" + name.replaceAll("\\p{Cntrl}", "?")
                        + "' holds a control character (at position " + (i + 1) + "); check"
                        + " the quoting");
            }
        }
        if (!name.equals(name.strip())) {
            throw new CliException("--out '" + name + "' begins or ends with a space; check the"
                    + " quoting");
        }
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
