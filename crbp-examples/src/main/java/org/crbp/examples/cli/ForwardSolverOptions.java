/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.CliException;
import org.crbp.examples.config.ForwardSolverKind;

import picocli.CommandLine.Option;

/**
 * How the fixed point is reached, shared by {@code train} (the forward solve of rbp and crbp)
 * and {@code evaluate} (adaptive depth): one declaration and one check of {@code --solver},
 * {@code --tol} and {@code --max-steps}. Unset options are {@code null}: the command's default.
 */
final class ForwardSolverOptions {

    @Option(names = "--solver", paramLabel = "<name>",
            completionCandidates = Described.ForwardSolvers.class,
            description = "Forward solver: ${COMPLETION-CANDIDATES}. Default: naive.")
    String solver;

    @Option(names = "--tol", paramLabel = "<residual>",
            description = "Stop the forward solve when the relative residual ||h_t - h_t-1|| /"
                    + " ||h_t|| is at most this, up to --max-steps: of the batch in train, of"
                    + " every image in evaluate, whose report gives the steps used (0: run all"
                    + " steps, the classic fixed depth). Default: 0.")
    Double tolerance;

    @Option(names = "--max-steps", paramLabel = "<n>",
            description = "Most recurrent steps with --tol. Default: --steps in train (which it"
                    + " replaces), 4 x the trained steps in evaluate.")
    Integer maxSteps;

    /**
     * Checks the options that were given, each under its own name.
     *
     * @return the forward solver, or {@code null} if {@code --solver} was left out
     * @throws CliException if a value is out of range or unknown
     */
    ForwardSolverKind check() {
        if (tolerance != null && !(tolerance >= 0 && tolerance < 1)) {
            throw new CliException("--tol must be a relative residual in [0, 1), got "
                    + tolerance);
        }
        // checked here, under its own name: train copies it into the steps, which would be
        // reported as --steps
        if (maxSteps != null && maxSteps < 1) {
            throw new CliException("--max-steps must be at least 1, got " + maxSteps);
        }
        return solver == null ? null : ForwardSolverKind.parse(solver, OptionNames.OPTIONS);
    }

    /**
     * Returns whether {@code --tol} asks for a solve to a residual (not the fixed depth).
     *
     * @return whether a positive tolerance was given
     */
    boolean adaptive() {
        return tolerance != null && tolerance > 0;
    }
}
