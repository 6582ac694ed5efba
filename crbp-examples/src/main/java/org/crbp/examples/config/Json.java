/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.config;


import com.google.gson.Gson;
import com.google.gson.GsonBuilder;


import java.io.IOException;
import java.nio.file.Path;

/** JSON reading and atomic, durable writing. */
public final class Json {

    /** Pretty printing, NaN allowed (written as NaN), nulls kept. */
    public static final Gson GSON = builder()
            .registerTypeAdapterFactory(new FlatFields(builder().create()))
            .create();

    private Json() {}

    private static GsonBuilder builder() {
        return new GsonBuilder()
                .setPrettyPrinting()
                .serializeSpecialFloatingPointValues()
                .serializeNulls()
                .disableHtmlEscaping();
    }

    /**
     * Writes an object as JSON, atomically (a temporary file moved over the target).
     *
     * @param file the target file
     * @param value the object
     * @throws IOException if writing fails
     */
    public static void write(Path file, Object value) throws IOException {
        writeString(file, GSON.toJson(value) + "\n");
    }

    /**
     * Writes a text file atomically and durably, readable as the umask allows (see {@link
     * AtomicFiles}).
     *
     * @param file the target file
     * @param text the text
     * @throws IOException if writing fails
     */
    static void writeString(Path file, String text) throws IOException {
        AtomicFiles.writeString(file, text);
    }
}
