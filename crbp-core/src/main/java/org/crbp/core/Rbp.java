/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;

/**
 * Recurrent back-propagation: the implicit gradient at an (approximate) fixed point, with memory
 * constant in the number of steps.
 *
 * <p>The first {@code steps - 1} steps run without recording, each in its own sub-manager; one
 * step {@code h_T = F(x, h*; w)} is recorded from the detached state {@code h* = h_(T-1)}. With
 * {@code v = dL/dh_T}, the gradient {@code dL/dw = v (I - J)^-1 dF/dw} is taken with the
 * truncated Neumann series {@code g = sum_k (J^T)^k v} (products by repeated first-order backward
 * on a detached copy of the step), then {@code g} is pushed once through the recorded step into
 * the parameters and the drive, and through the drive into the encoder.
 *
 * <p>The series stops after {@code neumannTerms} products, when a term falls below {@code
 * tolerance} times the first, when a term grows or is not finite (reported as {@link
 * StepResult#diverged()}; the growing term is dropped), or, if set, when {@code ||g||} would pass
 * a norm cap (the reference code's cap of 1, off by default). For cells with several state
 * tensors the series runs on the whole state.
 *
 * <p>With a {@link LipschitzPenalty} this is C-RBP: the penalty at {@code h*} is added to the
 * loss; its gradient reaches the parameters and the drive through the last step only.
 */
public final class Rbp extends AbstractGradientMethod {

    private final int neumannTerms;
    private final double tolerance;
    private final boolean growthGuard;
    private final double normCap;

    private Rbp(Builder builder) {
        super(builder);
        neumannTerms = builder.neumannTerms;
        tolerance = builder.tolerance;
        growthGuard = builder.growthGuard;
        normCap = builder.normCap;
    }

    /**
     * Creates a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the largest number of Neumann terms {@code (J^T)^k v}, {@code k >= 1}.
     *
     * @return the number of terms
     */
    public int getNeumannTerms() {
        return neumannTerms;
    }

    /** {@inheritDoc} */
    @Override
    public String getName() {
        return penalty == null ? "RBP" : "C-RBP";
    }

    /** {@inheritDoc} */
    @Override
    public StepResult forwardBackward(
            RecurrentNet net,
            ParameterStore parameterStore,
            NDList data,
            NDList labels,
            Loss loss) {
        checkInputs(data, labels);
        EngineAutograd.requireSupport(data.head(), getName());
        boolean penaltyDue = penaltyDue();
        NDManager caller = data.head().getManager();
        try (NDManager scope = caller.newSubManager();
                GradientCollector collector = caller.getEngine().newGradientCollector()) {
            data.tempAttach(scope);
            labels.tempAttach(scope);
            ScopedParameterStore recording = new ScopedParameterStore(parameterStore, scope, false);
            NDArray drive = net.drive(recording, data, true);
            NDArray detachedDrive = drive.stopGradient();
            detachedDrive.attach(scope);
            NDList start = net.getCell().initialState(detachedDrive);
            NDList fixedPoint =
                    net.advance(parameterStore, detachedDrive, start, steps - 1, true, true, null);

            // the drive becomes a leaf: every step graph below hangs from it, and its gradient
            // goes through the encoder once at the end
            NDArray driveLeaf = Jacobians.leaves(new NDList(drive), scope).head();

            Contraction contraction = null;
            NDList lastValue;
            NDList predictions;
            double residual;
            double[] lossValue = new double[1];
            NeumannSeries series;
            try (AuxiliaryStep aux =
                    auxiliaryStep(net, parameterStore, detachedDrive, fixedPoint, scope)) {
                if (needsColumnSums(penaltyDue, drive)) {
                    contraction = contraction(aux, penaltyDue ? penalty : null, scope);
                    checkPenalty(contraction);
                }
                // the auxiliary step computed h_T's value: take dL/dh_T there
                lastValue = Jacobians.leaves(aux.outputs, scope);
                predictions = net.readout(recording, lastValue, true);
                NDArray lossArray = evaluateLoss(loss, labels, predictions, lossValue);
                collector.backward(lossArray);
                // the leaves' gradient tensors are dL/dh_T; nothing else holds them now
                NDList cotangent = new NDList(lastValue.size());
                for (NDArray leaf : lastValue) {
                    NDArray gradient = leaf.getGradient();
                    gradient.attach(scope);
                    cotangent.add(gradient);
                }
                residual = Jacobians.relativeDifference(lastValue, fixedPoint);
                lastValue.close();
                series = neumann(aux, cotangent, scope);
            }

            // one recorded step at a time: the last step with the summed cotangent, then the
            // penalty's two evaluations; finally the drive's gradient through the encoder
            try (NDManager stepScope = scope.newSubManager()) {
                ScopedParameterStore store =
                        new ScopedParameterStore(parameterStore, stepScope, false);
                fixedPoint.tempAttach(stepScope);
                NDList last = net.step(store, driveLeaf, fixedPoint, true);
                Jacobians.backward(last, series.sum, false);
            }
            if (penaltyDue && contraction.hasGradient() && penalty.getWeight() > 0) {
                backwardPenalty(net, parameterStore, driveLeaf, fixedPoint,
                        contraction.cotangents, penalty.getWeight(), false);
            }
            Jacobians.backward(new NDList(drive), new NDList(driveLeaf.getGradient()), false);

            return new StepResult(
                    keepPredictions(predictions, caller),
                    (float) lossValue[0],
                    penaltyDue ? (float) contraction.penalty : 0f,
                    penaltyDue,
                    series.terms,
                    series.diverged,
                    (float) residual,
                    contraction == null ? Float.NaN : (float) contraction.maxColumnSum);
        }
    }

    /**
     * Sums {@code (J^T)^k v} for k = 0.. with the stopping rules; the sum lives in scope. Takes
     * ownership of {@code v0} and closes it.
     */
    private NeumannSeries neumann(AuxiliaryStep aux, NDList v0, NDManager scope) {
        NDList sum = new NDList(v0.size());
        for (NDArray v : v0) {
            sum.add(v.duplicate());
        }
        sum.attach(scope);
        double firstNorm = Jacobians.norm(v0);
        double previousNorm = firstNorm;
        NDList term = v0;
        int used = 0;
        boolean diverged = false;
        for (int k = 1; k <= neumannTerms && firstNorm > 0; k++) {
            NDManager termScope = aux.manager.newSubManager();
            aux.outputs.tempAttach(termScope);
            NDList next = Jacobians.vjp(aux.outputs, term, aux.leaves, termScope);
            double norm = Jacobians.norm(next);
            boolean stop = false;
            if (!Double.isFinite(norm) || (growthGuard && norm > previousNorm)) {
                diverged = true;
                stop = true;
            } else if (normCap > 0) {
                double capped = 0;
                for (int i = 0; i < sum.size(); i++) {
                    try (NDArray candidate = sum.get(i).add(next.get(i))) {
                        capped += Math.pow(Jacobians.rms(candidate), 2) * candidate.size();
                    }
                }
                stop = Math.sqrt(capped) > normCap;
            }
            if (!stop) {
                for (int i = 0; i < sum.size(); i++) {
                    sum.get(i).addi(next.get(i));
                }
                used = k;
                next.attach(aux.manager);
                term.close();
                term = next;
                previousNorm = norm;
                stop = norm <= tolerance * firstNorm;
            }
            termScope.close();
            if (stop) {
                break;
            }
        }
        return new NeumannSeries(sum, used, diverged);
    }

    private static final class NeumannSeries {
        final NDList sum;
        final int terms;
        final boolean diverged;

        NeumannSeries(NDList sum, int terms, boolean diverged) {
            this.sum = sum;
            this.terms = terms;
            this.diverged = diverged;
        }
    }

    /** The builder for {@link Rbp}. */
    public static final class Builder extends BaseBuilder<Builder> {

        private int neumannTerms = 15;
        private double tolerance = 1e-6;
        private boolean growthGuard = true;
        private double normCap;

        Builder() {}

        /** {@inheritDoc} */
        @Override
        protected Builder self() {
            return this;
        }

        /**
         * Sets the largest number of Neumann terms (default 15, as the reference).
         *
         * @param neumannTerms the number of products {@code (J^T)^k v}, at least 1
         * @return this builder
         */
        public Builder optNeumannTerms(int neumannTerms) {
            this.neumannTerms = neumannTerms;
            return this;
        }

        /**
         * Stops the series when a term's norm falls below {@code tolerance} times the first
         * term's (default 1e-6).
         *
         * @param tolerance the relative tolerance, 0 or more
         * @return this builder
         */
        public Builder optTolerance(double tolerance) {
            if (!(tolerance >= 0)) {
                throw new IllegalArgumentException("tolerance must be 0 or more, got " + tolerance);
            }
            this.tolerance = tolerance;
            return this;
        }

        /**
         * Stops the series, dropping the term, when a term is larger than the one before
         * (default on, as the reference; reported as divergence).
         *
         * @param growthGuard whether to stop on a growing term
         * @return this builder
         */
        public Builder optGrowthGuard(boolean growthGuard) {
            this.growthGuard = growthGuard;
            return this;
        }

        /**
         * Stops the series before {@code ||g||} passes {@code cap} (the reference uses 1). Off (0)
         * by default.
         *
         * @param cap the cap on the norm of the summed cotangent, or 0 for none
         * @return this builder
         */
        public Builder optNormCap(double cap) {
            if (!(cap >= 0)) {
                throw new IllegalArgumentException("The norm cap must be 0 (off) or more, got "
                        + cap);
            }
            this.normCap = cap;
            return this;
        }

        /**
         * Builds the method.
         *
         * @return the method
         * @throws IllegalArgumentException if a value is out of range
         */
        public Rbp build() {
            GradientMethods.checkSteps(steps);
            GradientMethods.checkNeumannTerms(neumannTerms);
            return new Rbp(this);
        }
    }
}
