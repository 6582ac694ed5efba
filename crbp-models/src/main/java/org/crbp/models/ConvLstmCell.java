/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.crbp.core.RecurrentCell;

/**
 * The convolutional LSTM cell of the reference's ConvLSTM Pathfinder model: state {@code [h, c]},
 * eight "same" convolutions of size {@code k} (input ones {@code W_x*} with bias, hidden ones
 * {@code W_h*} without), no peepholes, all with PyTorch's default initialisation:
 *
 * <pre>
 * i  = σ(W_xi * x + W_hi * h)
 * f  = σ(W_xf * x + W_hf * h)
 * o  = σ(W_xo * x + W_ho * h)
 * c' = f ⊙ c + i ⊙ tanh(W_xc * x + W_hc * h)
 * h' = o ⊙ tanh(c')
 * </pre>
 *
 * <p>The initial state is {@code h = c = 0}; the readout sees {@code h}. For speed the four input
 * and the four hidden kernels are concatenated and applied as two convolutions per step.
 *
 * <p>Parameter names: {@code Wxi_weight}, {@code Wxi_bias}, {@code Whi_weight}, and likewise for
 * {@code f}, {@code c}, {@code o}.
 *
 * <p><b>Implicit gradient on {@code h} only.</b> The reference runs RBP's Neumann series on {@code
 * h} alone: the last step starts from the detached {@code (h*, c_(T-1))}, and the series uses
 * {@code J = ∂h_T/∂h*} with {@code c_(T-1)} held fixed. {@link #isImplicitState(int)} (and {@link
 * #getImplicitStateIndices()}) name
 * the state tensors the series runs on ({@code {0}} by default, {@code {0, 1}} with {@link
 * ImplicitState#HIDDEN_AND_CELL}); a gradient method honours it by zeroing the other tensors'
 * components of every vector-Jacobian product (and of the first cotangent). The Lipschitz penalty
 * is not affected: the reference computes it on both {@code h} and {@code c}.
 */
public final class ConvLstmCell extends RecurrentCell {

    /** The default number of channels, the reference convLSTM's 25. */
    public static final int DEFAULT_CHANNELS = 25;

    /** The default kernel size of the hidden convolutions, the reference convLSTM's 15. */
    public static final int DEFAULT_KERNEL = 15;

    private static final byte VERSION = 1;
    private static final String[] GATES = {"i", "f", "c", "o"};

    /** Which state tensors the implicit (RBP) gradient's Neumann series runs on. */
    public enum ImplicitState {
        /** {@code h} only, {@code c_(T-1)} held fixed: the reference's choice (the default). */
        HIDDEN,
        /** The whole state {@code (h, c)}. */
        HIDDEN_AND_CELL
    }

    private final int channels;
    private final int kernel;
    private final ImplicitState implicitState;
    private final Parameter[] wx = new Parameter[4];
    private final Parameter[] bx = new Parameter[4];
    private final Parameter[] wh = new Parameter[4];

    private ConvLstmCell(Builder builder) {
        super(VERSION);
        channels = builder.channels;
        kernel = builder.kernel;
        implicitState = builder.implicitState;
        long fanIn = (long) channels * kernel * kernel;
        Shape shape = new Shape(channels, channels, kernel, kernel);
        for (int g = 0; g < 4; g++) {
            wx[g] =
                    addParameter(
                            Parameter.builder()
                                    .setName("Wx" + GATES[g] + "_weight")
                                    .setType(Parameter.Type.WEIGHT)
                                    .optShape(shape)
                                    .optInitializer(Initializers.torchDefault(fanIn))
                                    .build());
            bx[g] =
                    addParameter(
                            Parameter.builder()
                                    .setName("Wx" + GATES[g] + "_bias")
                                    .setType(Parameter.Type.BIAS)
                                    .optShape(new Shape(channels))
                                    .optInitializer(Initializers.torchDefault(fanIn))
                                    .build());
            wh[g] =
                    addParameter(
                            Parameter.builder()
                                    .setName("Wh" + GATES[g] + "_weight")
                                    .setType(Parameter.Type.WEIGHT)
                                    .optShape(shape)
                                    .optInitializer(Initializers.torchDefault(fanIn))
                                    .build());
        }
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
     * Returns the number of channels of the drive and of {@code h} and {@code c}.
     *
     * @return the channels
     */
    public int getChannels() {
        return channels;
    }

    /**
     * Returns the kernel size.
     *
     * @return the kernel size
     */
    public int getKernel() {
        return kernel;
    }

    /**
     * Returns which state tensors the implicit gradient runs on.
     *
     * @return {@link ImplicitState#HIDDEN} (the reference) or {@link
     *     ImplicitState#HIDDEN_AND_CELL}
     */
    public ImplicitState getImplicitState() {
        return implicitState;
    }

    /** {@inheritDoc} */
    @Override
    public boolean isImplicitState(int index) {
        return index == 0 || implicitState == ImplicitState.HIDDEN_AND_CELL;
    }

    /**
     * Returns the indices, among the state tensors {@code [h, c]}, that RBP's Neumann series runs
     * on: {@code {0}} ({@code h} only, as the reference) or {@code {0, 1}}. A gradient method
     * keeps the series' vectors zero at the other indices.
     *
     * @return the indices, ascending; a new array each call
     */
    public int[] getImplicitStateIndices() {
        return implicitState == ImplicitState.HIDDEN ? new int[] {0} : new int[] {0, 1};
    }

    /**
     * {@inheritDoc}
     *
     * <p>Two state tensors, {@code h} and {@code c}, each of the drive's shape.
     */
    @Override
    public Shape[] getStateShapes(Shape driveShape) {
        return new Shape[] {driveShape, driveShape};
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray h = inputs.get(1);
        NDArray c = inputs.get(2);
        Device d = x.getDevice();
        NDList wxs = new NDList(4);
        NDList bxs = new NDList(4);
        NDList whs = new NDList(4);
        for (int g = 0; g < 4; g++) {
            wxs.add(ps.getValue(wx[g], d, training));
            bxs.add(ps.getValue(bx[g], d, training));
            whs.add(ps.getValue(wh[g], d, training));
        }
        NDArray gates =
                SameConv2d.conv(x, NDArrays.concat(wxs, 0), NDArrays.concat(bxs, 0))
                        .add(SameConv2d.conv(h, NDArrays.concat(whs, 0), null));
        NDList split = gates.split(4, 1);
        NDArray i = Activation.sigmoid(split.get(0));
        NDArray f = Activation.sigmoid(split.get(1));
        NDArray cand = Activation.tanh(split.get(2));
        NDArray o = Activation.sigmoid(split.get(3));
        NDArray cNext = c.mul(f).add(cand.mul(i));
        NDArray hNext = Activation.tanh(cNext).mul(o);
        return new NDList(hNext, cNext);
    }

    /** The builder of {@link ConvLstmCell}. */
    public static final class Builder {
        private int channels = DEFAULT_CHANNELS;
        private int kernel = DEFAULT_KERNEL;
        private ImplicitState implicitState = ImplicitState.HIDDEN;

        Builder() {}

        /**
         * Sets the state tensors RBP's Neumann series runs on (default {@link
         * ImplicitState#HIDDEN}, as the reference).
         *
         * @param implicitState {@code HIDDEN} or {@code HIDDEN_AND_CELL}
         * @return this builder
         */
        public Builder optImplicitState(ImplicitState implicitState) {
            this.implicitState = implicitState;
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
         * Sets the kernel size (default 15).
         *
         * @param kernel an odd number, at least 1
         * @return this builder
         */
        public Builder optKernel(int kernel) {
            this.kernel = kernel;
            return this;
        }

        /**
         * Builds the cell.
         *
         * @return the cell
         * @throws IllegalArgumentException if a size is invalid
         */
        public ConvLstmCell build() {
            if (channels < 1) {
                throw new IllegalArgumentException(
                        "The convLSTM needs at least 1 channel, got " + channels);
            }
            if (implicitState == null) {
                throw new IllegalArgumentException("The implicit state must not be null");
            }
            if (kernel < 1 || kernel % 2 == 0) {
                throw new IllegalArgumentException(
                        "The convLSTM's kernel size must be odd and >= 1, got " + kernel);
            }
            return new ConvLstmCell(this);
        }
    }
}
