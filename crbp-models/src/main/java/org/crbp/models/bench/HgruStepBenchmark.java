/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import org.crbp.models.HgruCell;
import org.crbp.models.SameConv2d;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * Measures the cost of one hGRU step against the cost of its two horizontal convolutions alone,
 * side by side in one run: forward, and forward + backward, median over repetitions.
 *
 * <p>Sizes: "paper" (batch 8, 25 channels, 150×150, kernel 15) and "mini" (batch 32, 25 channels,
 * 64×64, kernel 7). Run with
 *
 * <pre>
 * mvn -o -q -pl crbp-models test -Dtest=HgruStepBenchmarkRunner -Dcrbp.bench="both 5"
 * </pre>
 *
 * <p>The goal is a step that costs at most 1.3× its two convolutions. Every measured call ends
 * with a one-element host read, so that asynchronous devices are timed to completion.
 */
public final class HgruStepBenchmark {

    private HgruStepBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args {@code [paper|mini|both] [repetitions]}, default {@code both 5}
     */
    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "both";
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Device device = Engine.getInstance().defaultDevice();
        System.out.printf(
                Locale.ROOT,
                "device %s, engine %s %s, %d repetitions after 2 warm-ups, median ms of wall"
                        + " time (process CPU time, which other processes on a shared machine do"
                        + " not inflate)%n",
                device,
                Engine.getInstance().getEngineName(),
                Engine.getInstance().getVersion(),
                reps);
        System.out.println(
                "| size | N, C, HxW, k | two convs fwd | step fwd | ratio | two convs fwd+bwd |"
                        + " step fwd+bwd | ratio |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        if (!"mini".equals(which)) {
            run("paper", 8, 25, 150, 15, reps, device);
        }
        if (!"paper".equals(which)) {
            run("mini", 32, 25, 64, 7, reps, device);
        }
    }

    private static void run(String name, int n, int c, int size, int k, int reps, Device device) {
        Engine.getInstance().setRandomSeed(1);
        Shape shape = new Shape(n, c, size, size);
        try (NDManager manager = NDManager.newBaseManager(device)) {
            HgruCell cell = HgruCell.builder().optChannels(c).optKernel(k).build();
            cell.initialize(manager, DataType.FLOAT32, shape, shape);
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray wInh = cell.getDirectParameters().get("w_gate_inh").getArray();
            NDArray wExc = cell.getDirectParameters().get("w_gate_exc").getArray();
            NDArray x = manager.randomUniform(0f, 2f, shape);
            NDArray h = manager.randomUniform(0f, 1.5f, shape);
            NDArray h1 = manager.randomUniform(0f, 1.5f, shape);

            double[] convFwd =
                    time(reps, manager, s -> sync(SameConv2d.conv(h, wInh, null)
                            .add(SameConv2d.conv(h1, wExc, null))));
            double[] stepFwd =
                    time(reps, manager,
                            s -> sync(cell.forward(ps, new NDList(x, h), true).head()));
            double[] convBwd =
                    time(reps, manager,
                            s -> {
                                NDArray a = leaf(h, s);
                                NDArray b = leaf(h1, s);
                                try (GradientCollector gc =
                                        Engine.getInstance().newGradientCollector()) {
                                    NDArray out =
                                            SameConv2d.conv(a, wInh, null)
                                                    .add(SameConv2d.conv(b, wExc, null));
                                    gc.backward(out.sum());
                                }
                                sync(a.getGradient());
                            });
            double[] stepBwd =
                    time(reps, manager,
                            s -> {
                                NDArray a = leaf(h, s);
                                try (GradientCollector gc =
                                        Engine.getInstance().newGradientCollector()) {
                                    NDArray out = cell.forward(ps, new NDList(x, a), true).head();
                                    gc.backward(out.sum());
                                }
                                sync(a.getGradient());
                            });
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %d, %d, %dx%d, %d | %s | %s | %s | %s | %s | %s |%n",
                    name, n, c, size, size, k, ms(convFwd), ms(stepFwd), ratio(stepFwd, convFwd),
                    ms(convBwd), ms(stepBwd), ratio(stepBwd, convBwd));
        }
    }

    private static String ms(double[] t) {
        return String.format(Locale.ROOT, "%.0f (%.0f)", t[0], t[1]);
    }

    private static String ratio(double[] a, double[] b) {
        return String.format(Locale.ROOT, "%.2f (%.2f)", a[0] / b[0], a[1] / b[1]);
    }

    private static NDArray leaf(NDArray value, NDManager scope) {
        NDArray a = value.duplicate();
        a.attach(scope);
        a.setRequiresGradient(true);
        return a;
    }

    private static void sync(NDArray a) {
        a.get(0, 0, 0, 0).getFloat();
    }

    private interface Body {
        void run(NDManager scope);
    }

    private static double[] time(int reps, NDManager manager, Body body) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        boolean cpu = os instanceof com.sun.management.OperatingSystemMXBean;
        double[] wall = new double[reps];
        double[] cpuMs = new double[reps];
        for (int i = -2; i < reps; i++) {
            try (NDManager scope = manager.newSubManager()) {
                long c0 = cpu ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() : 0;
                long t0 = System.nanoTime();
                body.run(scope);
                long t1 = System.nanoTime();
                long c1 = cpu ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() : 0;
                if (i >= 0) {
                    wall[i] = (t1 - t0) / 1e6;
                    cpuMs[i] = cpu ? (c1 - c0) / 1e6 : Double.NaN;
                }
            }
        }
        Arrays.sort(wall);
        Arrays.sort(cpuMs);
        return new double[] {wall[reps / 2], cpuMs[reps / 2]};
    }
}
