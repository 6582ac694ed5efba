/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.solver;

import ai.djl.ndarray.NDList;

/**
 * Finds {@code z* = F(z*)} for a {@link FixedPointMap}, within a budget of evaluations of {@code
 * F}, and reports what it took ({@link FixedPointResult}).
 *
 * <p>The budget comes from the caller (a gradient method passes its number of steps minus the
 * one recorded step), so that the depth of a recurrent network is set in one place. A solver
 * that stops before its tolerance is met says so ({@link FixedPointResult#converged()} false);
 * it never pretends.
 *
 * <p>Implementations: {@link NaiveIteration} (tolerance 0 runs exactly the budget: classic RBP)
 * and {@link Anderson}. To write another, keep memory bounded: free every iterate that is no
 * longer needed, and return the state in {@code initial}'s manager.
 */
public interface FixedPointSolver {

    /**
     * Solves for the fixed point.
     *
     * @param map the map
     * @param initial the starting point; not closed by the solver, and returned as is when the
     *     budget is 0
     * @param maxEvaluations the largest number of evaluations of {@code map}, 0 or more
     * @return the last iterate and the statistics; the state belongs to the manager of {@code
     *     initial}'s first array
     */
    FixedPointResult solve(FixedPointMap map, NDList initial, int maxEvaluations);

    /**
     * Returns a short description for logs and reports, such as {@code "anderson(m=5, tol=1e-3)"}.
     *
     * @return the description (by default the class's simple name)
     */
    default String describe() {
        return getClass().getSimpleName();
    }
}
