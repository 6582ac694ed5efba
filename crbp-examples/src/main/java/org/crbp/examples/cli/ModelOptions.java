/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.config.RunConfig;

import picocli.CommandLine.Option;

/**
 * The size of the model, shared by {@code train}, {@code reproduce} and {@code benchmark}: an
 * option left out is {@code null} and takes the command's default (the recipe's for train and
 * reproduce, the benchmark's own for benchmark).
 */
final class ModelOptions {

    @Option(names = "--channels", paramLabel = "<n>",
            description = "Channels of the recurrent cell (of the six blocks for ff). Default: the"
                    + " recipe's, 16 (cpu) or 25 (reference); 12 in benchmark.")
    Integer channels;

    @Option(names = "--kernel", paramLabel = "<size>",
            description = "Kernel size of the cell (of the six blocks for ff), an odd number."
                    + " Default: the recipe's, 5 (cpu) or 15 (reference); 3 for the instances"
                    + " task's hgru mask head; 5 in benchmark.")
    Integer kernel;

    @Option(names = "--batch", paramLabel = "<n>",
            description = "Images per batch, at least 2. Default: the recipe's, 8 (cpu) or 32"
                    + " (reference); 8 in benchmark.")
    Integer batch;

    @Option(names = "--neumann-terms", paramLabel = "<k>",
            description = "The adjoint budget of RBP and C-RBP: the largest number of products"
                    + " (Neumann terms, or Anderson/fixed-point iterations). Default: the"
                    + " recipe's, " + RunConfig.CPU_ADJOINT_BUDGET
                    + " (cpu) or 15 (reference); 10 in benchmark.")
    Integer neumannTerms;

    /**
     * Returns a value, or the default when the option was left out.
     *
     * @param value the option's value, or null
     * @param otherwise the default
     * @return the value to use
     */
    static int or(Integer value, int otherwise) {
        return value != null ? value : otherwise;
    }
}
