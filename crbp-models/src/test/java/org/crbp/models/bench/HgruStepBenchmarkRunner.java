/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Runs {@link HgruStepBenchmark} through Surefire, which puts the engine's native library on the
 * class path offline. Skipped unless {@code -Dcrbp.bench} is given:
 *
 * <pre>
 * mvn -o -q -pl crbp-models test -Dtest=HgruStepBenchmarkRunner -Dcrbp.bench="both 5"
 * </pre>
 */
class HgruStepBenchmarkRunner {

    @Test
    @EnabledIfSystemProperty(named = "crbp.bench", matches = ".+")
    void run() {
        HgruStepBenchmark.main(System.getProperty("crbp.bench").trim().split("\\s+"));
    }
}
