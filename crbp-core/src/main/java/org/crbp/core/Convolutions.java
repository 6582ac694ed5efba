/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * The "same" convolution (stride 1, zero padding of half the kernel) that cells should use on
 * the CPU. The PyTorch engine's oneDNN convolution pads channel counts that are not a multiple of
 * its block internally (16 with AVX-512, 8 with AVX2), and its backward pass to the input then
 * reads uninitialised padding: measured on an AMD EPYC (Zen 4), the input gradient of an 8-channel
 * 5×5 convolution was NaN in 6 of 20 identical trials, and 0 of 40 at 16 or 32 channels; with
 * AVX2 kernels 3- and 4-channel cells still gave NaN in about 1 of 20 test runs. Padding the
 * channels with zeros here costs what the library's own padding costs (the arithmetic is done on
 * whole blocks either way), plus one copy of the input.
 *
 * <pre>{@code
 * NDArray next = Convolutions.same(h, ps.getValue(weight, device, training), null).tanh();
 * }</pre>
 */
public final class Convolutions {

    /** The channel block of the CPU library's AVX-512 convolution kernels (a multiple of AVX2's). */
    public static final int CPU_CHANNEL_BLOCK = 16;

    /**
     * The system property that, set to {@code false}, turns the channel padding off: for probes
     * and tests that look for the engine's fault, not for users.
     */
    static final String PAD_CHANNELS_PROPERTY = "crbp.convolution.padChannels";

    private Convolutions() {}

    /**
     * A stride-1 convolution with zero padding {@code kernel / 2} on each side (odd kernels keep
     * the spatial size), on channels padded to whole blocks where the CPU library needs it.
     *
     * @param x the input, {@code (N, in, H, W)}
     * @param weight the kernel, {@code (out, in, k, k)}
     * @param bias the bias, {@code (out)}, or {@code null}
     * @return the output, {@code (N, out, H, W)}, in {@code x}'s manager
     */
    public static NDArray same(NDArray x, NDArray weight, NDArray bias) {
        long out = weight.getShape().get(0);
        long in = weight.getShape().get(1);
        long p = weight.getShape().get(2) / 2;
        if (needsChannelPadding(x, in, out)) {
            return paddedConv(x, weight, bias, in, out, p);
        }
        return Conv2d.conv2d(x, weight, bias, new Shape(1, 1), new Shape(p, p), new Shape(1, 1), 1)
                .head();
    }

    /**
     * Whether a convolution must run on channels padded to whole blocks: more than one input
     * channel, a channel count that is not a multiple of {@link #CPU_CHANNEL_BLOCK}, a CPU array
     * in float32.
     *
     * @param x the input
     * @param in the input channels
     * @param out the output channels
     * @return whether {@link #same} pads the channels
     */
    public static boolean needsChannelPadding(NDArray x, long in, long out) {
        return !"false".equals(System.getProperty(PAD_CHANNELS_PROPERTY))
                && in > 1
                && (in % CPU_CHANNEL_BLOCK != 0 || out % CPU_CHANNEL_BLOCK != 0)
                && x.getDevice().getDeviceType().equals(Device.Type.CPU)
                && x.getDataType() == DataType.FLOAT32;
    }

    private static NDArray paddedConv(
            NDArray x, NDArray weight, NDArray bias, long in, long out, long p) {
        long inPadded = roundUp(in);
        long outPadded = roundUp(out);
        Shape xs = x.getShape();
        Shape ws = weight.getShape();
        NDManager manager = x.getManager();
        NDArray xp = x;
        if (inPadded > in) {
            NDArray zeros = manager.zeros(
                    new Shape(xs.get(0), inPadded - in, xs.get(2), xs.get(3)), x.getDataType());
            xp = x.concat(zeros, 1);
        }
        // results of ops belong to the first operand's manager: the parameters' arrays live
        // for the whole run, so every padded copy is moved to the caller's (per-step) manager
        NDArray wp = weight;
        if (inPadded > in) {
            wp = concat(wp, manager.zeros(
                    new Shape(out, inPadded - in, ws.get(2), ws.get(3)), weight.getDataType()),
                    1, manager);
        }
        if (outPadded > out) {
            wp = concat(wp, manager.zeros(
                    new Shape(outPadded - out, inPadded, ws.get(2), ws.get(3)),
                    weight.getDataType()), 0, manager);
        }
        NDArray bp = bias;
        if (bias != null && outPadded > out) {
            bp = concat(bias, manager.zeros(new Shape(outPadded - out), bias.getDataType()), 0,
                    manager);
        }
        NDArray y = Conv2d.conv2d(
                        xp, wp, bp, new Shape(1, 1), new Shape(p, p), new Shape(1, 1), 1)
                .head();
        return outPadded > out ? y.get(new NDIndex(":, 0:" + out)) : y;
    }

    /** Concatenates along an axis into {@code manager}. */
    private static NDArray concat(NDArray a, NDArray b, int axis, NDManager manager) {
        NDArray joined = a.concat(b, axis);
        joined.attach(manager);
        return joined;
    }

    private static long roundUp(long channels) {
        return (channels + CPU_CHANNEL_BLOCK - 1) / CPU_CHANNEL_BLOCK * CPU_CHANNEL_BLOCK;
    }
}
