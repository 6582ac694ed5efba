/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import org.crbp.core.Convolutions;
import org.crbp.core.GradientMethod;
import org.crbp.core.GradientMethods;
import org.crbp.core.RecurrentCell;
import org.crbp.core.RecurrentNet;
import org.crbp.core.SquaredErrorLoss;
import org.crbp.core.TanhCell;
import org.crbp.core.TestCells;
import org.crbp.core.check.GradientCheck;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Counts non-finite gradients of float32 CPU convolutions over many trials, one configuration per
 * run, and prints one line. Arguments are {@code key=value} pairs:
 *
 * <ul>
 *   <li>{@code mode=bare}: one convolution {@code conv(leaf, w)} (optionally followed by tanh),
 *       backpropagated {@code repeats} times with the graph kept and the leaf's gradient zeroed
 *       between products (as RBP's vector-Jacobian products do). Keys: {@code channels},
 *       {@code kernel}, {@code batch}, {@code size}, {@code cotangent} (sum: the stride-0 ones of
 *       {@code sum()}'s backward; ones; random), {@code leaf} (fresh: stopGradient and
 *       setRequiresGradient, as RBP makes its leaves; view: a channel slice of a larger array
 *       that requires a gradient), {@code tanh}, {@code repeats}, {@code pollute} (fill and free
 *       NaN arrays before each trial), {@code pad} (false turns the library's channel padding
 *       off), {@code weightGrad}.
 *   <li>{@code mode=methods}: every gradient method on a float32 network with a tanh cell or a
 *       two-state cell (as the core tests run them); counts methods whose parameter gradients
 *       are not finite. Keys: {@code cell} (tanh, two), {@code channels}, {@code kernel},
 *       {@code batch}, {@code size}, {@code steps}, {@code pad}.
 * </ul>
 *
 * <p>{@code threads} sets the engine's intra-op threads, {@code trials} the number of trials,
 * {@code seed} the first seed. The CPU kernels are chosen by the environment (
 * {@code ONEDNN_MAX_CPU_ISA}, {@code ATEN_CPU_CAPABILITY}).
 */
public final class ConvolutionNanProbe {

    private ConvolutionNanProbe() {}

    /**
     * Runs the probe.
     *
     * @param args {@code key=value} pairs
     */
    public static void main(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 1) {
                System.err.println("expected key=value, got " + a);
                System.exit(2);
            }
            o.put(a.substring(0, eq), a.substring(eq + 1));
        }
        System.setProperty("crbp.convolution.padChannels", o.getOrDefault("pad", "false"));
        Engine.getEngine("PyTorch"); // loads the native library before the thread setting
        JniUtils.setNumThreads(Integer.parseInt(o.getOrDefault("threads", "1")));
        int trials = Integer.parseInt(o.getOrDefault("trials", "100"));
        int seed = Integer.parseInt(o.getOrDefault("seed", "1"));
        String mode = o.getOrDefault("mode", "bare");
        int bad = 0;
        int products = 0;
        int badProducts = 0;
        String firstBad = "";
        try (NDManager base = NDManager.newBaseManager()) {
            for (int t = 0; t < trials; t++) {
                Engine.getInstance().setRandomSeed(seed + t);
                int[] counts;
                if ("methods".equals(mode)) {
                    counts = methodsTrial(base, o);
                } else {
                    counts = bareTrial(base, o);
                }
                products += counts[0];
                badProducts += counts[1];
                if (counts[1] > 0) {
                    bad++;
                    if (firstBad.isEmpty()) {
                        firstBad = "trial " + t;
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT,
                "%s isa=%s aten=%s trials=%d nonFiniteTrials=%d products=%d nonFiniteProducts=%d"
                        + " %s%n",
                o, System.getenv("ONEDNN_MAX_CPU_ISA"), System.getenv("ATEN_CPU_CAPABILITY"),
                trials, bad, products, badProducts, firstBad);
    }

    private static int[] bareTrial(NDManager base, Map<String, String> o) {
        int channels = Integer.parseInt(o.getOrDefault("channels", "4"));
        int outChannels = Integer.parseInt(o.getOrDefault("out", String.valueOf(channels)));
        int kernel = Integer.parseInt(o.getOrDefault("kernel", "3"));
        int batch = Integer.parseInt(o.getOrDefault("batch", "2"));
        int size = Integer.parseInt(o.getOrDefault("size", "6"));
        int repeats = Integer.parseInt(o.getOrDefault("repeats", "10"));
        String cotangent = o.getOrDefault("cotangent", "random");
        String leafKind = o.getOrDefault("leaf", "fresh");
        boolean tanh = Boolean.parseBoolean(o.getOrDefault("tanh", "true"));
        boolean pollute = Boolean.parseBoolean(o.getOrDefault("pollute", "false"));
        boolean weightGrad = Boolean.parseBoolean(o.getOrDefault("weightGrad", "false"));
        int bad = 0;
        if (pollute) {
            try (NDManager junk = base.newSubManager()) {
                for (int i = 0; i < 8; i++) {
                    junk.full(new Shape(batch, 16 * ((channels + 15) / 16), size + kernel,
                            size + kernel), Float.NaN);
                }
            }
        }
        try (NDManager m = base.newSubManager();
                GradientCollector collector = m.getEngine().newGradientCollector()) {
            Shape shape = new Shape(batch, channels, size, size);
            NDArray leaf;
            NDArray gradientHolder;
            if ("view".equals(leafKind)) {
                NDArray whole = m.randomUniform(-1, 1, new Shape(batch, channels + 3, size, size));
                whole.setRequiresGradient(true);
                leaf = whole.get(new NDIndex(":, 1:" + (channels + 1)));
                gradientHolder = whole;
            } else {
                NDArray x = m.randomUniform(-1, 1, shape);
                leaf = x.stopGradient();
                leaf.attach(m);
                leaf.setRequiresGradient(true);
                gradientHolder = leaf;
            }
            NDArray w = m.randomNormal(0, 1f / (float) Math.sqrt(channels * kernel * kernel),
                    new Shape(outChannels, channels, kernel, kernel), DataType.FLOAT32);
            if (weightGrad) {
                w.setRequiresGradient(true);
            }
            NDArray y = Convolutions.same(leaf, w, null);
            if (tanh) {
                y = y.tanh();
            }
            NDArray target = "sum".equals(cotangent) ? y.sum() : y;
            for (int r = 0; r < repeats; r++) {
                NDArray v;
                if ("sum".equals(cotangent)) {
                    v = target.onesLike();
                } else if ("ones".equals(cotangent)) {
                    v = y.onesLike();
                } else {
                    v = m.randomNormal(y.getShape());
                }
                if (r > 0) {
                    JniUtils.zeroGrad((PtNDArray) gradientHolder);
                }
                JniUtils.backward((PtNDArray) target, (PtNDArray) v, r < repeats - 1, false);
                NDArray g = gradientHolder.getGradient();
                if (!finite(g)) {
                    bad++;
                }
                g.close();
                v.close();
            }
            return new int[] {repeats, bad};
        }
    }

    private static int[] methodsTrial(NDManager base, Map<String, String> o) {
        int channels = Integer.parseInt(o.getOrDefault("channels", "4"));
        int kernel = Integer.parseInt(o.getOrDefault("kernel", "3"));
        int batch = Integer.parseInt(o.getOrDefault("batch", "2"));
        int size = Integer.parseInt(o.getOrDefault("size", "6"));
        int steps = Integer.parseInt(o.getOrDefault("steps", "8"));
        String cellKind = o.getOrDefault("cell", "two");
        try (NDManager m = base.newSubManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            RecurrentCell cell = "tanh".equals(cellKind)
                    ? TanhCell.builder().setChannels(channels).optKernel(kernel)
                            .optWeightScale(1.5f).build()
                    : new TestCells.TwoStateCell(channels, kernel, 1.5f);
            RecurrentNet net = RecurrentNet.builder()
                    .setEncoder(TestCells.encoder(channels))
                    .setCell(cell)
                    .setReadout(Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(2)
                            .build())
                    .optSteps(steps)
                    .build();
            Shape input = new Shape(batch, 1, size, size);
            net.initialize(m, DataType.FLOAT32, input);
            NDList data = new NDList(m.randomUniform(0, 1, input));
            NDList labels = new NDList(m.randomUniform(0, 1, new Shape(batch, 2, size, size)));
            List<GradientMethod> methods = List.of(
                    GradientMethods.bptt(steps),
                    GradientMethods.truncatedBptt(steps, 2),
                    GradientMethods.rbp(steps, 10),
                    GradientMethods.cbptt(steps, 0.5f, 10f),
                    GradientMethods.crbp(steps, 10, 0.5f, 10f));
            int bad = 0;
            for (GradientMethod method : methods) {
                Map<String, double[]> gradients = GradientCheck.gradients(
                        net, method, ps, data, labels, new SquaredErrorLoss());
                for (double[] g : gradients.values()) {
                    if (!Double.isFinite(GradientCheck.norm(g))) {
                        bad++;
                        break;
                    }
                }
            }
            return new int[] {methods.size(), bad};
        }
    }

    private static boolean finite(NDArray g) {
        try (NDArray wide = g.toType(DataType.FLOAT64, false);
                NDArray total = wide.abs().sum()) {
            return Double.isFinite(total.getDouble());
        }
    }
}
