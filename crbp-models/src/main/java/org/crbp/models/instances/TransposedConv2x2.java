/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.instances;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.crbp.models.Initializers;

/**
 * A transposed convolution with kernel 2 and stride 2 (no padding): the 2× upsampling of Mask
 * R-CNN's mask head, {@code (N, in, H, W) -> (N, out, 2H, 2W)}.
 *
 * <p>With kernel equal to stride the output pixels {@code (2i + a, 2j + b)} depend on input pixel
 * {@code (i, j)} alone: {@code y[n, o, 2i + a, 2j + b] = bias[o] + sum_c weight[c, o, a, b] x[n,
 * c, i, j]}. It is computed as one matrix product and a reshuffle, with no convolution operator
 * (DJL 0.36's PyTorch engine has no transposed convolution, and the CPU library's convolutions
 * need channel padding, see {@link org.crbp.core.Convolutions}).
 *
 * <p>Parameters: {@code weight} {@code (in, out, 2, 2)} (PyTorch's {@code ConvTranspose2d}
 * layout) and {@code bias} {@code (out)}, both with PyTorch's default initialisation {@code
 * U(-1/sqrt(4 out), 1/sqrt(4 out))}.
 */
public final class TransposedConv2x2 extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int inChannels;
    private final int outChannels;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Creates the block.
     *
     * @param inChannels the input channels, at least 1
     * @param outChannels the output channels, at least 1
     * @throws IllegalArgumentException if a channel count is below 1
     */
    public TransposedConv2x2(int inChannels, int outChannels) {
        super(VERSION);
        if (inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException("TransposedConv2x2 needs at least 1 input and 1"
                    + " output channel, got " + inChannels + " and " + outChannels);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        // PyTorch takes a transposed convolution's fan-in from the weight's dimension 1
        long fanIn = 4L * outChannels;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(inChannels, outChannels, 2, 2))
                .optInitializer(Initializers.torchDefault(fanIn)).build());
        bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(outChannels))
                .optInitializer(Initializers.torchDefault(fanIn)).build());
    }

    /**
     * Upsamples with the given weights.
     *
     * @param x the input {@code (N, in, H, W)}
     * @param weight the kernel {@code (in, out, 2, 2)}
     * @param bias the bias {@code (out)}, or {@code null}
     * @return the output {@code (N, out, 2H, 2W)}, in {@code x}'s manager
     */
    public static NDArray upsample(NDArray x, NDArray weight, NDArray bias) {
        Shape xs = x.getShape();
        Shape ws = weight.getShape();
        if (xs.dimension() != 4 || xs.get(1) != ws.get(0)) {
            throw new IllegalArgumentException("TransposedConv2x2: the input must be (N, "
                    + ws.get(0) + ", H, W), got " + xs);
        }
        long n = xs.get(0);
        long h = xs.get(2);
        long w = xs.get(3);
        long out = ws.get(1);
        // (out * 4, in): row (o, a, b) holds weight[:, o, a, b]; moved to x's manager because a
        // product belongs to its first operand's manager
        NDArray flat = weight.reshape(ws.get(0), out * 4);
        flat.attach(x.getManager());
        NDArray matrix = flat.transpose();
        NDArray y = matrix.matMul(x.reshape(n, xs.get(1), h * w))
                .reshape(n, out, 2, 2, h, w)
                .transpose(0, 1, 4, 2, 5, 3)
                .reshape(n, out, 2 * h, 2 * w);
        if (bias == null) {
            return y;
        }
        NDArray b = bias.reshape(out, 1, 1);
        b.attach(x.getManager());
        return y.add(b);
    }

    /**
     * Returns the input channels.
     *
     * @return the input channels
     */
    public int getInChannels() {
        return inChannels;
    }

    /**
     * Returns the output channels.
     *
     * @return the output channels
     */
    public int getOutChannels() {
        return outChannels;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        return new NDList(upsample(x, parameterStore.getValue(weight, x.getDevice(), training),
                parameterStore.getValue(bias, x.getDevice(), training)));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), outChannels, 2 * in.get(2), 2 * in.get(3))};
    }
}
