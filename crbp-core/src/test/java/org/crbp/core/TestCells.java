/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/** Small cells and networks for the core tests. */
public final class TestCells {

    private TestCells() {}

    /** The library's {@code h' = tanh(W * h + b + x)} cell: contractive when scale is small. */
    static TanhCell tanh(int channels, int kernel, float scale) {
        return TanhCell.builder().setChannels(channels).optKernel(kernel).optWeightScale(scale)
                .build();
    }

    /**
     * Two state tensors: {@code h' = tanh(W * h + x + a c)}, {@code c' = 0.5 c + 0.3 tanh(V * h)}.
     */
    public static final class TwoStateCell extends RecurrentCell {
        private final Parameter w;
        private final Parameter v;
        private final Parameter a;

        private final boolean cellImplicit;

        TwoStateCell(int channels, float scale) {
            this(channels, scale, true);
        }

        /** With {@code cellImplicit} false, RBP holds c at its fixed point (as convLSTM's h-only). */
        TwoStateCell(int channels, float scale, boolean cellImplicit) {
            this(channels, 3, scale, cellImplicit);
        }

        /**
         * With kernels of {@code kernel} (the convolution probe's sizes).
         *
         * @param channels the channels of h and c
         * @param kernel the size of W and V
         * @param scale the weights' scale
         */
        public TwoStateCell(int channels, int kernel, float scale) {
            this(channels, kernel, scale, true);
        }

        private TwoStateCell(int channels, int kernel, float scale, boolean cellImplicit) {
            this.cellImplicit = cellImplicit;
            float sigma = scale / (float) Math.sqrt(channels * kernel * kernel);
            w = addParameter(Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(channels, channels, kernel, kernel))
                    .optInitializer(new NormalInitializer(sigma)).build());
            v = addParameter(Parameter.builder().setName("v").setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(channels, channels, kernel, kernel))
                    .optInitializer(new NormalInitializer(sigma)).build());
            a = addParameter(Parameter.builder().setName("a").setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(channels, 1, 1))
                    .optInitializer(new NormalInitializer(0.3f)).build());
        }

        @Override
        public Shape[] getStateShapes(Shape driveShape) {
            return new Shape[] {driveShape, driveShape};
        }

        @Override
        public boolean isImplicitState(int index) {
            return index == 0 || cellImplicit;
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
            NDArray x = inputs.get(0);
            NDArray h = inputs.get(1);
            NDArray c = inputs.get(2);
            NDArray wv = ps.getValue(w, x.getDevice(), training);
            NDArray vv = ps.getValue(v, x.getDevice(), training);
            NDArray av = ps.getValue(a, x.getDevice(), training);
            // constants as arrays: a Number operand's buffer would not outlive the forward pass
            NDArray half = c.getManager().full(new Shape(), 0.5f, c.getDataType());
            NDArray small = c.getManager().full(new Shape(), 0.3f, c.getDataType());
            NDArray hNext = Convolutions.same(h, wv, null)
                    .add(x).add(c.mul(av)).tanh();
            NDArray cNext = c.mul(half).add(Convolutions.same(h, vv, null)
                    .tanh().mul(small));
            return new NDList(hNext, cNext);
        }
    }

    /** A cell whose output has the wrong shape. */
    static final class BadShapeCell extends RecurrentCell {
        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
            NDArray h = inputs.get(1);
            return new NDList(h.reshape(h.getShape().get(0), -1));
        }
    }

    /**
     * A 3x3 convolution from the input to {@code channels}, the drive of the test networks.
     *
     * @param channels the drive's channels
     * @return the encoder
     */
    public static Conv2d encoder(int channels) {
        return Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .setFilters(channels)
                .optPadding(new Shape(1, 1))
                .build();
    }

    static Conv2d readout(int classes) {
        return Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(classes).build();
    }

    static RecurrentNet net(RecurrentCell cell, int channels, int classes, int steps) {
        return RecurrentNet.builder()
                .setEncoder(encoder(channels))
                .setCell(cell)
                .setReadout(readout(classes))
                .optSteps(steps)
                .build();
    }
}
