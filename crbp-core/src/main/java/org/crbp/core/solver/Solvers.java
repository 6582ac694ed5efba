/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.solver;

/** Argument checks the solvers share. */
final class Solvers {

    private Solvers() {}

    static void checkBudget(int maxEvaluations) {
        if (maxEvaluations < 0) {
            throw new IllegalArgumentException(
                    "The budget of evaluations must be 0 or more, got " + maxEvaluations);
        }
    }

    static void checkTolerance(double tolerance) {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException(
                    "The tolerance must be a finite number, 0 or more, got " + tolerance);
        }
    }

    static void checkPositive(int value, String what) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + value);
        }
    }

    static void checkNotNull(Object value, String what) {
        if (value == null) {
            throw new IllegalArgumentException("The " + what + " must not be null");
        }
    }
}
