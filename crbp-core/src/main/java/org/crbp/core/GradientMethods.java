/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import org.crbp.core.solver.AdjointSolver;
import org.crbp.core.solver.Anderson;
import org.crbp.core.solver.FixedPointAdjoint;
import org.crbp.core.solver.FixedPointSolver;
import org.crbp.core.solver.JacobianFree;
import org.crbp.core.solver.NaiveIteration;
import org.crbp.core.solver.NeumannSeries;
import org.crbp.core.solver.PhantomGradient;

/**
 * Factories for the gradient methods of the paper and for the solvers they plug in, with the
 * reference's defaults. Every factory validates its arguments and throws {@link
 * IllegalArgumentException} naming the bad one.
 *
 * <table>
 *   <caption>The methods</caption>
 *   <tr><th>factory</th><th>forward</th><th>backward</th><th>memory in T</th></tr>
 *   <tr><td>{@link #bptt}</td><td>T recorded steps</td><td>through all steps</td><td>O(T)</td></tr>
 *   <tr><td>{@link #truncatedBptt}</td><td>T steps, last k recorded</td><td>through k
 *       steps</td><td>O(k)</td></tr>
 *   <tr><td>{@link #rbp}</td><td>T-1 free steps (or a forward solver) + 1 recorded</td><td>an
 *       adjoint solver at h* (default: Neumann series, reference rules)</td><td>O(1)</td></tr>
 *   <tr><td>{@link #cbptt}</td><td>as BPTT</td><td>BPTT + penalty gradient</td><td>O(T)</td></tr>
 *   <tr><td>{@link #crbp}</td><td>as RBP</td><td>RBP + penalty gradient</td><td>O(1)</td></tr>
 * </table>
 *
 * <table>
 *   <caption>The adjoint solvers (the backward of RBP and C-RBP)</caption>
 *   <tr><th>factory</th><th>solves</th><th>products</th></tr>
 *   <tr><td>{@link #neumann}</td><td>{@code sum_k (J^T)^k v}, the reference's stop rules</td>
 *       <td>up to K</td></tr>
 *   <tr><td>{@link #neumannUncapped}</td><td>crbp 0.1's rules (relative 1e-6 of the first term,
 *       no cap)</td><td>up to K</td></tr>
 *   <tr><td>{@link #fixedPointAdjoint}</td><td>{@code g = v + J^T g} to a relative
 *       tolerance</td><td>up to max</td></tr>
 *   <tr><td>{@link #andersonAdjoint}</td><td>the same, Anderson-accelerated</td><td>up to
 *       max</td></tr>
 *   <tr><td>{@link #jacobianFree}</td><td>{@code g = v} (approximation)</td><td>0</td></tr>
 *   <tr><td>{@link #phantomGradient}</td><td>k damped steps (approximation)</td><td>k - 1</td></tr>
 * </table>
 *
 * <p>Forward solvers: {@link #naive} (tolerance 0: fixed depth) and {@link #anderson}.
 *
 * <pre>{@code
 * GradientMethod method = GradientMethods.crbp(40, 0.9, 10,
 *         GradientMethods.anderson(1e-3, 5), GradientMethods.andersonAdjoint(30, 1e-4, 5));
 * }</pre>
 */
public final class GradientMethods {

    private GradientMethods() {}

    /**
     * Full back-propagation through time over {@code steps} steps.
     *
     * @param steps the number of steps, at least 1
     * @return the method
     */
    public static GradientMethod bptt(int steps) {
        return Bptt.builder().setSteps(steps).build();
    }

    /**
     * Truncated BPTT: {@code steps} steps, of which only the last {@code gradientSteps} record
     * gradients.
     *
     * @param steps the number of steps, at least 1
     * @param gradientSteps the number of recorded steps, 1 to {@code steps}
     * @return the method
     */
    public static GradientMethod truncatedBptt(int steps, int gradientSteps) {
        return Bptt.builder().setSteps(steps).optGradientSteps(gradientSteps).build();
    }

    /**
     * Recurrent back-propagation with the reference's Neumann series: at most {@code
     * neumannTerms} terms, stopping when {@code ||g|| > 1}, when a term grows, or when a term
     * falls below 1e-9.
     *
     * @param steps the number of steps, at least 1
     * @param neumannTerms the largest number of Neumann terms, at least 1
     * @return the method
     */
    public static GradientMethod rbp(int steps, int neumannTerms) {
        return Rbp.builder().setSteps(steps).optAdjointBudget(neumannTerms).build();
    }

    /**
     * Recurrent back-propagation with crbp 0.1's Neumann rules (no norm cap, a relative tolerance
     * of 1e-6 of the first term), kept by name for comparisons with earlier results.
     *
     * @param steps the number of steps, at least 1
     * @param neumannTerms the largest number of Neumann terms, at least 1
     * @return the method
     */
    public static GradientMethod rbpUncapped(int steps, int neumannTerms) {
        return rbp(steps, naive(0), neumannUncapped(neumannTerms));
    }

    /**
     * Recurrent back-propagation with the given solvers.
     *
     * @param steps the largest number of steps: the forward solver gets {@code steps - 1}
     *     evaluations, then one step is recorded
     * @param forward the forward solver
     * @param adjoint the adjoint solver
     * @return the method
     */
    public static GradientMethod rbp(int steps, FixedPointSolver forward, AdjointSolver adjoint) {
        return Rbp.builder().setSteps(steps).optForwardSolver(require(forward, "forward solver"))
                .optAdjointSolver(require(adjoint, "adjoint solver")).build();
    }

    /**
     * C-BPTT: BPTT plus the Lipschitz coefficient penalty.
     *
     * @param steps the number of steps, at least 1
     * @param lambda the bound on {@code J^T 1}, in [0, 1)
     * @param weight the weight of the penalty in the loss, 0 or more
     * @return the method
     */
    public static GradientMethod cbptt(int steps, double lambda, float weight) {
        return Bptt.builder().setSteps(steps).optPenalty(penalty(lambda, weight)).build();
    }

    /**
     * C-BPTT with {@code lambda} given as a float (taken at its decimal value: 0.9f is 0.9).
     *
     * @param steps the number of steps, at least 1
     * @param lambda the bound on {@code J^T 1}, in [0, 1)
     * @param weight the weight of the penalty in the loss, 0 or more
     * @return the method
     */
    public static GradientMethod cbptt(int steps, float lambda, float weight) {
        return cbptt(steps, LipschitzPenalty.decimal(lambda), weight);
    }

    /**
     * C-RBP: RBP (the reference's Neumann series) plus the Lipschitz coefficient penalty.
     *
     * @param steps the number of steps, at least 1
     * @param neumannTerms the largest number of Neumann terms, at least 1
     * @param lambda the bound on {@code J^T 1}, in [0, 1)
     * @param weight the weight of the penalty in the loss, 0 or more
     * @return the method
     */
    public static GradientMethod crbp(int steps, int neumannTerms, double lambda, float weight) {
        return Rbp.builder()
                .setSteps(steps)
                .optAdjointBudget(neumannTerms)
                .optPenalty(penalty(lambda, weight))
                .build();
    }

    /**
     * C-RBP with {@code lambda} given as a float (taken at its decimal value: 0.9f is 0.9).
     *
     * @param steps the number of steps, at least 1
     * @param neumannTerms the largest number of Neumann terms, at least 1
     * @param lambda the bound on {@code J^T 1}, in [0, 1)
     * @param weight the weight of the penalty in the loss, 0 or more
     * @return the method
     */
    public static GradientMethod crbp(int steps, int neumannTerms, float lambda, float weight) {
        return crbp(steps, neumannTerms, LipschitzPenalty.decimal(lambda), weight);
    }

    /**
     * C-RBP with the given solvers.
     *
     * @param steps the largest number of steps: the forward solver gets {@code steps - 1}
     *     evaluations, then one step is recorded
     * @param lambda the bound on {@code J^T 1}, in [0, 1)
     * @param weight the weight of the penalty in the loss, 0 or more
     * @param forward the forward solver
     * @param adjoint the adjoint solver
     * @return the method
     */
    public static GradientMethod crbp(int steps, double lambda, float weight,
            FixedPointSolver forward, AdjointSolver adjoint) {
        return Rbp.builder().setSteps(steps).optPenalty(penalty(lambda, weight))
                .optForwardSolver(require(forward, "forward solver"))
                .optAdjointSolver(require(adjoint, "adjoint solver")).build();
    }

    /**
     * Plain fixed-point iteration, stopping at a relative residual of {@code tolerance} (0: run
     * the whole budget, the classic fixed depth).
     *
     * @param tolerance the tolerance, 0 or more
     * @return the forward solver
     */
    public static FixedPointSolver naive(double tolerance) {
        return NaiveIteration.builder().optTolerance(tolerance).build();
    }

    /**
     * Anderson acceleration with window {@code window}, mixing 1 and the safeguard, stopping at a
     * relative residual of {@code tolerance}; {@link Anderson#builder()} has every option.
     *
     * @param tolerance the tolerance, 0 or more
     * @param window the window m, at least 1
     * @return the forward solver
     */
    public static FixedPointSolver anderson(double tolerance, int window) {
        return Anderson.builder().optTolerance(tolerance).optWindow(window).build();
    }

    /**
     * The reference's Neumann series: at most {@code terms} terms, growth guard, absolute
     * tolerance 1e-9, norm cap 1.
     *
     * @param terms the largest number of terms, at least 1
     * @return the adjoint solver
     */
    public static AdjointSolver neumann(int terms) {
        return NeumannSeries.reference(terms);
    }

    /**
     * crbp 0.1's Neumann series: growth guard, a relative 1e-6 of the first term, no cap.
     *
     * @param terms the largest number of terms, at least 1
     * @return the adjoint solver
     */
    public static AdjointSolver neumannUncapped(int terms) {
        return NeumannSeries.uncapped(terms);
    }

    /**
     * Fixed-point iteration on {@code g = v + J^T g} to a relative tolerance.
     *
     * @param maxIterations the largest number of vector-Jacobian products, at least 1
     * @param tolerance the relative tolerance on {@code ||g_(k+1) - g_k|| / ||g_(k+1)||}
     * @return the adjoint solver
     */
    public static AdjointSolver fixedPointAdjoint(int maxIterations, double tolerance) {
        return FixedPointAdjoint.builder().setSolver(naive(tolerance))
                .optMaxIterations(maxIterations).build();
    }

    /**
     * Anderson acceleration on {@code g = v + J^T g} to a relative tolerance.
     *
     * @param maxIterations the largest number of vector-Jacobian products, at least 1
     * @param tolerance the relative tolerance
     * @param window the window m, at least 1
     * @return the adjoint solver
     */
    public static AdjointSolver andersonAdjoint(int maxIterations, double tolerance, int window) {
        return FixedPointAdjoint.builder().setSolver(anderson(tolerance, window))
                .optMaxIterations(maxIterations).build();
    }

    /**
     * Jacobian-free backprop: {@code g = v}.
     *
     * @return the adjoint solver
     */
    public static AdjointSolver jacobianFree() {
        return new JacobianFree();
    }

    /**
     * The damped phantom gradient: {@code k} damped steps with damping {@code damping}.
     *
     * @param steps k, at least 1
     * @param damping the damping, in (0, 1]
     * @return the adjoint solver
     */
    public static AdjointSolver phantomGradient(int steps, double damping) {
        return PhantomGradient.builder().optSteps(steps).optDamping(damping).build();
    }

    private static LipschitzPenalty penalty(double lambda, float weight) {
        return LipschitzPenalty.builder().optLambda(lambda).optWeight(weight).build();
    }

    private static <T> T require(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException("The " + what + " must not be null");
        }
        return value;
    }
}
