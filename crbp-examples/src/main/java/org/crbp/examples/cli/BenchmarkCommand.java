/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code crbp benchmark}. */
@Command(name = "benchmark", mixinStandardHelpOptions = true, description = "Not yet available.")
final class BenchmarkCommand implements Callable<Integer> {

    /** {@inheritDoc} */
    @Override
    public Integer call() {
        throw new CliException("benchmark is not available yet");
    }

    /** The hidden probe run in a fresh JVM per configuration. */
    @Command(name = "benchmark-probe", hidden = true)
    static final class Probe implements Callable<Integer> {
        @Override
        public Integer call() {
            return 0;
        }
    }
}
