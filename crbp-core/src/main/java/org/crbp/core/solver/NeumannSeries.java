/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.solver;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.Locale;

/**
 * The truncated Neumann series {@code g = sum_k (J^T)^k v}, {@code k = 0..K}: recurrent
 * back-propagation as the reference code takes it.
 *
 * <p>Stop rules, checked for every new term {@code v_k} before it is added; a rule that fires
 * drops that term and keeps {@code g_(k-1)}, as the reference does:
 *
 * <ul>
 *   <li>the term is not finite, or (growth guard) larger than the one before: reported as
 *       divergence;
 *   <li>the term's norm is below an absolute tolerance (reference: 1e-9): converged;
 *   <li>{@code ||g_(k-1) + v_k||} would pass a norm cap (reference: 1).
 * </ul>
 *
 * After a term is added, a relative tolerance stops the series once {@code ||v_k|| <= tol
 * ||g_k||} (the remaining terms change {@code g} by about that fraction for a contraction). The
 * defaults ({@link #reference(int)}) are the reference's: 15 terms, growth guard, absolute 1e-9,
 * cap 1, no relative tolerance. {@link #uncapped(int)} is crbp 0.1's rule set (growth guard, a
 * relative 1e-6 of the first term, no cap). Memory: the sum and the current term.
 */
public final class NeumannSeries implements AdjointSolver {

    private final int maxTerms;
    private final boolean growthGuard;
    private final double absoluteTolerance;
    private final double normCap;
    private final double tolerance;
    private final boolean relativeToFirstTerm;

    private NeumannSeries(Builder builder) {
        maxTerms = builder.maxTerms;
        growthGuard = builder.growthGuard;
        absoluteTolerance = builder.absoluteTolerance;
        normCap = builder.normCap;
        tolerance = builder.tolerance;
        relativeToFirstTerm = builder.relativeToFirstTerm;
    }

    /**
     * Creates a builder with the reference's rules.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the reference's series: at most {@code terms} terms, growth guard, absolute
     * tolerance 1e-9, norm cap 1.
     *
     * @param terms the largest number of terms {@code (J^T)^k v}, {@code k >= 1}
     * @return the solver
     */
    public static NeumannSeries reference(int terms) {
        return builder().optMaxTerms(terms).build();
    }

    /**
     * Returns crbp 0.1's series: at most {@code terms} terms, growth guard, stop when a term falls
     * below 1e-6 of the first, no norm cap and no absolute tolerance.
     *
     * @param terms the largest number of terms
     * @return the solver
     */
    public static NeumannSeries uncapped(int terms) {
        Builder builder = builder().optMaxTerms(terms).optNormCap(0).optAbsoluteTolerance(0);
        builder.tolerance = 1e-6;
        builder.relativeToFirstTerm = true;
        return builder.build();
    }

    /**
     * Returns the largest number of terms.
     *
     * @return the number of terms
     */
    public int getMaxTerms() {
        return maxTerms;
    }

    /** {@inheritDoc} */
    @Override
    public AdjointResult solve(AdjointProblem problem, NDManager manager) {
        NDList v0 = problem.rightHandSide();
        NDList sum = States.copy(v0, manager);
        double firstNorm = States.norm(v0);
        if (firstNorm == 0) {
            return AdjointResult.builder().setSolution(sum).optWork(0, 0).optOutcome(true, false)
                    .build();
        }
        double previousNorm = firstNorm;
        NDList term = v0;
        int used = 0;
        boolean diverged = false;
        boolean converged = false;
        AdjointResult.Stop reason = null;
        double last = 1;
        try (NDManager work = manager.newSubManager()) {
            for (int k = 1; k <= maxTerms; k++) {
                NDList next = problem.vjp(term, work);
                double norm = States.norm(next);
                boolean stop = false;
                if (!Double.isFinite(norm)) {
                    diverged = true;
                    stop = true;
                    reason = AdjointResult.Stop.NOT_FINITE;
                } else if (growthGuard && norm > previousNorm) {
                    diverged = true;
                    stop = true;
                    reason = AdjointResult.Stop.GROWTH;
                } else if (norm < absoluteTolerance) {
                    converged = true;
                    stop = true;
                } else if (normCap > 0 && States.normOfSum(sum, next) > normCap) {
                    stop = true;
                    reason = AdjointResult.Stop.NORM_CAP;
                }
                if (stop) {
                    next.close();
                    break;
                }
                for (int i = 0; i < sum.size(); i++) {
                    sum.get(i).addi(next.get(i));
                }
                used = k;
                if (term != v0) {
                    term.close();
                }
                term = next;
                previousNorm = norm;
                double reference = relativeToFirstTerm ? firstNorm : States.norm(sum);
                last = norm / reference;
                if (tolerance > 0 && norm <= tolerance * reference) {
                    converged = true;
                    break;
                }
            }
        }
        return AdjointResult.builder()
                .setSolution(sum)
                .optWork(used, last)
                .optOutcome(converged, diverged)
                .optTolerance(tolerance > 0)
                .optStop(reason)
                .build();
    }

    /** {@inheritDoc} */
    @Override
    public String describe() {
        return String.format(Locale.ROOT, "neumann(%d%s%s%s%s)", maxTerms,
                growthGuard ? "" : ", no growth guard",
                absoluteTolerance > 0 ? String.format(Locale.ROOT, ", abs %.0e", absoluteTolerance)
                        : "",
                normCap > 0 ? String.format(Locale.ROOT, ", cap %.3g", normCap) : "",
                tolerance > 0 ? String.format(Locale.ROOT, ", tol %.0e%s", tolerance,
                        relativeToFirstTerm ? " of the first term" : "") : "");
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return describe();
    }

    /** The builder for {@link NeumannSeries}; its defaults are the reference's rules. */
    public static final class Builder {
        private int maxTerms = 15;
        private boolean growthGuard = true;
        private double absoluteTolerance = 1e-9;
        private double normCap = 1;
        private double tolerance;
        private boolean relativeToFirstTerm;

        Builder() {}

        /**
         * Sets the largest number of terms (default 15, as the reference).
         *
         * @param maxTerms the number of products {@code (J^T)^k v}, at least 1
         * @return this builder
         */
        public Builder optMaxTerms(int maxTerms) {
            this.maxTerms = maxTerms;
            return this;
        }

        /**
         * Stops, dropping the term, when a term is larger than the one before (default on).
         *
         * @param growthGuard whether to stop on a growing term
         * @return this builder
         */
        public Builder optGrowthGuard(boolean growthGuard) {
            this.growthGuard = growthGuard;
            return this;
        }

        /**
         * Stops, dropping the term, when a term's norm is below {@code tolerance} (default 1e-9,
         * as the reference; 0 for none).
         *
         * @param tolerance the absolute tolerance, 0 or more
         * @return this builder
         */
        public Builder optAbsoluteTolerance(double tolerance) {
            this.absoluteTolerance = tolerance;
            return this;
        }

        /**
         * Stops, dropping the term, before {@code ||g||} passes {@code cap} (default 1, as the
         * reference; 0 for none).
         *
         * @param cap the cap, 0 or more
         * @return this builder
         */
        public Builder optNormCap(double cap) {
            this.normCap = cap;
            return this;
        }

        /**
         * Stops after adding a term whose norm is at most {@code tolerance} times {@code ||g||}
         * (default 0: off).
         *
         * @param tolerance the relative tolerance, 0 or more
         * @return this builder
         */
        public Builder optTolerance(double tolerance) {
            this.tolerance = tolerance;
            this.relativeToFirstTerm = false;
            return this;
        }

        /**
         * Builds the solver.
         *
         * @return the solver
         * @throws IllegalArgumentException if a value is out of range
         */
        public NeumannSeries build() {
            if (maxTerms < 1) {
                throw new IllegalArgumentException(
                        "The number of Neumann terms must be at least 1, got " + maxTerms);
            }
            Solvers.checkTolerance(absoluteTolerance);
            Solvers.checkTolerance(tolerance);
            if (!(normCap >= 0)) {
                throw new IllegalArgumentException("The norm cap must be 0 (off) or more, got "
                        + normCap);
            }
            return new NeumannSeries(this);
        }
    }
}
