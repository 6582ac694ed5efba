/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

import org.crbp.core.RecurrentCell;

/**
 * The horizontal gated recurrent unit (hGRU) of the reference Pathfinder model, one step per
 * forward call.
 *
 * <p>With drive {@code X}, state {@code h}, softplus {@code sp}, sigmoid {@code σ}, elementwise
 * {@code ⊙} and "same" convolution {@code *}:
 *
 * <pre>
 * 1. g1 = σ(U1 h + b1)
 * 2. c1 = bn1(W_inh * (h ⊙ g1))
 * 3. h1 = sp(X − sp(c1 ⊙ (alpha ⊙ h + mu)))
 * 4. g2 = σ(U2 h1 + b2)
 * 5. c2 = bn3(W_exc * h1)
 * 6. h~ = sp(kappa ⊙ h1 + gamma ⊙ c2 + w ⊙ h1 ⊙ c2)
 * 7. h' = sp((1 − g2) ⊙ h + g2 ⊙ h~)
 * </pre>
 *
 * <p>As in the reference code: two separate horizontal kernels {@code W_inh}, {@code W_exc} of
 * shape {@code (C, C, k, k)} without bias and with orthogonal initialisation; 1×1 gates {@code U1},
 * {@code U2} with bias and orthogonal weights; per-channel {@code alpha = 0.1}, {@code mu = 1},
 * {@code gamma = 1}, {@code kappa = 0.5}, {@code w = 0.5} of shape {@code (C, 1, 1)}; gate biases
 * {@code b1 ~ U(1, 7)} and {@code b2 = −b1} (the reference's {@code .log()} is not in place, so
 * the intended log is never applied); four batch norms with batch statistics (eps 1e-3, scale 0.1,
 * shift 0) of which only numbers 1 and 3 are used, all four counted as parameters, shared across
 * steps; and the extra outer softplus of step 7. The initial state is zeros.
 *
 * <p>Beyond the reference, {@link Builder#optUpdateGateFloor} bounds the update gate from below,
 * {@code g2 = f + (1 − f) σ(U2 h1 + b2)}: the leak {@code 1 − g2} that carries the old state into
 * the new one (step 7) is then at most {@code 1 − f}. A leak near 1 is a slow mode of the
 * dynamics that no penalty on {@code (1ᵀJ)_i} sees when the other terms of the column are
 * negative; the floor caps it by construction. The default, 0, is the reference's cell.
 *
 * <p>Parameter names: {@code w_gate_inh}, {@code w_gate_exc}, {@code u1_weight}, {@code
 * u1_bias}, {@code u2_weight}, {@code u2_bias}, {@code alpha}, {@code gamma}, {@code kappa},
 * {@code w}, {@code mu}, {@code bn0_weight}, {@code bn0_bias}, … {@code bn3_bias}.
 */
public final class HgruCell extends RecurrentCell {

    /** The reference's number of channels, 25. */
    public static final int DEFAULT_CHANNELS = 25;
    /** The reference's horizontal kernel size, 15. */
    public static final int DEFAULT_KERNEL = 15;

    private static final byte VERSION = 1;

    private final int channels;
    private final int kernel;
    private final double eps;
    private final GateInit gateInit;
    private final int chronosSteps;
    private final double updateGateFloor;

    private final Parameter wInh;
    private final Parameter wExc;
    private final Parameter u1Weight;
    private final Parameter u1Bias;
    private final Parameter u2Weight;
    private final Parameter u2Bias;
    private final Parameter alpha;
    private final Parameter gamma;
    private final Parameter kappa;
    private final Parameter w;
    private final Parameter mu;
    private final Parameter[] bnWeight = new Parameter[4];
    private final Parameter[] bnBias = new Parameter[4];

    private HgruCell(Builder builder) {
        super(VERSION);
        channels = builder.channels;
        kernel = builder.kernel;
        eps = builder.eps;
        updateGateFloor = builder.updateGateFloor;
        int c = channels;
        Shape horizontal = new Shape(c, c, kernel, kernel);
        wInh = param("w_gate_inh", Parameter.Type.WEIGHT, horizontal, Initializers.orthogonal());
        wExc = param("w_gate_exc", Parameter.Type.WEIGHT, horizontal, Initializers.orthogonal());
        u1Weight =
                param("u1_weight", Parameter.Type.WEIGHT, new Shape(c, c, 1, 1),
                        Initializers.orthogonal());
        gateInit = builder.gateInit;
        chronosSteps = builder.chronosSteps;
        // reference: b1 ~ U(1, 7) (its log is not applied); chronos: b1 = log U(1, T - 1)
        Initializer b1Init =
                gateInit == GateInit.REFERENCE
                        ? Initializers.uniform(1f, 7f)
                        : Initializers.logUniform(1f, Math.max(2f, chronosSteps - 1f));
        u1Bias = param("u1_bias", Parameter.Type.BIAS, new Shape(c), b1Init);
        u2Weight =
                param("u2_weight", Parameter.Type.WEIGHT, new Shape(c, c, 1, 1),
                        Initializers.orthogonal());
        // b2 = -b1, the same values: u1_bias is registered (and initialised) first
        Parameter b1 = u1Bias;
        Initializer negB1 = (manager, shape, dataType) -> b1.getArray().neg().toType(dataType, false);
        u2Bias = param("u2_bias", Parameter.Type.BIAS, new Shape(c), negB1);
        Shape perChannel = new Shape(c, 1, 1);
        alpha = param("alpha", Parameter.Type.OTHER, perChannel, Initializers.constant(0.1));
        gamma = param("gamma", Parameter.Type.OTHER, perChannel, Initializers.constant(1.0));
        kappa = param("kappa", Parameter.Type.OTHER, perChannel, Initializers.constant(0.5));
        w = param("w", Parameter.Type.OTHER, perChannel, Initializers.constant(0.5));
        mu = param("mu", Parameter.Type.OTHER, perChannel, Initializers.constant(1.0));
        for (int i = 0; i < 4; i++) {
            bnWeight[i] =
                    param("bn" + i + "_weight", Parameter.Type.GAMMA, new Shape(c),
                            Initializers.constant(0.1));
            bnBias[i] =
                    param("bn" + i + "_bias", Parameter.Type.BETA, new Shape(c), Initializer.ZEROS);
        }
    }

    private Parameter param(String name, Parameter.Type type, Shape shape, Initializer init) {
        return addParameter(
                Parameter.builder()
                        .setName(name)
                        .setType(type)
                        .optShape(shape)
                        .optInitializer(init)
                        .build());
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
     * Returns the number of channels of the drive and the state.
     *
     * @return the channels
     */
    public int getChannels() {
        return channels;
    }

    /**
     * Returns the horizontal kernel size.
     *
     * @return the kernel size
     */
    public int getKernel() {
        return kernel;
    }

    /**
     * Returns how the gate biases were initialised.
     *
     * @return the gate initialisation
     */
    public GateInit getGateInit() {
        return gateInit;
    }

    /**
     * Returns the update gate's floor {@code f} of {@code g2 = f + (1 − f) σ(U2 h1 + b2)}; 0 is
     * the reference's gate.
     *
     * @return the floor, in [0, 1)
     */
    public double getUpdateGateFloor() {
        return updateGateFloor;
    }

    /**
     * How the gate biases {@code b1} and {@code b2 = -b1} are initialised.
     *
     * <p>The update gate {@code g2 = σ(U2 h1 + b2)} starts near {@code σ(-b1)}: with {@link
     * #REFERENCE} that is about {@code σ(-4) ≈ 0.02}, so the state moves slowly and many steps pass
     * before information travels along a contour; {@link #CHRONOS} starts it between {@code
     * 1/(T-1)} and 1/2, the time scales a T-step model can use.
     */
    public enum GateInit {
        /** What the reference code runs: {@code b1 ~ U(1, 7)}, {@code b2 = -b1}. */
        REFERENCE,
        /** The intended "chronos" initialisation: {@code b1 = log U(1, T - 1)}, {@code b2 = -b1}. */
        CHRONOS
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray h = inputs.get(1);
        Device d = x.getDevice();
        NDArray a = ps.getValue(alpha, d, training);
        NDArray m = ps.getValue(mu, d, training);
        NDArray gm = ps.getValue(gamma, d, training);
        NDArray kp = ps.getValue(kappa, d, training);
        NDArray ww = ps.getValue(w, d, training);

        // 1. g1 = sigmoid(U1 h + b1)
        NDArray g1 =
                Activation.sigmoid(
                        SameConv2d.conv(
                                h, ps.getValue(u1Weight, d, training),
                                ps.getValue(u1Bias, d, training)));
        // 2. c1 = bn1(W_inh * (h . g1))
        NDArray c1 =
                BatchStatsNorm.normalize(
                        SameConv2d.conv(h.mul(g1), ps.getValue(wInh, d, training), null),
                        ps.getValue(bnWeight[1], d, training),
                        ps.getValue(bnBias[1], d, training),
                        eps);
        // 3. h1 = sp(X - sp(c1 . (alpha h + mu)))
        NDArray h1 =
                Activation.softPlus(
                        x.sub(Activation.softPlus(c1.mul(h.mul(a).add(m)))));
        // 4. g2 = sigmoid(U2 h1 + b2)
        NDArray g2 =
                Activation.sigmoid(
                        SameConv2d.conv(
                                h1, ps.getValue(u2Weight, d, training),
                                ps.getValue(u2Bias, d, training)));
        if (updateGateFloor > 0) {
            // g2 = f + (1 - f) g2, with the constants as arrays (no scalar operands)
            NDManager constants = h1.getManager();
            NDArray keep = constant(constants, 1 - updateGateFloor, g2.getDataType());
            NDArray floor = constant(constants, updateGateFloor, g2.getDataType());
            g2 = g2.mul(keep).add(floor);
        }
        // 5. c2 = bn3(W_exc * h1)
        NDArray c2 =
                BatchStatsNorm.normalize(
                        SameConv2d.conv(h1, ps.getValue(wExc, d, training), null),
                        ps.getValue(bnWeight[3], d, training),
                        ps.getValue(bnBias[3], d, training),
                        eps);
        // 6. h~ = sp(kappa h1 + gamma c2 + w h1 c2)
        // written as sp((w h1 + gamma) c2 + kappa h1): fewer passes over the state
        NDArray hTilde = Activation.softPlus(h1.mul(ww).add(gm).mul(c2).add(h1.mul(kp)));
        // 7. h' = sp((1 - g2) h + g2 h~), written as sp(h + g2 (h~ - h))
        NDArray next = Activation.softPlus(h.add(hTilde.sub(h).mul(g2)));
        return new NDList(next);
    }

    private static NDArray constant(NDManager manager, double value, DataType dataType) {
        if (dataType != DataType.FLOAT64) {
            return manager.full(new Shape(), (float) value, dataType);
        }
        // an array made from Java data reads its Java buffer in place; the step's graph keeps
        // this operand until the backward pass, so it must be a copy the engine owns
        try (NDArray wrapped = manager.create(value)) {
            return wrapped.duplicate();
        }
    }

    /** The builder of {@link HgruCell}. */
    public static final class Builder {
        private int channels = DEFAULT_CHANNELS;
        private int kernel = DEFAULT_KERNEL;
        private double eps = BatchStatsNorm.DEFAULT_EPS;
        private GateInit gateInit = GateInit.REFERENCE;
        private int chronosSteps;
        private double updateGateFloor;

        Builder() {}

        /**
         * Bounds the update gate from below: {@code g2 = f + (1 − f) σ(U2 h1 + b2)}, so the
         * leak {@code 1 − g2} of the old state is at most {@code 1 − f} (default 0, the
         * reference's gate). A floor of 0.2 caps the leak at 0.8, a mode that shrinks 1000-fold
         * in 31 steps where the trained reference gate's 0.96 needs 170.
         *
         * @param floor the floor, in [0, 1)
         * @return this builder
         */
        public Builder optUpdateGateFloor(double floor) {
            this.updateGateFloor = floor;
            return this;
        }

        /**
         * Initialises the gate biases as the reference code does, {@code b1 ~ U(1, 7)}, {@code b2 =
         * -b1} (the default).
         *
         * @return this builder
         */
        public Builder optReferenceGateInit() {
            this.gateInit = GateInit.REFERENCE;
            return this;
        }

        /**
         * Initialises the gate biases with the "chronos" rule {@code b1 = log U(1, T - 1)}, {@code
         * b2 = -b1}, for a model run for {@code steps} steps.
         *
         * @param steps the number of steps T the model is trained with, at least 3
         * @return this builder
         */
        public Builder optChronosGateInit(int steps) {
            if (steps < 3) {
                throw new IllegalArgumentException(
                        "The chronos gate initialisation needs T >= 3 steps, got " + steps);
            }
            this.gateInit = GateInit.CHRONOS;
            this.chronosSteps = steps;
            return this;
        }

        /**
         * Sets the number of channels (default 25).
         *
         * @param channels at least 1
         * @return this builder
         */
        public Builder optChannels(int channels) {
            this.channels = channels;
            return this;
        }

        /**
         * Sets the horizontal kernel size (default 15; the paper also uses 3, 5, 7, 9).
         *
         * @param kernel an odd number, at least 1
         * @return this builder
         */
        public Builder optKernel(int kernel) {
            this.kernel = kernel;
            return this;
        }

        /**
         * Sets the batch norms' epsilon (default 1e-3).
         *
         * @param eps a positive number
         * @return this builder
         */
        public Builder optEps(double eps) {
            this.eps = eps;
            return this;
        }

        /**
         * Builds the cell.
         *
         * @return the cell
         * @throws IllegalArgumentException if a size is invalid
         */
        public HgruCell build() {
            if (channels < 1) {
                throw new IllegalArgumentException(
                        "The hGRU needs at least 1 channel, got " + channels);
            }
            if (kernel < 1 || kernel % 2 == 0) {
                throw new IllegalArgumentException(
                        "The hGRU's kernel size must be odd and >= 1, got " + kernel);
            }
            if (!(updateGateFloor >= 0 && updateGateFloor < 1)) {
                throw new IllegalArgumentException(
                        "The update gate's floor must be in [0, 1), got " + updateGateFloor);
            }
            if (!(eps > 0)) {
                throw new IllegalArgumentException("eps must be positive, got " + eps);
            }
            return new HgruCell(this);
        }
    }
}
