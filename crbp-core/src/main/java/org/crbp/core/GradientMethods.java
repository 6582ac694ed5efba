/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

/**
 * Factories for the gradient methods of the paper, with the reference's defaults. Every factory
 * validates its arguments and throws {@link IllegalArgumentException} naming the bad one.
 *
 * <table>
 *   <caption>The methods</caption>
 *   <tr><th>factory</th><th>forward</th><th>backward</th><th>memory in T</th></tr>
 *   <tr><td>{@link #bptt}</td><td>T recorded steps</td><td>through all steps</td><td>O(T)</td></tr>
 *   <tr><td>{@link #truncatedBptt}</td><td>T steps, last k recorded</td><td>through k
 *       steps</td><td>O(k)</td></tr>
 *   <tr><td>{@link #rbp}</td><td>T-1 free steps + 1 recorded</td><td>Neumann series at
 *       h*</td><td>O(1)</td></tr>
 *   <tr><td>{@link #cbptt}</td><td>as BPTT</td><td>BPTT + penalty gradient</td><td>O(T)</td></tr>
 *   <tr><td>{@link #crbp}</td><td>as RBP</td><td>RBP + penalty gradient</td><td>O(1)</td></tr>
 * </table>
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
     * Recurrent back-propagation with at most {@code neumannTerms} Neumann terms.
     *
     * @param steps the number of steps, at least 1
     * @param neumannTerms the largest number of Neumann terms, at least 1
     * @return the method
     */
    public static GradientMethod rbp(int steps, int neumannTerms) {
        return Rbp.builder().setSteps(steps).optNeumannTerms(neumannTerms).build();
    }

    /**
     * C-BPTT: BPTT plus the Lipschitz coefficient penalty.
     *
     * @param steps the number of steps, at least 1
     * @param lambda the bound on {@code J^T 1}, in [0, 1)
     * @param weight the weight of the penalty in the loss, 0 or more
     * @return the method
     */
    public static GradientMethod cbptt(int steps, float lambda, float weight) {
        return Bptt.builder().setSteps(steps).optPenalty(penalty(lambda, weight)).build();
    }

    /**
     * C-RBP: RBP plus the Lipschitz coefficient penalty.
     *
     * @param steps the number of steps, at least 1
     * @param neumannTerms the largest number of Neumann terms, at least 1
     * @param lambda the bound on {@code J^T 1}, in [0, 1)
     * @param weight the weight of the penalty in the loss, 0 or more
     * @return the method
     */
    public static GradientMethod crbp(int steps, int neumannTerms, float lambda, float weight) {
        return Rbp.builder()
                .setSteps(steps)
                .optNeumannTerms(neumannTerms)
                .optPenalty(penalty(lambda, weight))
                .build();
    }

    private static LipschitzPenalty penalty(float lambda, float weight) {
        return LipschitzPenalty.builder().optLambda(lambda).optWeight(weight).build();
    }

    static void checkSteps(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException(
                    "The number of steps must be at least 1, got " + steps);
        }
    }

    static void checkNeumannTerms(int neumannTerms) {
        if (neumannTerms < 1) {
            throw new IllegalArgumentException(
                    "The number of Neumann terms must be at least 1, got " + neumannTerms);
        }
    }

    static void checkLambda(float lambda) {
        if (!(lambda >= 0f && lambda < 1f)) {
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
}
