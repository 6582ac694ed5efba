/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import org.crbp.examples.CliException;
import org.crbp.examples.ExitCode;

import ai.djl.Device;
import ai.djl.engine.Engine;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Where a result comes from: versions of crbp, DJL and PyTorch, the commit the program was built
 * from, the machine.
 *
 * <p>The commit is baked into the jar at build time ({@code org/crbp/examples/build.properties},
 * written by the build from the checkout that holds the sources), so a run records the code it
 * ran wherever it is started; without git at build time it reads {@code unknown}.
 */
public final class Provenance {

    private static final String FALLBACK_VERSION = "0.1.0-SNAPSHOT";
    private static final String BUILD_PROPERTIES = "/org/crbp/examples/build.properties";
    private static final String UNKNOWN = "unknown";

    private Provenance() {}

    /** @return crbp's version, from the jar's manifest when packaged */
    static String crbpVersion() {
        String v = Provenance.class.getPackage().getImplementationVersion();
        if (v == null) {
            v = build().getProperty("crbp.version");
        }
        return v == null ? FALLBACK_VERSION : v;
    }

    /**
     * Returns the commit the program was built from, with {@code -dirty} when tracked files had
     * changes at build time, or {@code unknown}.
     *
     * @return the commit
     */
    public static String gitCommit() {
        Properties p = build();
        String commit = field(p.getProperty("crbp.commit.line"), 0);
        if (UNKNOWN.equals(commit)) {
            return UNKNOWN;
        }
        return "true".equals(p.getProperty("crbp.dirty")) ? commit + "-dirty" : commit;
    }

    /** @return the commit's date (ISO 8601), or {@code unknown} */
    static String gitCommitTime() {
        return field(build().getProperty("crbp.commit.line"), 1);
    }

    private static String field(String line, int index) {
        if (line == null) {
            return UNKNOWN;
        }
        String[] parts = line.trim().split(" ");
        return parts.length > index && !parts[index].isEmpty() ? parts[index] : UNKNOWN;
    }

    private static Properties build() {
        Properties p = new Properties();
        try (InputStream in = Provenance.class.getResourceAsStream(BUILD_PROPERTIES)) {
            if (in != null) {
                p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // a jar without the file (built without the build step) records "unknown"
        }
        return p;
    }

    /**
     * Loads DJL's default engine; a failure to load it becomes one line that names its root
     * cause, with what to do about the common ones.
     *
     * @return the engine
     * @throws CliException if the engine does not load
     */
    static Engine engine() {
        try {
            return Engine.getInstance();
        } catch (RuntimeException | LinkageError e) {
            throw new CliException(engineFailure(e), ExitCode.FAILURE, e);
        }
    }

    /**
     * Describes why the engine did not load, in one line: DJL's message, its root cause, and a
     * hint. DJL reports "Failed to save pytorch index file" when offline without a libtorch; the
     * root cause ("Offline mode is enabled") is what the user can act on.
     *
     * @param e the failure of {@link Engine#getInstance()}
     * @return the line
     */
    public static String engineFailure(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        StringBuilder line = new StringBuilder("the PyTorch engine did not load: ")
                .append(oneLine(e));
        if (root != e) {
            line.append(", because ").append(oneLine(root));
        }
        String all = (String.valueOf(e.getMessage()) + " " + root.getMessage())
                .toLowerCase(Locale.ROOT);
        if (all.contains("offline")) {
            line.append(" (DJL is offline and found no libtorch: put pytorch-native-cpu on the"
                    + " class path, point PYTORCH_LIBRARY_PATH at a local libtorch, or set"
                    + " CRBP_ONLINE=1 to let DJL download one)");
        } else if (e instanceof LinkageError || root instanceof LinkageError) {
            line.append(" (the libtorch found does not match DJL's JNI library; see the GPU"
                    + " section of README.md)");
        }
        return line.toString();
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage();
        String text = m == null || m.isBlank() ? "" : ": " + m.strip().replaceAll("\\s+", " ");
        return t.getClass().getSimpleName() + text;
    }

    /**
     * Collects the provenance of a run.
     *
     * @param seed the run's seed
     * @param device the device used
     * @return the provenance, for report.json
     */
    public static Map<String, Object> collect(long seed, Device device) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("crbpVersion", crbpVersion());
        m.put("gitCommit", gitCommit());
        m.put("gitCommitTime", gitCommitTime());
        m.put("djlVersion", Engine.getDjlVersion());
        Engine engine = engine();
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

    /** Prints crbp's version and commit, DJL's version and the engine's for {@code --version}. */
    public static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Environment.configure();
            String engineLine;
            try {
                Engine engine = engine();
                engineLine = engine.getEngineName() + " " + engine.getVersion();
            } catch (CliException e) {
                engineLine = e.getMessage();
            }
            return new String[] {
                "crbp " + crbpVersion() + " (commit " + gitCommit() + ", " + gitCommitTime() + ")",
                "DJL " + Engine.getDjlVersion() + ", " + engineLine,
                "Java " + System.getProperty("java.version") + ", " + System.getProperty("os.name")
                        + " " + System.getProperty("os.arch")
            };
        }
    }
}
