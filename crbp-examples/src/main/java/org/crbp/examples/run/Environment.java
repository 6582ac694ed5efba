/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

/** Process-wide settings the program makes before DJL starts: logging, offline mode. */
public final class Environment {

    private Environment() {}

    /** Sets defaults that the user has not set: quiet engine logs, offline DJL, no tracking. */
    public static void configure() {
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "info");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
        setDefault("org.slf4j.simpleLogger.log.ai.djl.util.cuda", "error");
        setDefault("org.slf4j.simpleLogger.log.ai.djl.util.Platform", "warn");
        setDefault("org.slf4j.simpleLogger.log.ai.djl.pytorch", "warn");
        setDefault("org.slf4j.simpleLogger.log.ai.djl.engine", "warn");
        setDefault("org.slf4j.simpleLogger.log.ai.djl.training.listener.MemoryTrainingListener",
                "warn");
        setDefault("OPT_OUT_TRACKING", "true");
        setDefault("java.awt.headless", "true");
        if (System.getenv("CRBP_ONLINE") == null) {
            setDefault("ai.djl.offline", "true");
        }
    }

    /**
     * Whether {@code CRBP_DEBUG} asks for stack traces.
     *
     * @return true when set to a non-empty value other than 0 or false
     */
    public static boolean debug() {
        String v = System.getenv("CRBP_DEBUG");
        return (v != null && !v.isEmpty() && !"0".equals(v)) || Boolean.getBoolean("crbp.debug");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
