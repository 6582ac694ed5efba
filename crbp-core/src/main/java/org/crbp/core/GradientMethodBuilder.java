/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

/**
 * The options every gradient method of crbp has, inherited by {@link Bptt.Builder} and {@link
 * Rbp.Builder}: the number of steps, the Lipschitz penalty, the contraction monitor and a step
 * listener. Each method's own builder adds its options and {@code build()}.
 *
 * @param <T> the concrete builder, returned by every option so that calls chain
 */
public abstract class GradientMethodBuilder<T extends GradientMethodBuilder<T>> {

    /** The number of steps; 0 until {@link #setSteps} is called (then taken from the network). */
    int steps;
    boolean stepsSet;
    LipschitzPenalty penalty;
    boolean monitorContraction = true;
    int monitorEvery = AbstractGradientMethod.DEFAULT_MONITOR_EVERY;
    StepListener stepListener = StepListener.NONE;

    GradientMethodBuilder() {}

    /**
     * Returns this builder as its concrete type.
     *
     * @return this builder
     */
    protected abstract T self();

    /**
     * Sets the number of forward steps {@code T}. Optional: without it the method runs the
     * number of steps of the network it trains ({@link RecurrentNet#getSteps()}), so that {@code
     * T} is set in one place, on the network. When set, it must equal the network's number: a
     * mismatch is refused when the method first meets the network (training and validation would
     * otherwise run different depths); the network's number never silently wins.
     *
     * @param steps the number of steps, at least 1
     * @return this builder
     */
    public T setSteps(int steps) {
        this.steps = steps;
        this.stepsSet = true;
        return self();
    }

    /** Refuses an explicitly set number of steps below 1. */
    void checkSteps() {
        if (stepsSet) {
            Checks.checkSteps(steps);
        }
    }

    /**
     * Adds the Lipschitz coefficient penalty (C-BPTT, C-RBP). Off by default.
     *
     * @param penalty the penalty, or {@code null} for none
     * @return this builder
     */
    public T optPenalty(LipschitzPenalty penalty) {
        this.penalty = penalty;
        return self();
    }

    /**
     * Computes {@code max(J^T 1)} at the last step for the diagnostics even without the
     * penalty (default on, every 10th batch
     * (see {@link #optMonitorEvery}); one extra backward per state tensor, and for BPTT one
     * extra step). Batches with the penalty always measure it.
     *
     * @param monitor whether to monitor contraction
     * @return this builder
     */
    public T optMonitorContraction(boolean monitor) {
        this.monitorContraction = monitor;
        return self();
    }

    /**
     * Runs the contraction monitor every {@code k}-th batch, from the first (default 10); the
     * batches between report the latest measurement ({@link
     * StepResult#contractionMeasured()} false).
     *
     * @param k the period, at least 1
     * @return this builder
     */
    public T optMonitorEvery(int k) {
        this.monitorEvery = k;
        return self();
    }

    /**
     * Sets a listener called between the recurrent steps of each batch (default: none); it
     * may throw to abandon a batch, e.g. when a time budget is spent.
     *
     * @param listener the listener, not {@code null}
     * @return this builder
     */
    public T optStepListener(StepListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("The step listener must not be null; use"
                    + " StepListener.NONE for none");
        }
        this.stepListener = listener;
        return self();
    }
}
