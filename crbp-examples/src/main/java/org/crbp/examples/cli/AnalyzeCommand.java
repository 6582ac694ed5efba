/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code crbp analyze}. */
@Command(name = "analyze", mixinStandardHelpOptions = true, description = "Not yet available.")
final class AnalyzeCommand implements Callable<Integer> {

    /** {@inheritDoc} */
    @Override
    public Integer call() {
        throw new CliException("analyze is not available yet");
    }
}
