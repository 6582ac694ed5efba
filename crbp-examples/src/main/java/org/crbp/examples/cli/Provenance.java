/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Where a result comes from: versions of crbp, DJL and PyTorch, the git commit, the machine. */
final class Provenance {

    private static final String FALLBACK_VERSION = "0.1.0-SNAPSHOT";

    private Provenance() {}

    /** @return crbp's version, from the jar's manifest when packaged */
    static String crbpVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? FALLBACK_VERSION : v;
    }

    /** @return the git commit of the working folder (with "-dirty" if modified), or "unknown" */
    static String gitCommit() {
        String head = git("rev-parse", "HEAD");
        if (head == null) {
            return "unknown";
        }
        String status = git("status", "--porcelain", "--untracked-files=no");
        return status != null && !status.isEmpty() ? head + "-dirty" : head;
    }

    private static String git(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "git";
        System.arraycopy(args, 0, cmd, 1, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return new String(out, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Collects the provenance of a run.
     *
     * @param seed the run's seed
     * @param device the device used
     * @return the provenance, for report.json
     */
    static Map<String, Object> collect(long seed, Device device) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("crbpVersion", crbpVersion());
        m.put("gitCommit", gitCommit());
        m.put("djlVersion", Engine.getDjlVersion());
        Engine engine = Engine.getInstance();
        m.put("engine", engine.getEngineName());
        m.put("pytorchVersion", engine.getVersion());
        m.put("device", device.toString());
        m.put("seed", seed);
        m.put("javaVersion", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("date", Instant.now().toString());
        return m;
    }

    /** Prints crbp's, DJL's and the engine's versions for {@code --version}. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Environment.configure();
            return new String[] {
                "crbp " + crbpVersion(),
                "DJL " + Engine.getDjlVersion() + ", " + Engine.getDefaultEngineName()
            };
        }
    }
}
