/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The commit comes from the build, and an engine failure is one line with its root cause. */
class ProvenanceTest {

    @Test
    void commitIsTheOneTheBuildRecorded() throws Exception {
        String commit = Provenance.gitCommit();
        assertTrue(commit.matches("[0-9a-f]{40}(-dirty)?|unknown"), commit);
        // built from a checkout: the commit is that checkout's HEAD, whatever the working folder
        Path root = Path.of("").toAbsolutePath().getParent();
        String head = git(root, "rev-parse", "HEAD");
        if (Files.exists(root.resolve(".git")) && head != null) {
            assertEquals(head, commit.replace("-dirty", ""));
            assertTrue(Provenance.gitCommitTime().matches("\\d{4}-\\d\\d-\\d\\dT.*"),
                    Provenance.gitCommitTime());
        }
    }

    @Test
    void offlineEngineFailureNamesItsRootCauseAndTheWayOut() {
        EngineException e = new EngineException("Failed to save pytorch index file",
                new IOException("Offline mode is enabled."));
        String line = Provenance.engineFailure(e);
        assertTrue(line.startsWith("the PyTorch engine did not load: EngineException: Failed to"
                + " save pytorch index file, because IOException: Offline mode is enabled."),
                line);
        assertTrue(line.contains("PYTORCH_LIBRARY_PATH"), line);
        assertTrue(line.contains("CRBP_ONLINE=1"), line);
        assertFalse(line.contains("\n"), line);
        String plain = Provenance.engineFailure(new IllegalStateException("no\nengine"));
        assertEquals("the PyTorch engine did not load: IllegalStateException: no engine", plain);
    }

    @Test
    void versionNamesCommitAndPytorch() {
        String[] lines = new Provenance.VersionProvider().getVersion();
        assertTrue(lines[0].startsWith("crbp ") && lines[0].contains("commit "), lines[0]);
        assertTrue(lines[1].contains("PyTorch 2.7.1"), lines[1]);
    }

    private static String git(Path dir, String... args) throws InterruptedException {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "git";
        cmd[1] = "-C";
        cmd[2] = dir.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0
                    ? new String(out, StandardCharsets.UTF_8).trim() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
