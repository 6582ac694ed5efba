/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The program's packages depend downwards only: cli on run and analysis, run on analysis and
 * config, nothing on cli, analysis not on run, config (the run's data types) on none of them.
 */
class LayeringTest {

    private static final Path SOURCES = Paths.get("src/main/java/org/crbp/examples");

    /** Package -> the program packages it must not refer to. */
    private static final Map<String, List<String>> FORBIDDEN = Map.of(
            "run", List.of("org.crbp.examples.cli"),
            "config", List.of("org.crbp.examples.cli", "org.crbp.examples.run",
                    "org.crbp.examples.analysis"),
            "analysis", List.of("org.crbp.examples.cli", "org.crbp.examples.run"),
            "pathfinder", List.of("org.crbp.examples.cli", "org.crbp.examples.run",
                    "org.crbp.examples.analysis"),
            "library", List.of("org.crbp.examples.cli", "org.crbp.examples.run",
                    "org.crbp.examples.analysis"));

    @Test
    void importsPointDown() throws IOException {
        assertTrue(Files.isDirectory(SOURCES), SOURCES.toAbsolutePath().toString());
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : FORBIDDEN.entrySet()) {
            try (Stream<Path> files = Files.walk(SOURCES.resolve(e.getKey()))) {
                for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))
                        ::iterator) {
                    String text = Files.readString(f, StandardCharsets.UTF_8);
                    for (String pkg : e.getValue()) {
                        if (text.contains(pkg + ".")) {
                            wrong.add(f + " refers to " + pkg);
                        }
                    }
                }
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }
}
