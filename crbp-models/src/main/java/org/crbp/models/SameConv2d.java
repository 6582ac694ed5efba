/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

import org.crbp.core.Convolutions;

/**
 * A 2-D convolution with stride 1 and "same" padding {@code k / 2} (odd {@code k}), whose input
 * and output channels are fixed when it is built, so its parameter shapes are known before
 * initialisation.
 *
 * <p>Parameters: {@code weight} of shape {@code (out, in, k, k)} and, optionally, {@code bias} of
 * shape {@code (out)}. Both default to PyTorch's {@code Conv2d} initialisation {@code U(-1/sqrt(in
 * k²), 1/sqrt(in k²))}.
 */
public final class SameConv2d extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final Parameter weight;
    private final Parameter bias;

    private SameConv2d(Builder builder) {
        super(VERSION);
        inChannels = builder.inChannels;
        outChannels = builder.outChannels;
        kernel = builder.kernel;
        long fanIn = (long) inChannels * kernel * kernel;
        weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(outChannels, inChannels, kernel, kernel))
                                .optInitializer(
                                        builder.weightInit != null
                                                ? builder.weightInit
                                                : Initializers.torchDefault(fanIn))
                                .build());
        if (builder.bias) {
            bias =
                    addParameter(
                            Parameter.builder()
                                    .setName("bias")
                                    .setType(Parameter.Type.BIAS)
                                    .optShape(new Shape(outChannels))
                                    .optInitializer(
                                            builder.biasInit != null
                                                    ? builder.biasInit
                                                    : Initializers.torchDefault(fanIn))
                                    .build());
        } else {
            bias = null;
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
     * Convolves with stride 1 and padding {@code k / 2}. The result belongs to {@code x}'s
     * manager.
     *
     * @param x the input {@code (N, in, H, W)}
     * @param weight the kernel {@code (out, in, k, k)}
     * @param bias the bias {@code (out)}, or {@code null}
     * @return the output {@code (N, out, H, W)}
     */
    public static NDArray conv(NDArray x, NDArray weight, NDArray bias) {
        Shape ws = weight.getShape();
        long k = ws.get(2);
        if (k == 1 && ws.get(3) == 1) {
            return pointwise(x, weight, bias);
        }
        return Convolutions.same(x, weight, bias);
    }

    /**
     * A 1×1 convolution as a batched matrix product {@code W (N, in, HW)}: on the CPU the engine's
     * convolution with 25 channels spends most of its time outside the arithmetic (measured 36 ms
     * against 11 ms at 32×25×64×64).
     */
    private static NDArray pointwise(NDArray x, NDArray weight, NDArray bias) {
        Shape xs = x.getShape();
        Shape ws = weight.getShape();
        NDManager manager = x.getManager();
        // the product belongs to its first operand's manager: move the weight's view to x's
        NDArray w2 = weight.reshape(ws.get(0), ws.get(1));
        w2.attach(manager);
        NDArray out =
                w2.matMul(x.reshape(xs.get(0), xs.get(1), xs.get(2) * xs.get(3)))
                        .reshape(xs.get(0), ws.get(0), xs.get(2), xs.get(3));
        if (bias == null) {
            return out;
        }
        NDArray b = bias.reshape(ws.get(0), 1, 1);
        b.attach(manager);
        return out.add(b);
    }

    /**
     * Returns the weight parameter.
     *
     * @return the weight
     */
    public Parameter getWeight() {
        return weight;
    }

    /**
     * Returns the bias parameter, or {@code null} without bias.
     *
     * @return the bias
     */
    public Parameter getBias() {
        return bias;
    }

    /**
     * Returns the kernel size.
     *
     * @return the kernel size
     */
    public int getKernel() {
        return kernel;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = parameterStore.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : parameterStore.getValue(bias, x.getDevice(), training);
        return new NDList(conv(x, w, b));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), outChannels, in.get(2), in.get(3))};
    }

    /** The builder of {@link SameConv2d}. */
    public static final class Builder {
        private int inChannels = -1;
        private int outChannels = -1;
        private int kernel = -1;
        private boolean bias = true;
        private Initializer weightInit;
        private Initializer biasInit;

        Builder() {}

        /**
         * Sets the number of input channels (required).
         *
         * @param inChannels at least 1
         * @return this builder
         */
        public Builder setInChannels(int inChannels) {
            this.inChannels = inChannels;
            return this;
        }

        /**
         * Sets the number of output channels (required).
         *
         * @param outChannels at least 1
         * @return this builder
         */
        public Builder setOutChannels(int outChannels) {
            this.outChannels = outChannels;
            return this;
        }

        /**
         * Sets the kernel size (required, odd).
         *
         * @param kernel an odd number, at least 1
         * @return this builder
         */
        public Builder setKernel(int kernel) {
            this.kernel = kernel;
            return this;
        }

        /**
         * Sets whether the convolution has a bias (default true).
         *
         * @param bias whether to add a bias
         * @return this builder
         */
        public Builder optBias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /**
         * Sets the weight's initializer (default PyTorch's).
         *
         * @param weightInit the initializer
         * @return this builder
         */
        public Builder optWeightInitializer(Initializer weightInit) {
            this.weightInit = weightInit;
            return this;
        }

        /**
         * Sets the bias's initializer (default PyTorch's).
         *
         * @param biasInit the initializer
         * @return this builder
         */
        public Builder optBiasInitializer(Initializer biasInit) {
            this.biasInit = biasInit;
            return this;
        }

        /**
         * Builds the block.
         *
         * @return the block
         * @throws IllegalArgumentException if a size is missing or the kernel is even
         */
        public SameConv2d build() {
            if (inChannels < 1 || outChannels < 1) {
                throw new IllegalArgumentException(
                        "SameConv2d needs setInChannels and setOutChannels >= 1, got "
                                + inChannels
                                + " and "
                                + outChannels);
            }
            if (kernel < 1 || kernel % 2 == 0) {
                throw new IllegalArgumentException(
                        "SameConv2d needs an odd kernel size >= 1, got " + kernel);
            }
            return new SameConv2d(this);
        }
    }
}
