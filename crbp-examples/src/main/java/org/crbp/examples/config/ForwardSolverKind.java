/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.config;

import com.google.gson.annotations.SerializedName;

import org.crbp.core.solver.Anderson;
import org.crbp.core.solver.FixedPointSolver;
import org.crbp.core.solver.NaiveIteration;
import org.crbp.core.solver.Residual;
import org.crbp.examples.CliException;

/**
 * The forward solver of rbp and crbp (setting {@code solver}): how the fixed point of the
 * recurrent step is reached. One place for its names, its description and how it is built.
 */
public enum ForwardSolverKind {
    /** Plain iteration of the step. */
    @SerializedName("naive")
    NAIVE("naive", "plain iteration"),
    /** Anderson acceleration over a window of past states. */
    @SerializedName("anderson")
    ANDERSON("anderson", "Anderson acceleration over a window of past states");

    private final String spelling;
    private final String description;

    ForwardSolverKind(String spelling, String description) {
        this.spelling = spelling;
        this.description = description;
    }

    /**
     * Builds the solver.
     *
     * @param tolerance the relative residual that stops it (0: the whole budget)
     * @param window Anderson's window (ignored by plain iteration)
     * @param rule whether the batch's residual or every sample's must meet the tolerance
     * @return the solver
     */
    public FixedPointSolver build(double tolerance, int window, Residual.StopRule rule) {
        if (this == ANDERSON) {
            return Anderson.builder().optTolerance(tolerance).optWindow(window)
                    .optStopRule(rule).build();
        }
        return NaiveIteration.builder().optTolerance(tolerance).optStopRule(rule).build();
    }

    /**
     * Returns whether the solver stops at a tolerance (both do; 0 runs the whole budget).
     *
     * @return true
     */
    public boolean usesTolerance() {
        return true;
    }

    /**
     * Returns whether the solver keeps a window of past states (Anderson).
     *
     * @return whether the window setting applies
     */
    public boolean usesWindow() {
        return this == ANDERSON;
    }

    /**
     * Returns what the solver does, for help texts.
     *
     * @return a few words
     */
    public String description() {
        return description;
    }

    /**
     * Looks a solver up by its name, case-insensitive.
     *
     * @param name the name
     * @return the solver, or {@code null} if unknown
     */
    public static ForwardSolverKind byName(String name) {
        return Choices.byName(values(), name);
    }

    /**
     * Reads a solver's name, case-insensitive.
     *
     * @param name naive or anderson
     * @param names how the message names the setting
     * @return the solver
     * @throws CliException naming the choices if the name is unknown
     */
    public static ForwardSolverKind parse(String name, SettingNames names) {
        return Choices.parse(values(), name, names.of("solver"));
    }

    /** @return the name: naive or anderson */
    @Override
    public String toString() {
        return spelling;
    }
}
