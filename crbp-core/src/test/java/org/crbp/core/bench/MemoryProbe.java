/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.bench;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.translate.Batchifier;

import org.crbp.core.GradientMethod;
import org.crbp.core.GradientMethods;
import org.crbp.core.RecurrentNet;
import org.crbp.core.SquaredErrorLoss;
import org.crbp.core.StepResult;
import org.crbp.core.TanhCell;
import org.crbp.core.solver.Anderson;
import org.crbp.core.solver.FixedPointAdjoint;
import org.crbp.core.solver.NeumannSeries;
import org.crbp.core.training.CrbpTrain;

import java.util.Locale;

/**
 * Runs a few training iterations of one configuration in this (fresh) JVM and prints one line of
 * JSON with the peak resident memory: the measurement {@link MemoryBenchmark} takes per
 * configuration. Usage: {@code MemoryProbe METHOD STEPS [CHANNELS SIZE BATCH KERNEL TERMS
 * ITERATIONS WEIGHT_SCALE]}, METHOD one of bptt, cbptt, rbp, crbp, and for the solvers (C-RBP,
 * every iteration kept: no tolerance, no stop rule) crbp-naive (plain forward, {@code STEPS - 1}
 * iterations), crbp-anderson (Anderson m=5 forward), crbp-neumann-all ({@code TERMS} Neumann
 * terms, none dropped), crbp-anderson-adjoint (Anderson m=5 on the adjoint, {@code TERMS}
 * products).
 */
public final class MemoryProbe {

    private MemoryProbe() {}

    /**
     * Runs the probe.
     *
     * @param args the method, steps and optional sizes
     */
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: MemoryProbe METHOD STEPS [CHANNELS SIZE BATCH KERNEL TERMS"
                    + " ITERATIONS]");
            System.exit(2);
        }
        String name = args[0].toLowerCase(Locale.ROOT);
        int steps = Integer.parseInt(args[1]);
        int channels = arg(args, 2, 32);
        int size = arg(args, 3, 96);
        int batchSize = arg(args, 4, 8);
        int kernel = arg(args, 5, 3);
        int terms = arg(args, 6, 15);
        int iterations = arg(args, 7, 3);
        float weightScale = args.length > 8 ? Float.parseFloat(args[8]) : 1.5f;
        GradientMethod method = method(name, steps, terms);

        Engine.getInstance().setRandomSeed(1);
        Shape input = new Shape(batchSize, 1, size, size);
        RecurrentNet net = RecurrentNet.builder()
                .setEncoder(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(channels)
                        .optPadding(new Shape(1, 1)).build())
                // a scale above 1 starts expansive, so that the penalty works in every batch
                .setCell(TanhCell.builder().setChannels(channels).optKernel(kernel)
                        .optWeightScale(weightScale).build())
                .setReadout(Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(2).build())
                .optSteps(steps)
                .build();
        try (Model model = Model.newInstance("probe")) {
            model.setBlock(net);
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(new SquaredErrorLoss())
                    .optOptimizer(Optimizer.adam().build()))) {
                trainer.initialize(input);
                long baseline = ProcessMemory.peakResidentBytes();
                double seconds = 0;
                float penalty = 0;
                int neumannTerms = 0;
                for (int i = 0; i < iterations; i++) {
                    try (NDManager manager = trainer.getManager().newSubManager()) {
                        NDList data = new NDList(manager.randomUniform(0, 1, input));
                        NDList labels = new NDList(manager.randomUniform(
                                0, 1, new Shape(batchSize, 2, size, size)));
                        Batch batch = new Batch(manager, data, labels, batchSize,
                                Batchifier.STACK, Batchifier.STACK, i, iterations);
                        long begin = System.nanoTime();
                        StepResult result = CrbpTrain.trainBatch(trainer, batch, method).get(0);
                        trainer.step();
                        batch.close();
                        // the first iteration warms up; time the rest
                        if (i > 0 || iterations == 1) {
                            seconds += (System.nanoTime() - begin) / 1e9;
                        }
                        penalty = result.penalty();
                        neumannTerms = result.adjointIterations();
                    }
                }
                int timed = iterations == 1 ? 1 : iterations - 1;
                System.out.printf(Locale.ROOT,
                        "{\"method\":\"%s\",\"steps\":%d,\"channels\":%d,\"size\":%d,"
                                + "\"batch\":%d,\"kernel\":%d,\"neumannTerms\":%d,"
                                + "\"baselinePeakBytes\":%d,\"peakBytes\":%d,"
                                + "\"secondsPerIteration\":%.4f,\"penalty\":%.6g}%n",
                        name, steps, channels, size, batchSize, kernel, neumannTerms,
                        baseline, ProcessMemory.peakResidentBytes(), seconds / timed, penalty);
            }
        }
    }

    static GradientMethod method(String name, int steps, int terms) {
        switch (name) {
            case "bptt":
                return GradientMethods.bptt(steps);
            case "cbptt":
                return GradientMethods.cbptt(steps, 0.9f, 10f);
            case "rbp":
                return GradientMethods.rbp(steps, terms);
            case "crbp":
                return GradientMethods.crbp(steps, terms, 0.9f, 10f);
            case "crbp-naive":
                return GradientMethods.crbp(steps, 0.9, 10f, GradientMethods.naive(0), all(terms));
            case "crbp-anderson":
                return GradientMethods.crbp(steps, 0.9, 10f,
                        Anderson.builder().optWindow(5).optSafeguard(false).build(), all(terms));
            case "crbp-neumann-all":
                return GradientMethods.crbp(steps, 0.9, 10f, GradientMethods.naive(0),
                        all(terms));
            case "crbp-anderson-adjoint":
                return GradientMethods.crbp(steps, 0.9, 10f, GradientMethods.naive(0),
                        FixedPointAdjoint.builder().setSolver(Anderson.builder().optWindow(5)
                                .optSafeguard(false).build()).optMaxIterations(terms).build());
            default:
                throw new IllegalArgumentException(
                        "Unknown method '" + name + "'; use bptt, cbptt, rbp, crbp, crbp-naive,"
                                + " crbp-anderson, crbp-neumann-all or crbp-anderson-adjoint");
        }
    }

    /** The Neumann series with every one of {@code terms} terms kept (no stop rule). */
    private static NeumannSeries all(int terms) {
        return NeumannSeries.builder().optMaxTerms(terms).optGrowthGuard(false).optNormCap(0)
                .optAbsoluteTolerance(0).build();
    }

    private static int arg(String[] args, int index, int fallback) {
        return args.length > index ? Integer.parseInt(args[index]) : fallback;
    }
}
