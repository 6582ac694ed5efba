/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.config;

import org.crbp.core.StepResult;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The running sums behind one epoch's statistics: mean loss, mean penalty, the task's sums for its
 * training metrics (a {@code Scorer}'s), Neumann terms, diverged series, residual, largest {@code J^T 1} and seconds.
 *
 * <p>A plain object of numbers, so it is stored in a checkpoint taken inside an epoch and
 * restored on resume: the epoch's statistics then cover all its batches, before and after the
 * interruption, and equal an uninterrupted run's (the same sums in the same order).
 */
public final class EpochTally {

    /** Batches added. */
    public int batches;
    /** Sum of the batches' losses. */
    public double loss;
    /** Batches whose penalty was computed. */
    public int penaltyBatches;
    /** Sum of the penalties of those batches. */
    public double penalty;
    /** Sum of the Neumann terms used. */
    public double neumannTerms;
    /** Sum of the forward steps (cell evaluations) of the batches. */
    public double steps;
    /** Sum of the adjoint solves' iterations (vector-Jacobian products). */
    public double adjointIterations;
    /** Batches whose Neumann series diverged. */
    public int diverged;
    /** Batches with an adjoint solve (the RBP family). */
    public int adjointSolves;
    /** Adjoint solves stopped by the growth guard (a term larger than the one before). */
    public int cutGrowth;
    /** Adjoint solves stopped by the norm cap. */
    public int cutNormCap;
    /** Adjoint solves that ran out of budget before their tolerance. */
    public int cutBudget;
    /** Adjoint solves whose solution exploded (or was not finite). */
    public int cutExploded;
    /** Sum of the fixed-point residuals. */
    public double residual;
    /** Largest {@code max(J^T 1)} seen, NaN if none. */
    public double maxColumnSum = Double.NaN;
    /**
     * The task's sums over the epoch's training batches (Pathfinder's foreground confusion
     * counts {@code tp}, {@code fp}, {@code fn}, {@code tn}), written as keys of the tally itself.
     */
    @FlatFields.Inline(after = "maxColumnSum")
    public transient Map<String, Number> taskSums = new LinkedHashMap<>();
    /** Training seconds of the epoch so far. */
    public double seconds;

    /**
     * Adds the diagnostics of one batch of a gradient method.
     *
     * @param r the batch's result
     */
    public void add(StepResult r) {
        batches++;
        loss += r.loss();
        if (r.penaltyApplied()) {
            penaltyBatches++;
            penalty += r.penalty();
        }
        neumannTerms += r.adjointIterations();
        steps += r.steps();
        adjointIterations += r.adjointIterations();
        diverged += r.diverged() ? 1 : 0;
        if (r.adjointStop() != null) {
            adjointSolves++;
            switch (r.adjointStop()) {
                case GROWTH:
                    cutGrowth++;
                    break;
                case NORM_CAP:
                    cutNormCap++;
                    break;
                case BUDGET:
                    cutBudget++;
                    break;
                case EXPLODED:
                case NOT_FINITE:
                    cutExploded++;
                    break;
                default:
                    break;
            }
        }
        residual += r.residual();
        float m = r.maxJacobianColumnSum();
        if (!Float.isNaN(m)) {
            maxColumnSum = Double.isNaN(maxColumnSum) ? m : Math.max(maxColumnSum, m);
        }
    }

    /**
     * Adds the loss of one batch of a model without a gradient method (the feedforward control).
     *
     * @param batchLoss the loss
     */
    public void addLoss(double batchLoss) {
        batches++;
        loss += batchLoss;
    }

    /** @return the mean loss, NaN before the first batch */
    public double meanLoss() {
        return batches == 0 ? Double.NaN : loss / batches;
    }

    /** @return the mean penalty over the batches that computed it, 0 if none */
    public double meanPenalty() {
        return penaltyBatches == 0 ? 0 : penalty / penaltyBatches;
    }

    /** @return the mean number of Neumann terms */
    public double meanNeumannTerms() {
        return batches == 0 ? 0 : neumannTerms / batches;
    }

    /** @return the mean number of forward steps per batch */
    public double meanSteps() {
        return batches == 0 ? 0 : steps / batches;
    }

    /** @return the mean number of adjoint iterations per batch */
    public double meanAdjointIterations() {
        return batches == 0 ? 0 : adjointIterations / batches;
    }

    /** @return the mean residual */
    public double meanResidual() {
        return batches == 0 ? 0 : residual / batches;
    }

    /**
     * Returns the fraction of the epoch's adjoint solves that one cause cut short.
     *
     * @param count the count of that cause (or of all causes)
     * @return the fraction, 0 without adjoint solves
     */
    public double cutFraction(int count) {
        return adjointSolves == 0 ? 0 : (double) count / adjointSolves;
    }

    /** @return the fraction of adjoint solves cut short for any reason */
    public double cutFraction() {
        return cutFraction(cutGrowth + cutNormCap + cutBudget + cutExploded);
    }

    /**
     * A copy (what a checkpoint stores).
     *
     * @return the copy
     */
    public EpochTally copy() {
        EpochTally t = new EpochTally();
        t.batches = batches;
        t.loss = loss;
        t.penaltyBatches = penaltyBatches;
        t.penalty = penalty;
        t.neumannTerms = neumannTerms;
        t.steps = steps;
        t.adjointIterations = adjointIterations;
        t.diverged = diverged;
        t.residual = residual;
        t.adjointSolves = adjointSolves;
        t.cutGrowth = cutGrowth;
        t.cutNormCap = cutNormCap;
        t.cutBudget = cutBudget;
        t.cutExploded = cutExploded;
        t.maxColumnSum = maxColumnSum;
        t.taskSums = new LinkedHashMap<>(taskSums);
        t.seconds = seconds;
        return t;
    }
}
