/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import org.crbp.examples.config.Json;
import org.crbp.examples.analysis.Pictures;
import org.crbp.examples.cli.Main;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Results are as readable as the umask allows: a run trained in a fresh JVM under {@code umask
 * 027} leaves its report, checkpoints and pictures readable by the group (files {@code
 * rw-r-----}, folders {@code rwxr-x---}), not the {@code rw-------} / {@code rwx------} of
 * temporary files.
 */
class UmaskTest {

    @Test
    void aRunUnderUmask027IsReadableByTheGroup(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        String cp = System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path"));
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-cp", cp,
                Main.class.getName(), "train", "--out", run.toString(), "--epochs", "1",
                "--analysis-steps", "3"));
        cmd.addAll(List.of(CheckpointTrustTest.TINY));
        StringBuilder line = new StringBuilder("umask 027 && exec");
        for (String a : cmd) {
            line.append(" '").append(a.replace("'", "'\\''")).append('\'');
        }
        Process p = new ProcessBuilder("sh", "-c", line.toString())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("log.txt").toFile())
                .start();
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "training took too long");
        String log = Files.readString(tmp.resolve("log.txt"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), log);

        List<Path> checked = new ArrayList<>();
        try (Stream<Path> s = Files.walk(run)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".log")) {
                    continue; // DJL's own logging listener writes these
                }
                String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
                assertEquals(Files.isDirectory(f) ? "rwxr-x---" : "rw-r-----", perms,
                        f + "\n" + log);
                checked.add(f);
            }
        }
        for (String must : new String[] {"report.json", "checkpoints",
            "checkpoints/epoch-001", "checkpoints/epoch-001/crbp-0001.params",
            "checkpoints/epoch-001/optimizer.bin", "checkpoints/epoch-001/state.json",
            Pictures.CURVES, Pictures.STATE_SPACE}) {
            assertTrue(checked.contains(run.resolve(must)), must + " not written: " + checked);
        }
    }

    @Test
    void atomicWritesFollowTheCurrentUmask(@TempDir Path tmp) throws IOException {
        // whatever this JVM's umask is, the result must match a plain new file's mode
        Path plain = Files.createFile(tmp.resolve("plain"));
        Path written = tmp.resolve("written.json");
        Json.write(written, java.util.Map.of("a", 1));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(written));
        assertEquals("{\n  \"a\": 1\n}\n", Files.readString(written));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(2, s.count(), "temporary file left behind");
        }
    }
}
