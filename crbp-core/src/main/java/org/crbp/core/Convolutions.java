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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The "same" convolution (stride 1, zero padding of half the kernel) that cells should use.
 *
 * <p>On the CPU in float32 the PyTorch engine runs it through oneDNN, whose kernels work on
 * channel blocks (16 with AVX-512, 8 with AVX2). The library once padded channel counts that are
 * not a multiple of 16 with zeros here, after NaN input gradients were seen now and then at 3, 4
 * and 8 channels. With this engine build (libtorch 2.7.1, oneDNN 3.7.1) that fault could not be
 * reproduced in thousands of trials (docs/results/convolution-nan.md), and the padding costs
 * about 42% of a step at the paper's size, so it is off by default. A guard stays: the first
 * time a configuration (input and kernel shapes) is convolved, a
 * few vector-Jacobian products of the plain convolution at that configuration are checked; if
 * one is not finite, that configuration is padded from then on (and a warning is logged). The
 * guard runs on its own arrays, with the engine recording for them only, so it costs a few
 * products once per configuration, in training and inference alike. The system
 * property {@value #PAD_CHANNELS_PROPERTY} set to {@code true} pads every such configuration
 * (the former behaviour), {@code false} never pads and skips the guard.
 *
 * <pre>{@code
 * NDArray next = Convolutions.same(h, ps.getValue(weight, device, training), null).tanh();
 * }</pre>
 */
public final class Convolutions {

    /** The channel block of the CPU library's AVX-512 convolution kernels (a multiple of AVX2's). */
    public static final int CPU_CHANNEL_BLOCK = 16;

    /**
     * The system property that chooses the channel padding: {@code true} pads every float32 CPU
     * convolution whose channel counts are not whole blocks, {@code false} pads none and skips
     * the guard, anything else (or unset) pads only configurations the guard caught.
     */
    public static final String PAD_CHANNELS_PROPERTY = "crbp.convolution.padChannels";

    /** How many vector-Jacobian products the guard checks per configuration. */
    static final int GUARD_PRODUCTS = 4;

    private static final Logger logger = LoggerFactory.getLogger(Convolutions.class);

    /** Per configuration the guard has checked: whether it is padded. */
    private static final Map<Configuration, Boolean> PADDED = new ConcurrentHashMap<>();

    /** The guard's test of one gradient; replaced only by tests. */
    static Predicate<NDArray> gradientCheck = Convolutions::isFinite;

    private Convolutions() {}

    /**
     * A stride-1 convolution with zero padding {@code kernel / 2} on each side (odd kernels keep
     * the spatial size), on channels padded to whole blocks where the guard or the system
     * property {@value #PAD_CHANNELS_PROPERTY} asks for it.
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
        if (needsChannelPadding(x, in, out) && padChannels(x, weight, p)) {
            return paddedConv(x, weight, bias, in, out, p);
        }
        return plainConv(x, weight, bias, p);
    }

    /**
     * Whether a convolution is one the channel padding applies to: more than one input channel,
     * a channel count that is not a multiple of {@link #CPU_CHANNEL_BLOCK}, a CPU array in
     * float32. Whether {@link #same} pads it depends on {@value #PAD_CHANNELS_PROPERTY} and on
     * the guard.
     *
     * @param x the input
     * @param in the input channels
     * @param out the output channels
     * @return whether {@link #same} may pad the channels
     */
    public static boolean needsChannelPadding(NDArray x, long in, long out) {
        return in > 1
                && (in % CPU_CHANNEL_BLOCK != 0 || out % CPU_CHANNEL_BLOCK != 0)
                && x.getDevice().getDeviceType().equals(Device.Type.CPU)
                && x.getDataType() == DataType.FLOAT32;
    }

    /** Whether {@link #same} pads this configuration (the guard runs at its first use). */
    private static boolean padChannels(NDArray x, NDArray weight, long p) {
        String choice = System.getProperty(PAD_CHANNELS_PROPERTY, "");
        if ("true".equals(choice)) {
            return true;
        }
        if ("false".equals(choice) || !EngineAutograd.supports(x)) {
            return false;
        }
        // looked up on every call: a key of the two shapes, no string built per call
        Configuration key = new Configuration(x.getShape(), weight.getShape());
        Boolean padded = PADDED.get(key);
        if (padded != null) {
            return padded;
        }
        boolean faulty = EngineAutograd.recorded(
                () -> guard(x.getShape(), weight.getShape(), p, x.getManager()));
        if (faulty) {
            logger.warn("The engine's float32 convolution returned a non-finite gradient at {};"
                    + " that configuration is padded to whole channel blocks from now on", key);
        }
        PADDED.put(key, faulty);
        return faulty;
    }

    /**
     * Whether the guard has found the plain convolution of this configuration faulty, so that
     * {@link #same} pads it; {@code null} before the guard has run for it.
     */
    static Boolean guardVerdict(Shape x, Shape weight) {
        return PADDED.get(new Configuration(x, weight));
    }

    /** Forgets every verdict of the guard (for tests). */
    static void forgetGuardVerdicts() {
        PADDED.clear();
    }

    /** A convolution's configuration: its input's and its kernel's shapes. */
    private record Configuration(Shape input, Shape kernel) {
        @Override
        public String toString() {
            return "input " + input + ", kernel " + kernel;
        }
    }

    /**
     * Runs {@link #GUARD_PRODUCTS} vector-Jacobian products of the plain convolution at this
     * configuration, on fixed inputs (the engine's random generator is left alone), and returns
     * whether a gradient was not finite.
     */
    private static boolean guard(Shape xShape, Shape wShape, long p, NDManager parent) {
        try (NDManager scope = parent.newSubManager()) {
            NDArray x = fixedValues(scope, xShape, 1, 1);
            // weights of the usual scale, 1 / sqrt(fan-in)
            NDArray w = fixedValues(scope, wShape, 2,
                    (float) (1 / Math.sqrt((double) wShape.size() / wShape.get(0))));
            x.setRequiresGradient(true);
            w.setRequiresGradient(true);
            NDArray y = plainConv(x, w, null, p);
            for (int product = 0; product < GUARD_PRODUCTS; product++) {
                NDArray cotangent = fixedValues(scope, y.getShape(), 3 + product, 1);
                EngineAutograd.zeroGradient(x);
                EngineAutograd.zeroGradient(w);
                EngineAutograd.backward(y, cotangent, product < GUARD_PRODUCTS - 1);
                try (NDArray gx = x.getGradient();
                        NDArray gw = w.getGradient()) {
                    if (!gradientCheck.test(gx) || !gradientCheck.test(gw)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /**
     * Deterministic values in [-scale, scale], {@code scale sin(0.7549 phase i)} for element i: no
     * draw from the engine's random generator, whose sequence the caller may rely on.
     */
    private static NDArray fixedValues(NDManager manager, Shape shape, int phase, float scale) {
        NDArray index = manager.arange(0f, (float) shape.size(), 1f, DataType.FLOAT32);
        NDArray factor = manager.create(0.7548776662f * phase);
        NDArray size = manager.create(scale);
        return index.mul(factor).sin().mul(size).reshape(shape);
    }

    private static boolean isFinite(NDArray gradient) {
        try (NDArray bad = gradient.isNaN().logicalOr(gradient.isInfinite());
                NDArray any = bad.any()) {
            return !any.getBoolean();
        }
    }

    private static NDArray plainConv(NDArray x, NDArray weight, NDArray bias, long p) {
        return Conv2d.conv2d(x, weight, bias, new Shape(1, 1), new Shape(p, p), new Shape(1, 1), 1)
                .head();
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
