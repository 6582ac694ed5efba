/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.training;

import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;

import org.crbp.core.GradientMethod;
import org.crbp.core.StepResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Collects the gradient method's diagnostics per epoch, writes one line per epoch to the training
 * log and keeps the history for reports and plots:
 *
 * <pre>
 * Epoch 3 C-RBP: loss 0.0412, penalty 0.000310 (120 of 120 batches), steps 20.0,
 *   residual 2.10e-03, adjoint iterations 11.2, diverged 0/120 batches, max J^T 1 0.930
 * </pre>
 */
public class DiagnosticsListener extends TrainingListenerAdapter implements GradientStepListener {

    private static final Logger logger = LoggerFactory.getLogger(DiagnosticsListener.class);

    private final List<EpochDiagnostics> history = new ArrayList<>();
    private Accumulator current = new Accumulator();
    private String methodName = "";

    /** {@inheritDoc} */
    @Override
    public void onGradientStep(Trainer trainer, GradientMethod method, List<StepResult> results) {
        methodName = method.getName();
        for (StepResult result : results) {
            current.add(result);
        }
    }

    /** {@inheritDoc} */
    @Override
    public void onEpoch(Trainer trainer) {
        EpochDiagnostics epoch = current.finish(history.size() + 1);
        history.add(epoch);
        current = new Accumulator();
        if (epoch.batches > 0) {
            logger.info("Epoch {} {}: {}", epoch.epoch, methodName, epoch);
        }
    }

    /**
     * Returns the diagnostics of every finished epoch, oldest first.
     *
     * @return the history
     */
    public List<EpochDiagnostics> getHistory() {
        return Collections.unmodifiableList(history);
    }

    private static final class Accumulator {
        private int batches;
        private int penaltyBatches;
        private double loss;
        private double penalty;
        private double adjointIterations;
        private int diverged;
        private double residual;
        private double maxColumnSum = Double.NaN;
        private double steps;
        private int forwardConverged;

        void add(StepResult result) {
            batches++;
            steps += result.steps();
            forwardConverged += result.forwardConverged() ? 1 : 0;
            loss += result.loss();
            if (result.penaltyApplied()) {
                penaltyBatches++;
                penalty += result.penalty();
            }
            adjointIterations += result.adjointIterations();
            diverged += result.diverged() ? 1 : 0;
            residual += result.residual();
            if (!Float.isNaN(result.maxJacobianColumnSum())) {
                maxColumnSum = Double.isNaN(maxColumnSum)
                        ? result.maxJacobianColumnSum()
                        : Math.max(maxColumnSum, result.maxJacobianColumnSum());
            }
        }

        EpochDiagnostics finish(int epoch) {
            int n = Math.max(batches, 1);
            return new EpochDiagnostics(
                    epoch,
                    batches,
                    loss / n,
                    penaltyBatches == 0 ? 0 : penalty / penaltyBatches,
                    penaltyBatches,
                    adjointIterations / n,
                    diverged,
                    residual / n,
                    maxColumnSum,
                    steps / n,
                    forwardConverged);
        }
    }

    /** The means of one epoch's diagnostics over its training batches. */
    public static final class EpochDiagnostics {
        private final int epoch;
        private final int batches;
        private final double loss;
        private final double penalty;
        private final int penaltyBatches;
        private final double adjointIterations;
        private final int diverged;
        private final double residual;
        private final double maxColumnSum;
        private final double steps;
        private final int forwardConverged;

        EpochDiagnostics(int epoch, int batches, double loss, double penalty, int penaltyBatches,
                double adjointIterations, int diverged, double residual, double maxColumnSum,
                double steps, int forwardConverged) {
            this.epoch = epoch;
            this.batches = batches;
            this.loss = loss;
            this.penalty = penalty;
            this.penaltyBatches = penaltyBatches;
            this.adjointIterations = adjointIterations;
            this.diverged = diverged;
            this.residual = residual;
            this.maxColumnSum = maxColumnSum;
            this.steps = steps;
            this.forwardConverged = forwardConverged;
        }

        /**
         * Returns the mean number of cell steps the forward pass ran (fewer than the method's
         * steps when a forward solver with a tolerance stopped early).
         *
         * @return the mean steps
         */
        public double getSteps() {
            return steps;
        }

        /**
         * Returns the number of batches whose forward solver met its tolerance.
         *
         * @return the count
         */
        public int getForwardConverged() {
            return forwardConverged;
        }

        /**
         * Returns the epoch number, from 1.
         *
         * @return the epoch
         */
        public int getEpoch() {
            return epoch;
        }

        /**
         * Returns the number of training batch splits seen.
         *
         * @return the number of batches
         */
        public int getBatches() {
            return batches;
        }

        /**
         * Returns the mean task loss.
         *
         * @return the mean loss
         */
        public double getLoss() {
            return loss;
        }

        /**
         * Returns the mean unweighted penalty over the batches where it applied.
         *
         * @return the mean penalty
         */
        public double getPenalty() {
            return penalty;
        }

        /**
         * Returns the number of batches where the penalty applied.
         *
         * @return the number of penalised batches
         */
        public int getPenaltyBatches() {
            return penaltyBatches;
        }

        /**
         * Returns the mean number of vector-Jacobian products of the adjoint solves (Neumann
         * terms for the Neumann series; 0 for BPTT).
         *
         * @return the mean adjoint iterations
         */
        public double getAdjointIterations() {
            return adjointIterations;
        }

        /**
         * Returns the mean number of Neumann terms used.
         *
         * @return the mean number of terms
         * @deprecated use {@link #getAdjointIterations()}, the same number under the name that
         *     fits every adjoint solver
         */
        @Deprecated
        public double getNeumannTerms() {
            return getAdjointIterations();
        }

        /**
         * Returns the number of batches whose Neumann series diverged.
         *
         * @return the number of diverged batches
         */
        public int getDiverged() {
            return diverged;
        }

        /**
         * Returns the mean relative residual of the last step.
         *
         * @return the mean residual
         */
        public double getResidual() {
            return residual;
        }

        /**
         * Returns the largest {@code J^T 1} entry seen in the epoch, NaN if not monitored.
         *
         * @return the largest column sum
         */
        public double getMaxColumnSum() {
            return maxColumnSum;
        }

        /** {@inheritDoc} */
        @Override
        public String toString() {
            return String.format(
                    "loss %.4g, penalty %.3g (%d of %d batches), steps %.1f, residual %.2e,"
                            + " adjoint iterations %.1f, diverged %d/%d batches, max J^T 1 %.3f",
                    loss, penalty, penaltyBatches, batches, steps, residual, adjointIterations,
                    diverged, batches, maxColumnSum);
        }
    }
}
