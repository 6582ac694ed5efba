/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.CliException;
import org.crbp.examples.config.AdjointSolverKind;
import org.crbp.examples.config.ForwardSolverKind;
import org.crbp.examples.config.RunConfig;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The solver options of {@code crbp train} for rbp and crbp: how the fixed point is reached
 * ({@link ForwardSolverOptions}, shared with evaluate) and how the implicit gradient is taken
 * (adjoint solver).
 * Unset options keep the classic method: plain iteration for exactly T steps and the Neumann
 * series with the reference's stop rules.
 */
final class SolverOptions {

    @Mixin ForwardSolverOptions forward = new ForwardSolverOptions();

    @Option(names = "--backward", paramLabel = "<name>",
            completionCandidates = Described.AdjointSolvers.class,
            description = "Adjoint solver of rbp/crbp: ${COMPLETION-CANDIDATES}; the adjoint"
                    + " tolerance is --adjoint-tol. At most --neumann-terms products. Default:"
                    + " anderson (cpu), neumann (reference).")
    String backward;

    @Option(names = "--adjoint-tol", paramLabel = "<residual>",
            description = "Relative residual at which the fixed-point and anderson adjoint"
                    + " solves stop. Default: 0.01.")
    Double adjointTolerance;

    @Option(names = "--window", paramLabel = "<m>",
            description = "History window of Anderson acceleration (forward and adjoint)."
                    + " Default: 5.")
    Integer window;

    /**
     * Writes the options that were given into a configuration, checking them.
     *
     * @param c the configuration, with its method and steps already set
     * @param stepsGiven whether {@code --steps} was given on the command line
     * @throws CliException if an option is out of range or does not fit the method
     */
    void applyTo(RunConfig c, boolean stepsGiven) {
        // a settings file holds every option at its value: only settings that would change what
        // a BPTT-family method does are refused
        // the recipe's values count as left out (the cpu recipe's adjoint is Anderson's)
        RunConfig defaults = c.recipe == null ? new RunConfig() : RunConfig.forRecipe(c.recipe);
        String solver = forward.solver;
        Double tolerance = forward.tolerance;
        Integer maxSteps = forward.maxSteps;
        boolean any = (solver != null && !solver.equalsIgnoreCase(defaults.solver.toString()))
                || (tolerance != null && tolerance != defaults.tolerance)
                || (maxSteps != null && maxSteps != c.steps)
                || (backward != null && !backward.equalsIgnoreCase(defaults.backward.toString()))
                || (adjointTolerance != null && adjointTolerance != defaults.adjointTolerance)
                || (window != null && window != defaults.window);
        if (any && !c.method.rbpFamily()) {
            throw new CliException("--solver, --tol, --max-steps, --backward, --adjoint-tol and"
                    + " --window apply to rbp and crbp only, not to --method "
                    + c.method.name().toLowerCase(java.util.Locale.ROOT));
        }
        ForwardSolverKind kind = forward.check();
        if (maxSteps != null) {
            if (stepsGiven && maxSteps != c.steps) {
                throw new CliException("--max-steps " + maxSteps + " and --steps " + c.steps
                        + " disagree: give one of them");
            }
            c.steps = maxSteps;
        }
        c.solver = kind != null ? kind : c.solver;
        c.tolerance = tolerance != null ? tolerance : c.tolerance;
        c.backward = backward != null ? AdjointSolverKind.parse(backward, OptionNames.OPTIONS)
                : c.backward;
        c.adjointTolerance = adjointTolerance != null ? adjointTolerance : c.adjointTolerance;
        c.window = window != null ? window : c.window;
    }
}
