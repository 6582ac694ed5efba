/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

/** Checks of plain argument values shared by the network, the gradient methods and the penalty. */
final class Checks {

    private Checks() {}

    static void checkSteps(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException(
                    "The number of steps must be at least 1, got " + steps);
        }
    }

    static void checkAdjointBudget(int budget) {
        if (budget < 1) {
            throw new IllegalArgumentException(
                    "The adjoint budget (the number of Neumann terms) must be at least 1, got "
                            + budget);
        }
    }

    static void checkLambda(double lambda) {
        if (!(lambda >= 0 && lambda < 1)) {
            throw new IllegalArgumentException(
                    "The penalty's lambda must be in [0, 1), got " + lambda);
        }
    }

    static void checkWeight(float weight) {
        if (!(weight >= 0f) || Float.isInfinite(weight)) {
            throw new IllegalArgumentException(
                    "The penalty weight must be a finite number, 0 or more, got " + weight);
        }
    }

    static void checkPeriod(int every, String what) {
        if (every < 1) {
            throw new IllegalArgumentException(
                    what + " must be at least 1 batch, got " + every);
        }
    }
}
