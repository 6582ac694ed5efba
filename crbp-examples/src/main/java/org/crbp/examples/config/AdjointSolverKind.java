/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.config;

import com.google.gson.annotations.SerializedName;

import org.crbp.core.GradientMethods;
import org.crbp.core.solver.AdjointSolver;
import org.crbp.examples.CliException;

/**
 * The adjoint solver of rbp and crbp (setting {@code backward}): how the implicit gradient's
 * linear system {@code g = v + J^T g} is solved. One place for its names, its description, which
 * settings it reads and how it is built.
 */
public enum AdjointSolverKind {
    /** The reference's Neumann series with its stop rules. */
    @SerializedName("neumann")
    NEUMANN("neumann", "the reference's series and stop rules"),
    /** Fixed-point iteration to the adjoint tolerance. */
    @SerializedName("fixed-point")
    FIXED_POINT("fixed-point", "iteration to the adjoint tolerance"),
    /** Anderson-accelerated iteration to the adjoint tolerance. */
    @SerializedName("anderson")
    ANDERSON("anderson", "Anderson-accelerated iteration to the adjoint tolerance"),
    /** The Jacobian-free gradient: no adjoint terms. */
    @SerializedName("jfb")
    JFB("jfb", "Jacobian-free: no adjoint terms"),
    /** The phantom gradient: damped unrolled steps. */
    @SerializedName("phantom")
    PHANTOM("phantom", "damped unrolled steps");

    /** The damping of the phantom gradient's unrolled steps (torchdeq's default is 0.5 too). */
    public static final double PHANTOM_DAMPING = 0.5;

    private final String spelling;
    private final String description;

    AdjointSolverKind(String spelling, String description) {
        this.spelling = spelling;
        this.description = description;
    }

    /**
     * Builds the solver.
     *
     * @param terms the most vector-Jacobian products (Neumann terms, iterations, steps)
     * @param tolerance the relative residual of the iterations that use one
     * @param window Anderson's window (ignored by the others)
     * @return the solver
     */
    public AdjointSolver build(int terms, double tolerance, int window) {
        switch (this) {
            case FIXED_POINT:
                return GradientMethods.fixedPointAdjoint(terms, tolerance);
            case ANDERSON:
                return GradientMethods.andersonAdjoint(terms, tolerance, window);
            case JFB:
                return GradientMethods.jacobianFree();
            case PHANTOM:
                return GradientMethods.phantomGradient(terms, PHANTOM_DAMPING);
            default:
                return GradientMethods.neumann(terms);
        }
    }

    /**
     * Returns whether the solver stops at the adjoint tolerance (fixed-point, anderson); the
     * others stop by their own rules or after a number of terms.
     *
     * @return whether the adjoint tolerance applies
     */
    public boolean usesTolerance() {
        return this == FIXED_POINT || this == ANDERSON;
    }

    /**
     * Returns whether the solver keeps a window of past iterates (Anderson).
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
    public static AdjointSolverKind byName(String name) {
        return Choices.byName(values(), name);
    }

    /**
     * Reads a solver's name, case-insensitive.
     *
     * @param name neumann, fixed-point, anderson, jfb or phantom
     * @param names how the message names the setting
     * @return the solver
     * @throws CliException naming the choices if the name is unknown
     */
    public static AdjointSolverKind parse(String name, SettingNames names) {
        return Choices.parse(values(), name, names.of("backward"));
    }

    /** @return the name: neumann, fixed-point, anderson, jfb or phantom */
    @Override
    public String toString() {
        return spelling;
    }
}
