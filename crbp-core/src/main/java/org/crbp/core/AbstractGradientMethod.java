/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What BPTT and RBP share: the Lipschitz penalty, the contraction monitor and the loss checks.
 *
 * <p><b>The penalty's gradient without second-order autograd.</b> With {@code u_i = J_ii^T 1} and
 * {@code P = sum_i reduce(relu(u_i - lambda)^2)}, let {@code r_i = dP/du_i}. Then {@code grad P =
 * grad sum_i <r_i, u_i>}, and {@code <r_i, u_i>} is the derivative of {@code S_i = sum(F_i(x, h;
 * w))} along {@code r_i} in state {@code i}. So {@code grad P} is the gradient of the central
 * difference {@code (S_i(h + e r_i) - S_i(h - e r_i)) / (2e)} with {@code r_i} held constant: two
 * extra first-order evaluations of the step per state tensor, no {@code create_graph}, and none at
 * all when {@code r = 0} (already contractive). Each evaluation is back-propagated and freed before
 * the next, so the penalty never holds more than one extra step graph.
 */
abstract class AbstractGradientMethod implements GradientMethod {

    /** Perturbation size of the central difference, relative to the state's scale. */
    private static final double FLOAT64_EPSILON = 1e-5;

    private static final double FLOAT32_EPSILON = 1e-3;
    private static final double LOW_PRECISION_EPSILON = 3e-2;

    protected final int steps;
    protected final LipschitzPenalty penalty;
    protected final boolean monitorContraction;
    private final AtomicLong batches = new AtomicLong();

    AbstractGradientMethod(BaseBuilder<?> builder) {
        GradientMethods.checkSteps(builder.steps);
        this.steps = builder.steps;
        this.penalty = builder.penalty;
        this.monitorContraction = builder.monitorContraction;
    }

    /** {@inheritDoc} */
    @Override
    public int getSteps() {
        return steps;
    }

    /**
     * Returns the penalty, or {@code null} when the method has none.
     *
     * @return the penalty
     */
    public LipschitzPenalty getPenalty() {
        return penalty;
    }

    /** Returns whether the penalty applies to the batch now starting, and counts the batch. */
    boolean penaltyDue() {
        long batch = batches.getAndIncrement();
        return penalty != null && batch % penalty.getEvery() == 0;
    }

    /** Returns whether {@code J^T 1} is computed for this batch. */
    boolean needsColumnSums(boolean penaltyDue, NDArray sample) {
        return penaltyDue || (monitorContraction && EngineAutograd.supports(sample));
    }

    static void checkInputs(NDList data, NDList labels) {
        if (data == null || data.isEmpty()) {
            throw new IllegalArgumentException("The batch has no data arrays");
        }
        if (labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException("The batch has no label arrays");
        }
    }

    /**
     * Evaluates one step at detached copies of {@code state} with detached parameters and drive:
     * a graph whose only gradient-requiring inputs are the state leaves. Close it when done.
     */
    static AuxiliaryStep auxiliaryStep(
            RecurrentNet net,
            ParameterStore parameterStore,
            NDArray drive,
            NDList state,
            NDManager scope) {
        NDManager manager = scope.newSubManager();
        ScopedParameterStore detached = new ScopedParameterStore(parameterStore, manager, true);
        NDArray detachedDrive = drive.stopGradient();
        detachedDrive.attach(manager);
        NDList leaves = Jacobians.leaves(state, manager);
        NDList outputs = net.step(detached, detachedDrive, leaves, true);
        return new AuxiliaryStep(manager, leaves, outputs);
    }

    /**
     * Computes {@code J^T 1} at the auxiliary step and, when {@code lcp} is given, the penalty
     * and its cotangents {@code r_i = dP/du_i} (in {@code scope}; {@code null} where zero).
     */
    static Contraction contraction(AuxiliaryStep aux, LipschitzPenalty lcp, NDManager scope) {
        NDList columnSums = Jacobians.columnSums(aux.outputs, aux.leaves, aux.manager);
        double max = Double.NEGATIVE_INFINITY;
        for (NDArray u : columnSums) {
            try (NDArray m = u.max()) {
                max = Math.max(max, Jacobians.toDouble(m));
            }
        }
        if (lcp == null) {
            columnSums.close();
            return new Contraction(0, max, null);
        }
        double value = 0;
        NDList cotangents = new NDList(columnSums.size());
        for (NDArray u : columnSums) {
            double normaliser = lcp.getReduction() == LipschitzPenalty.Reduction.MEAN ? u.size() : 1;
            double part;
            try (NDArray shifted = u.sub(lcp.getLambda());
                    NDArray excess = shifted.maximum(0);
                    NDArray squares = excess.square();
                    NDArray total = squares.sum()) {
                part = Jacobians.toDouble(total) / normaliser;
                if (part > 0) {
                    NDArray r = excess.mul(2.0 / normaliser);
                    r.attach(scope);
                    cotangents.add(r);
                } else {
                    cotangents.add(null);
                }
            }
            value += part;
        }
        columnSums.close();
        return new Contraction(value, max, cotangents);
    }

    /**
     * Adds {@code weight * grad P} into the gradients of the parameters, the drive and {@code
     * state} (as far as their graphs reach): for each state tensor with a non-zero {@code r_i},
     * the central difference of {@code S_i} along {@code r_i}, one evaluation and one backward at
     * a time so that at most one extra step graph exists. With {@code keepGraph} the graphs that
     * {@code drive} and {@code state} hang from survive for a later backward.
     */
    static void backwardPenalty(
            RecurrentNet net,
            ParameterStore parameterStore,
            NDArray drive,
            NDList state,
            NDList cotangents,
            float weight,
            boolean keepGraph) {
        for (int i = 0; i < state.size(); i++) {
            NDArray r = cotangents.get(i);
            if (r == null) {
                continue;
            }
            NDArray h = state.get(i);
            double epsilon = epsilon(h.getDataType()) * Math.max(Jacobians.rms(h), 1.0);
            double scale = epsilon / Jacobians.rms(r);
            for (int sign = 1; sign >= -1; sign -= 2) {
                try (NDManager side = h.getManager().newSubManager()) {
                    ScopedParameterStore store =
                            new ScopedParameterStore(parameterStore, side, false);
                    h.tempAttach(side);
                    r.tempAttach(side);
                    NDArray shifted = h.add(r.mul(sign * scale));
                    NDArray sum = net.step(store, drive, replace(state, i, shifted), true)
                            .get(i)
                            .sum();
                    // the factor enters as the cotangent, not as a Number operand: DJL backs a
                    // Number with a Java buffer that it releases while autograd would keep it
                    NDArray factor = sum.onesLike()
                            .mul(sign * weight / (2.0 * scale))
                            .toType(sum.getDataType(), false);
                    EngineAutograd.backward(sum, factor, keepGraph);
                }
            }
        }
    }

    private static NDList replace(NDList state, int index, NDArray value) {
        NDList copy = new NDList(state);
        copy.set(index, value);
        return copy;
    }

    private static double epsilon(DataType type) {
        switch (type) {
            case FLOAT64:
                return FLOAT64_EPSILON;
            case FLOAT32:
                return FLOAT32_EPSILON;
            default:
                return LOW_PRECISION_EPSILON;
        }
    }

    /** Evaluates the loss and fails clearly, before any backward, if it is not finite. */
    NDArray evaluateLoss(Loss loss, NDList labels, NDList predictions, double[] value) {
        NDArray lossValue = loss.evaluate(labels, predictions);
        value[0] = Jacobians.toDouble(lossValue);
        if (!Double.isFinite(value[0])) {
            throw new NonFiniteLossException(
                    getName() + ": the loss is " + value[0] + "; no gradient was added");
        }
        return lossValue;
    }

    void checkPenalty(Contraction contraction) {
        if (!Double.isFinite(contraction.penalty) || !Double.isFinite(contraction.maxColumnSum)) {
            throw new NonFiniteLossException(
                    getName()
                            + ": the Lipschitz penalty is "
                            + contraction.penalty
                            + " (max J^T 1 = "
                            + contraction.maxColumnSum
                            + "); no gradient was added");
        }
    }

    /** Detaches the predictions into the caller's manager. */
    static NDList keepPredictions(NDList predictions, NDManager manager) {
        NDList kept = new NDList(predictions.size());
        for (NDArray p : predictions) {
            NDArray detached = p.stopGradient();
            detached.attach(manager);
            kept.add(detached);
        }
        return kept;
    }

    /** A step evaluated on detached inputs, for Jacobian products. */
    static final class AuxiliaryStep implements AutoCloseable {
        final NDManager manager;
        final NDList leaves;
        final NDList outputs;

        AuxiliaryStep(NDManager manager, NDList leaves, NDList outputs) {
            this.manager = manager;
            this.leaves = leaves;
            this.outputs = outputs;
        }

        /** Frees the graph and every array of the auxiliary step. */
        @Override
        public void close() {
            manager.close();
        }
    }

    /** {@code J^T 1} and the penalty at one state. */
    static final class Contraction {
        final double penalty;
        final double maxColumnSum;
        final NDList cotangents;

        Contraction(double penalty, double maxColumnSum, NDList cotangents) {
            this.penalty = penalty;
            this.maxColumnSum = maxColumnSum;
            this.cotangents = cotangents;
        }

        boolean hasGradient() {
            if (cotangents == null) {
                return false;
            }
            for (NDArray r : cotangents) {
                if (r != null) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * The options every gradient method has.
     *
     * @param <T> the concrete builder
     */
    public abstract static class BaseBuilder<T extends BaseBuilder<T>> {

        int steps;
        LipschitzPenalty penalty;
        boolean monitorContraction = true;

        BaseBuilder() {}

        /**
         * Returns this builder as its concrete type.
         *
         * @return this builder
         */
        protected abstract T self();

        /**
         * Sets the number of forward steps (required).
         *
         * @param steps the number of steps, at least 1
         * @return this builder
         */
        public T setSteps(int steps) {
            this.steps = steps;
            return self();
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
         * penalty (default on; one extra backward per state tensor, and for BPTT one extra step).
         *
         * @param monitor whether to monitor contraction
         * @return this builder
         */
        public T optMonitorContraction(boolean monitor) {
            this.monitorContraction = monitor;
            return self();
        }
    }
}
