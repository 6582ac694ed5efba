/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** JSON reading and atomic writing. */
final class Json {

    /** Pretty printing, NaN allowed (written as NaN), nulls kept. */
    static final Gson GSON =
            new GsonBuilder()
                    .setPrettyPrinting()
                    .serializeSpecialFloatingPointValues()
                    .serializeNulls()
                    .disableHtmlEscaping()
                    .create();

    private Json() {}

    /**
     * Writes an object as JSON, atomically (a temporary file moved over the target).
     *
     * @param file the target file
     * @param value the object
     * @throws IOException if writing fails
     */
    static void write(Path file, Object value) throws IOException {
        writeString(file, GSON.toJson(value) + "\n");
    }

    /**
     * Writes a text file atomically.
     *
     * @param file the target file
     * @param text the text
     * @throws IOException if writing fails
     */
    static void writeString(Path file, String text) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
