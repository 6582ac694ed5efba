/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.concurrent.Callable;

/** {@code crbp train}: trains a model on a Pathfinder preset and writes report and pictures. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train a recurrent CNN (or the feedforward control) on Pathfinder segmentation.",
            "Writes checkpoints every epoch (OUT/checkpoints), report.json and pictures to OUT."
        })
final class TrainCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    /** The options shared with {@code reproduce}: the model and its training. */
    static final class ModelOptions {
        @Option(names = "--preset", defaultValue = RunConfig.DEFAULT_PRESET,
                description = "Pathfinder preset: pf-mini-14|20|25 (64x64, CPU) or pf-14|20|25"
                        + " (150x150). Default: ${DEFAULT-VALUE}.")
        String preset;

        @Option(names = "--model", defaultValue = "hgru",
                description = "hgru, convlstm or ff (the feedforward control). Default:"
                        + " ${DEFAULT-VALUE}.")
        String model;

        @Option(names = "--method", defaultValue = "crbp",
                description = "bptt, cbptt, rbp, crbp or tbptt. Default: ${DEFAULT-VALUE}.")
        String method;

        @Option(names = "--steps", paramLabel = "T",
                description = "Recurrent steps. Default: " + RunConfig.DEFAULT_RBP_STEPS
                        + " for rbp/crbp, " + RunConfig.DEFAULT_BPTT_STEPS
                        + " for bptt/cbptt/tbptt.")
        Integer steps;

        @Option(names = "--neumann-terms", defaultValue = "8", paramLabel = "K",
                description = "Largest number of Neumann terms of (C-)RBP. Default:"
                        + " ${DEFAULT-VALUE}.")
        int neumannTerms;

        @Option(names = "--lambda", defaultValue = "0.9",
                description = "Penalty bound on J^T 1. Default: ${DEFAULT-VALUE}.")
        float lambda;

        @Option(names = "--penalty-weight", defaultValue = "10",
                description = "Weight of the Lipschitz penalty. Default: ${DEFAULT-VALUE}.")
        float penaltyWeight;

        @Option(names = "--truncation", defaultValue = "3",
                description = "Recorded steps of tbptt. Default: ${DEFAULT-VALUE}.")
        int truncation;

        @Option(names = "--kernel", defaultValue = "5",
                description = "Kernel size of the cell (of the six blocks for ff). Default:"
                        + " ${DEFAULT-VALUE}.")
        int kernel;

        @Option(names = "--channels", defaultValue = "8",
                description = "Channels. Default: ${DEFAULT-VALUE}.")
        int channels;

        @Option(names = "--epochs", defaultValue = "8",
                description = "Epochs. Default: ${DEFAULT-VALUE}.")
        int epochs;

        @Option(names = "--batch", defaultValue = "16",
                description = "Batch size. Default: ${DEFAULT-VALUE}.")
        int batch;

        @Option(names = "--train-size", defaultValue = "4000",
                description = "Training images. Default: ${DEFAULT-VALUE}.")
        int trainSize;

        @Option(names = "--val-size", defaultValue = "256",
                description = "Validation images (evaluated every epoch). Default:"
                        + " ${DEFAULT-VALUE}.")
        int validationSize;

        @Option(names = "--test-size", defaultValue = "512",
                description = "Held-out test images (the report's metrics). Default:"
                        + " ${DEFAULT-VALUE}.")
        int testSize;

        @Option(names = "--lr", defaultValue = "0.001",
                description = "Adam's learning rate. Default: ${DEFAULT-VALUE}.")
        float lr;

        @Option(names = "--seed", defaultValue = "1",
                description = "Seed of initialisation, data, order and flips. Default:"
                        + " ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--device", defaultValue = "cpu",
                description = "cpu, gpu or auto. Default: ${DEFAULT-VALUE}.")
        String device;

        @Option(names = "--data", paramLabel = "DIR",
                description = "Read images from DIR/train, DIR/validation, DIR/test (written by"
                        + " 'crbp generate') instead of generating them on the fly.")
        Path data;

        RunConfig toConfig() {
            RunConfig c = new RunConfig();
            c.preset = preset;
            c.model = model;
            c.method = method;
            String m = method == null ? "" : method.trim().toLowerCase(java.util.Locale.ROOT);
            c.steps = steps != null ? steps
                    : (m.equals("rbp") || m.equals("crbp")) ? RunConfig.DEFAULT_RBP_STEPS
                    : RunConfig.DEFAULT_BPTT_STEPS;
            c.neumannTerms = neumannTerms;
            c.lambda = lambda;
            c.penaltyWeight = penaltyWeight;
            c.truncation = truncation;
            c.kernel = kernel;
            c.channels = channels;
            c.epochs = epochs;
            c.batch = batch;
            c.trainSize = trainSize;
            c.validationSize = validationSize;
            c.testSize = testSize;
            c.lr = lr;
            c.seed = seed;
            c.device = device;
            c.data = data == null ? null : data.toString();
            c.validate();
            return c;
        }
    }

    @picocli.CommandLine.Mixin ModelOptions model = new ModelOptions();

    @Option(names = "--out", paramLabel = "DIR",
            description = "Run folder. Default: runs/PRESET-MODEL-METHOD.")
    Path out;

    @Option(names = "--resume",
            description = "Continue from the last checkpoint in OUT (same result as an"
                    + " uninterrupted run).")
    boolean resume;

    @Option(names = "--analysis-steps", defaultValue = "0", paramLabel = "T",
            description = "Last step of the extrapolation curve and state-space picture."
                    + " Default: max(2 x steps, steps + 10).")
    int analysisSteps;

    @Option(names = "--no-pictures", negatable = false,
            description = "Skip the pictures and the analyses behind them.")
    boolean noPictures;

    @Option(names = "--time-budget", defaultValue = "24", paramLabel = "MINUTES",
            description = "Stop training after this many minutes (checked after every batch;"
                    + " a checkpoint keeps the place for --resume), then test and report (0: no"
                    + " limit). Default: ${DEFAULT-VALUE}.")
    double timeBudget;

    @Option(names = "--stop-after-batches", defaultValue = "0", hidden = true,
            description = "Stop inside the first epoch trained after this many batches (for"
                    + " tests).")
    int stopAfterBatches;

    @Option(names = "--stop-after-epoch", defaultValue = "0", hidden = true,
            description = "Stop after this epoch, as an interruption would (for tests).")
    int stopAfterEpoch;

    /** {@inheritDoc} */
    @Override
    public Integer call() throws Exception {
        RunConfig c = model.toConfig();
        Path dir = out != null ? out
                : Paths.get("runs", c.preset + "-" + c.model + "-" + c.method);
        Training.Options o = new Training.Options();
        o.resume = resume;
        o.pictures = !noPictures;
        o.analysisSteps = analysisSteps;
        o.stopAfterEpoch = stopAfterEpoch;
        o.timeBudgetMinutes = timeBudget;
        o.stopAfterBatches = stopAfterBatches;
        if (!(timeBudget >= 0)) {
            throw new CliException("--time-budget must be 0 or more minutes, got " + timeBudget);
        }
        o.commandLine.add("crbp");
        o.commandLine.addAll(Arrays.asList(spec.commandLine().getParseResult().originalArgs()
                .toArray(new String[0])));
        if (analysisSteps < 0) {
            throw new CliException("--analysis-steps must be 0 or more, got " + analysisSteps);
        }
        Training.run(c, dir, o, spec.commandLine().getOut());
        return 0;
    }
}
