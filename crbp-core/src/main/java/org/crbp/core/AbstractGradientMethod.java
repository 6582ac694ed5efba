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

    /**
     * The contraction monitor's default period in batches. The monitor costs one vector-Jacobian
     * product per state tensor (and for BPTT one more step): about 10% of a BPTT-6 iteration
     * when run on every batch (a JFR profile); every 10th batch brings that under 1%
     * while an epoch of a few hundred batches still gets dozens of measurements.
     */
    static final int DEFAULT_MONITOR_EVERY = 10;

    /** Perturbation size of the central difference, relative to the state's scale. */
    private static final double FLOAT64_EPSILON = 1e-5;

    private static final double FLOAT32_EPSILON = 1e-3;
    private static final double LOW_PRECISION_EPSILON = 3e-2;

    /** Perturbation of the one-sided difference: about the square root of the unit round-off. */
    private static final double FLOAT64_ONE_SIDED_EPSILON = 1e-7;

    private static final double FLOAT32_ONE_SIDED_EPSILON = 3e-4;
    private static final double LOW_PRECISION_ONE_SIDED_EPSILON = 3e-2;

    /** The number of steps the method was built with; 0 to run the network's. */
    protected final int steps;
    /** The Lipschitz penalty, or {@code null} for none. */
    protected final LipschitzPenalty penalty;
    /** Whether {@code max(J^T 1)} is measured for the diagnostics without the penalty. */
    protected final boolean monitorContraction;
    /** The contraction monitor's period, in batches. */
    protected final int monitorEvery;
    /** Called between the recurrent steps of each batch. */
    protected final StepListener stepListener;
    private final AtomicLong batches = new AtomicLong();
    private volatile float lastMaxColumnSum = Float.NaN;

    AbstractGradientMethod(GradientMethodBuilder<?> builder) {
        builder.checkSteps();
        Checks.checkPeriod(builder.monitorEvery, "The contraction monitor's period");
        this.steps = builder.steps;
        this.penalty = builder.penalty;
        this.monitorContraction = builder.monitorContraction;
        this.monitorEvery = builder.monitorEvery;
        this.stepListener = builder.stepListener;
    }

    /**
     * {@inheritDoc}
     *
     * <p>0 when the builder's {@code setSteps} was not called: the method then runs the number of
     * steps of the network it trains.
     */
    @Override
    public int getSteps() {
        return steps;
    }

    /**
     * Returns the number of steps to run on {@code net}: the network's own number when this method
     * was built without one.
     *
     * @param net the network
     * @return the number of steps, at least 1
     * @throws IllegalArgumentException if this method was built with a different number of steps
     *     than the network's: training would run one depth and validation (the network's
     *     forward) another
     */
    int stepsFor(RecurrentNet net) {
        if (steps == 0) {
            return net.getSteps();
        }
        if (net.getSteps() != steps) {
            throw new IllegalArgumentException(
                    "The network runs "
                            + net.getSteps()
                            + " steps (RecurrentNet.optSteps) but the gradient method "
                            + getName()
                            + " runs "
                            + steps
                            + ": training and evaluation would use different depths. Build both"
                            + " with the same number of steps, or leave the method's setSteps out"
                            + " to take the network's.");
        }
        return steps;
    }

    /**
     * Returns the method's name and key settings for logs, such as {@code C-RBP(steps=12,
     * forward=naive, adjoint=neumann(8, abs 1e-09, cap 1.00), penalty=LCP(...))}.
     *
     * @return the description
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(getName()).append("(steps=")
                .append(steps == 0 ? "the network's" : Integer.toString(steps));
        describeSettings(text);
        if (penalty != null) {
            text.append(", penalty=").append(penalty);
        }
        if (!monitorContraction) {
            text.append(", no contraction monitor");
        } else if (monitorEvery != DEFAULT_MONITOR_EVERY) {
            text.append(", monitor every ").append(monitorEvery);
        }
        return text.append(')').toString();
    }

    /**
     * Appends the method's own settings to {@link #toString()}, each after {@code ", "}.
     *
     * @param text the description so far
     */
    abstract void describeSettings(StringBuilder text);

    /**
     * Returns the penalty, or {@code null} when the method has none.
     *
     * @return the penalty
     */
    public LipschitzPenalty getPenalty() {
        return penalty;
    }

    /** Counts the batch now starting and says what it computes besides the gradient. */
    Plan plan(NDArray sample) {
        long batch = batches.getAndIncrement();
        boolean penaltyDue = penalty != null && batch % penalty.getEvery() == 0;
        boolean monitorDue = monitorContraction && batch % monitorEvery == 0
                && EngineAutograd.supports(sample);
        return new Plan(penaltyDue, penaltyDue || monitorDue);
    }

    /** Remembers a fresh {@code max(J^T 1)} and returns the latest one, as reported. */
    float columnSumToReport(Contraction contraction) {
        if (contraction != null) {
            lastMaxColumnSum = (float) contraction.maxColumnSum;
        }
        return lastMaxColumnSum;
    }

    /** What one batch computes besides the gradient. */
    static final class Plan {
        final boolean penaltyDue;
        final boolean columnSums;

        Plan(boolean penaltyDue, boolean columnSums) {
            this.penaltyDue = penaltyDue;
            this.columnSums = columnSums;
        }
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
        return new AuxiliaryStep(manager, leaves, outputs, net, detached, detachedDrive);
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
            return new Contraction(0, max, null, null);
        }
        if (lcp.getProbe() == LipschitzPenalty.Probe.POWER) {
            columnSums.close();
            return powerContraction(aux, lcp, max, scope);
        }
        if (lcp.getProbe() == LipschitzPenalty.Probe.RESIDUAL) {
            columnSums.close();
            return residualContraction(aux, lcp, max, scope);
        }
        double value = 0;
        NDList cotangents = new NDList(columnSums.size());
        for (NDArray u : columnSums) {
            LipschitzPenalty.ColumnSumPart part = lcp.columnSumPart(u, scope);
            cotangents.add(part.cotangent);
            value += part.value;
        }
        columnSums.close();
        return new Contraction(value, max, cotangents, null);
    }

    /**
     * The {@link LipschitzPenalty.Probe#POWER} penalty: per state tensor, {@code k} power
     * iterations {@code u <- J_ii^T u / ||.||} (each image's block normalised) from a fixed start,
     * then the gains {@code g_b = ||J_ii^T u_b||} of the last probe {@code u}. The penalty is the
     * reduction of {@code relu(g_b - lambda)^2} over the images; its cotangent on {@code J^T u}
     * is {@code r_b = 2 relu(g_b - lambda) / n * (J^T u)_b / g_b}, and the probe {@code u} is
     * held constant in the gradient (as {@code 1} is for the column sums).
     */
    private static Contraction powerContraction(AuxiliaryStep aux, LipschitzPenalty lcp,
            double maxColumnSum, NDManager scope) {
        double value = 0;
        NDList cotangents = new NDList(aux.outputs.size());
        NDList probes = new NDList(aux.outputs.size());
        for (int i = 0; i < aux.outputs.size(); i++) {
            NDArray leaf = aux.leaves.get(i);
            NDArray probe = LipschitzPenalty.probeStart(leaf, aux.manager);
            NDArray product = null;
            double[] gains = null;
            for (int k = 0; k < lcp.getPowerIterations(); k++) {
                if (product != null) {
                    NDArray next = Jacobians.normalisePerImage(new NDList(product), gains,
                            aux.manager).head();
                    probe.close();
                    product.close();
                    probe = next;
                }
                product = Jacobians.blockVjp(aux.outputs, aux.leaves, i, probe, aux.manager);
                gains = Jacobians.perImageNorms(new NDList(product));
            }
            LipschitzPenalty.GainPenalty gain = lcp.gainPenalty(gains);
            double part = gain.value;
            if (part > 0) {
                double[] factor = gain.cotangentFactors();
                // zero for the images within the bound
                NDArray r = Jacobians.scalePerImage(new NDList(product), factor, scope).head();
                NDArray kept = probe.duplicate();
                kept.attach(scope);
                cotangents.add(r);
                probes.add(kept);
            } else {
                cotangents.add(null);
                probes.add(null);
            }
            product.close();
            probe.close();
            value += part;
        }
        return new Contraction(value, maxColumnSum, cotangents, probes);
    }

    /**
     * The {@link LipschitzPenalty.Probe#RESIDUAL} penalty: per state tensor, the direction the
     * state still moves in, {@code u_b = (F(h) - h)_b / ||(F(h) - h)_b||}, and the gain {@code g_b
     * = ||(J_ii u)_b||} along it, by a central difference of two evaluations without gradient.
     * Near a fixed point the residual of the iteration is its slowest mode (the forward steps
     * have already power-iterated {@code J} on it), and a period-2 flip has a gain near 1 there,
     * so this sees what {@code J^T 1} cannot. Images whose residual is below {@link
     * LipschitzPenalty#settledResidual} of their state carry no direction and no penalty. The
     * penalty is the reduction of {@code relu(g_b - lambda)^2}; its gradient is that of {@code
     * <c, J u>} with {@code c_b = 2 relu(g_b - lambda) / n * (J u)_b / g_b} and {@code u} held
     * constant, which {@link #backwardPenalty} differences along {@code u} (the cotangents) with
     * the probes {@code c}.
     */
    private static Contraction residualContraction(AuxiliaryStep aux, LipschitzPenalty lcp,
            double maxColumnSum, NDManager scope) {
        double value = 0;
        NDList directions = new NDList(aux.outputs.size());
        NDList probes = new NDList(aux.outputs.size());
        for (int i = 0; i < aux.outputs.size(); i++) {
            try (NDManager local = aux.manager.newSubManager()) {
                NDArray h = aux.leaves.get(i).stopGradient();
                h.attach(local);
                NDArray motion = aux.outputs.get(i).stopGradient().sub(h);
                motion.attach(local);
                double[] motionNorms = Jacobians.perImageNorms(new NDList(motion));
                double[] stateNorms = Jacobians.perImageNorms(new NDList(h));
                double floor = LipschitzPenalty.settledResidual(h.getDataType());
                double[] inverse = new double[motionNorms.length];
                boolean moving = false;
                for (int b = 0; b < inverse.length; b++) {
                    boolean settled = !(motionNorms[b] > floor * Math.max(stateNorms[b], 1e-30));
                    inverse[b] = settled ? 0 : 1 / motionNorms[b];
                    moving |= !settled;
                }
                if (!moving) {
                    directions.add(null);
                    probes.add(null);
                    continue;
                }
                NDArray u = Jacobians.scalePerImage(new NDList(motion), inverse, local).head();
                double scale = shiftScale(h, u, false);
                NDArray plus = aux.stepAt(i, h.add(u.mul(scale))).get(i);
                NDArray minus = aux.stepAt(i, h.sub(u.mul(scale))).get(i);
                plus.attach(local);
                minus.attach(local);
                NDArray product = plus.sub(minus).div(2 * scale);
                double[] gains = Jacobians.perImageNorms(new NDList(product));
                LipschitzPenalty.GainPenalty gain = lcp.gainPenalty(gains);
                if (gain.value > 0) {
                    NDArray c = Jacobians.scalePerImage(new NDList(product),
                            gain.cotangentFactors(), scope).head();
                    u.attach(scope);
                    directions.add(u);
                    probes.add(c);
                } else {
                    directions.add(null);
                    probes.add(null);
                }
                value += gain.value;
            }
        }
        return new Contraction(value, maxColumnSum, directions, probes);
    }

    /**
     * Returns the step size {@code s_i} of the finite difference along {@code r_i} for every state
     * tensor (NaN where {@code r_i} is zero): the shift {@code s_i r_i} has the size {@code
     * epsilon * max(rms(h_i), 1)}.
     */
    static double[] penaltyScales(NDList state, NDList cotangents, boolean oneSided) {
        double[] scales = new double[state.size()];
        for (int i = 0; i < state.size(); i++) {
            NDArray r = cotangents.get(i);
            if (r == null) {
                scales[i] = Double.NaN;
                continue;
            }
            scales[i] = shiftScale(state.get(i), r, oneSided);
        }
        return scales;
    }

    /**
     * The step {@code s} of a finite difference at {@code h} along {@code r}: the shift {@code s r}
     * has the size {@code epsilon * max(rms(h), 1)}, with the difference's epsilon for the type.
     */
    private static double shiftScale(NDArray h, NDArray r, boolean oneSided) {
        double epsilon = epsilon(h.getDataType(), oneSided) * Math.max(Jacobians.rms(h), 1.0);
        return epsilon / Jacobians.rms(r);
    }

    /**
     * Folds the {@code -S_i(h)} term of the one-sided difference into the cotangent of the
     * recorded step at {@code h}: {@code c_i <- c_i - (weight / s_i) p_i}, with the probe {@code
     * p_i} ({@code 1} when {@code probes} is null). The cotangent is a plain array (no graph), so
     * the scalar operand is safe here.
     */
    static void foldPenalty(NDList cotangent, double[] scales, float weight, NDList probes) {
        for (int i = 0; i < cotangent.size(); i++) {
            if (!Double.isNaN(scales[i])) {
                if (probes == null) {
                    cotangent.get(i).subi(weight / scales[i]);
                } else {
                    try (NDArray shift = probes.get(i).mul(weight / scales[i])) {
                        cotangent.get(i).subi(shift);
                    }
                }
            }
        }
    }

    /**
     * Adds {@code weight * grad P} into the gradients of the parameters, the drive and {@code
     * state} (as far as their graphs reach): for each state tensor with a non-zero {@code r_i},
     * the central difference of {@code S_i} along {@code r_i} (two evaluations), or with {@code
     * oneSided} only its {@code +} side (one evaluation; the {@code -S_i(h)} side must have been
     * folded into the recorded step's cotangent with {@link #foldPenalty}). One evaluation and one
     * backward at a time, so that at most one extra step graph exists. With {@code keepGraph} the
     * graphs that {@code drive} and {@code state} hang from survive for a later backward.
     */
    static void backwardPenalty(
            RecurrentNet net,
            ParameterStore parameterStore,
            NDArray drive,
            NDList state,
            NDList cotangents,
            NDList probes,
            double[] scales,
            float weight,
            boolean oneSided,
            boolean keepGraph) {
        for (int i = 0; i < state.size(); i++) {
            NDArray r = cotangents.get(i);
            if (r == null) {
                continue;
            }
            NDArray h = state.get(i);
            double scale = scales[i];
            double divisor = oneSided ? scale : 2.0 * scale;
            for (int sign = 1; sign >= (oneSided ? 1 : -1); sign -= 2) {
                try (NDManager side = h.getManager().newSubManager()) {
                    ScopedParameterStore store =
                            new ScopedParameterStore(parameterStore, side, false);
                    h.tempAttach(side);
                    r.tempAttach(side);
                    NDArray shifted = h.add(r.mul(sign * scale));
                    NDArray output = net.step(store, drive, replace(state, i, shifted), true)
                            .get(i);
                    NDArray probe = probes == null ? null : probes.get(i);
                    if (probe != null) {
                        // an array operand: it outlives the backward below
                        probe.tempAttach(side);
                    }
                    NDArray sum = (probe == null ? output : output.mul(probe)).sum();
                    // the factor enters as the cotangent, not as a Number operand: DJL backs a
                    // Number with a Java buffer that it releases while autograd would keep it
                    NDArray factor = sum.onesLike()
                            .mul(sign * weight / divisor)
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

    private static double epsilon(DataType type, boolean oneSided) {
        switch (type) {
            case FLOAT64:
                return oneSided ? FLOAT64_ONE_SIDED_EPSILON : FLOAT64_EPSILON;
            case FLOAT32:
                return oneSided ? FLOAT32_ONE_SIDED_EPSILON : FLOAT32_EPSILON;
            default:
                return oneSided ? LOW_PRECISION_ONE_SIDED_EPSILON : LOW_PRECISION_EPSILON;
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
        private final RecurrentNet net;
        private final ParameterStore detachedParameters;
        private final NDArray detachedDrive;

        AuxiliaryStep(NDManager manager, NDList leaves, NDList outputs, RecurrentNet net,
                ParameterStore detachedParameters, NDArray detachedDrive) {
            this.manager = manager;
            this.leaves = leaves;
            this.outputs = outputs;
            this.net = net;
            this.detachedParameters = detachedParameters;
            this.detachedDrive = detachedDrive;
        }

        /**
         * One more step, without gradient, at the leaves' values with state tensor {@code index}
         * replaced by {@code value}; the outputs are in the caller's manager of {@code value}.
         */
        NDList stepAt(int index, NDArray value) {
            NDList state = new NDList(leaves.size());
            for (int j = 0; j < leaves.size(); j++) {
                state.add(j == index ? value : leaves.get(j).stopGradient());
            }
            return net.step(detachedParameters, detachedDrive, state, true);
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
        /** The probe {@code p_i} of each state tensor; null for the column sums ({@code 1}). */
        final NDList probes;

        Contraction(double penalty, double maxColumnSum, NDList cotangents, NDList probes) {
            this.penalty = penalty;
            this.maxColumnSum = maxColumnSum;
            this.cotangents = cotangents;
            this.probes = probes;
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
}
