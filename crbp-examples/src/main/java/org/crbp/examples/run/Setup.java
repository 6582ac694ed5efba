/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.nn.Block;
import ai.djl.training.loss.Loss;
import ai.djl.training.dataset.Dataset;

import org.crbp.examples.config.AdjointSolverKind;
import org.crbp.examples.config.RunConfig;
import org.crbp.examples.config.SettingNames;
import org.crbp.examples.config.MethodKind;
import org.crbp.core.Bptt;
import org.crbp.core.ContractionAnalysis;
import org.crbp.core.GradientMethod;
import org.crbp.core.LipschitzPenalty;
import org.crbp.core.Rbp;
import org.crbp.core.StepListener;
import org.crbp.core.solver.FixedPointSolver;
import org.crbp.core.solver.Residual;
import org.crbp.examples.CliException;
import org.crbp.examples.pathfinder.PathfinderDataset;
import org.crbp.examples.task.PathfinderTask;
import org.crbp.examples.task.Tasks;
import org.crbp.examples.pathfinder.PathfinderPreset;

import java.util.Locale;

/** Builds what a configuration names: the block, the gradient method, the device, the data. */
public final class Setup {

    private Setup() {}

    /**
     * Builds the model's block.
     *
     * @param c the configuration
     * @param steps the number of steps of its forward pass (ignored by ff)
     * @return the run's task's model: a {@link org.crbp.core.RecurrentNet} or, for ff, a
     *     sequential block
     */
    public static Block block(RunConfig c, int steps) {
        return Tasks.of(c).model(c, steps);
    }

    /**
     * Sets the number of threads of the engine's operators, before the engine is first used.
     *
     * @param threads the number of threads, or 0 (or less) for the engine's choice
     */
    public static void engineThreads(int threads) {
        if (threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    /**
     * Builds the training loss.
     *
     * @param c the configuration
     * @return the run's task's loss
     */
    static Loss loss(RunConfig c) {
        return Tasks.of(c).loss(c);
    }

    /**
     * Builds the gradient method of a recurrent model.
     *
     * @param c the configuration
     * @return the method
     */
    public static GradientMethod method(RunConfig c) {
        return method(c, StepListener.NONE);
    }

    /**
     * Builds the gradient method of a recurrent model, with a listener between its steps.
     *
     * @param c the configuration
     * @param listener called after each recurrent step and adjoint product of a batch
     * @return the method
     */
    public static GradientMethod method(RunConfig c, StepListener listener) {
        LipschitzPenalty penalty = c.method == MethodKind.CBPTT || c.method == MethodKind.CRBP
                ? LipschitzPenalty.builder().optLambda(c.lambda)
                        .optWeight(c.penaltyWeight).optReduction(penaltyReduction(c))
                        .optProbe(LipschitzPenalty.Probe.valueOf(
                                c.penaltyProbe.toUpperCase(Locale.ROOT)))
                        .optPowerIterations(c.penaltyIterations).build()
                : null;
        switch (c.method) {
            case BPTT:
            case CBPTT:
            case TBPTT:
                return Bptt.builder().setSteps(c.steps)
                        .optGradientSteps(c.method == MethodKind.TBPTT
                                ? Math.min(c.truncation, c.steps) : c.steps)
                        .optPenalty(penalty).optStepListener(listener).build();
            case RBP:
            case CRBP:
                Rbp.Builder rbp = Rbp.builder().setSteps(c.steps).optAdjointBudget(c.neumannTerms)
                        .optPenalty(penalty).optStepListener(listener)
                        .optPenaltyDifference("central".equals(c.penaltyDifference)
                                ? Rbp.PenaltyDifference.CENTRAL : Rbp.PenaltyDifference.ONE_SIDED)
                        .optForwardSolver(forwardSolver(c));
                if (c.backward != AdjointSolverKind.NEUMANN) {
                    // neumann is Rbp's own series, with the configured terms
                    rbp.optAdjointSolver(c.backward.build(c.neumannTerms, c.adjointTolerance,
                            window(c.window, c.neumannTerms)));
                }
                return rbp.build();
            default:
                throw new CliException("unknown method '" + c.method + "'");
        }
    }

    /**
     * The contraction measurement of the program (training's epochs and report, evaluate,
     * analyze): plain iteration to a relative residual of 1e-3 within 4N steps, 20 power
     * iterations for the spectral radius.
     *
     * @return the analysis
     */
    public static ContractionAnalysis contractionAnalysis() {
        return ContractionAnalysis.builder().optTolerance(1e-3).optHorizon(4)
                .optPowerIterations(20).build();
    }

    /** The penalty's reduction by its command-line name. */
    static LipschitzPenalty.Reduction penaltyReduction(RunConfig c) {
        switch (c.penaltyReduction) {
            case "sum":
                return LipschitzPenalty.Reduction.SUM;
            case "image":
                return LipschitzPenalty.Reduction.PER_IMAGE;
            case "violating":
                return LipschitzPenalty.Reduction.VIOLATING;
            default:
                return LipschitzPenalty.Reduction.MEAN;
        }
    }

    /**
     * Builds the forward solver of rbp/crbp.
     *
     * @param c the configuration
     * @return plain iteration or Anderson, with the configured tolerance
     */
    public static FixedPointSolver forwardSolver(RunConfig c) {
        return c.solver.build(c.tolerance, window(c.window, c.steps), Residual.StopRule.BATCH);
    }

    /**
     * Anderson's window, no larger than the solve's budget of evaluations: a history longer than
     * the evaluations never fills, and Anderson allocates all of it up front (two {@code (batch,
     * m, state)} arrays), so {@code --window 100000} would only run out of memory. The result is
     * the same as with the larger window.
     *
     * @param window the window asked for
     * @param budget the most evaluations of the solve
     * @return the window to build the solver with
     */
    public static int window(int window, int budget) {
        return Math.max(1, Math.min(window, budget));
    }

    /**
     * Resolves the device setting.
     *
     * @param name cpu, gpu or auto
     * @param names how the error names the setting ({@code device})
     * @return the device
     * @throws CliException if a GPU is requested and there is none
     */
    public static Device device(String name, SettingNames names) {
        int gpus = Engine.getInstance().getGpuCount();
        switch (name) {
            case "gpu":
                if (gpus == 0) {
                    throw new CliException(names.of("device") + " gpu: the PyTorch engine sees"
                            + " no GPU (use " + names.of("device") + " cpu or auto)");
                }
                return Device.gpu();
            case "auto":
                return gpus > 0 ? Device.gpu() : Device.cpu();
            default:
                return Device.cpu();
        }
    }

    /**
     * The training set of one epoch: its order and its flips are functions of (seed, epoch)
     * only, so that a resumed run sees exactly the batches of an uninterrupted one.
     *
     * @param c the configuration
     * @param epoch the epoch, from 0
     * @return the dataset
     */
    static Dataset trainSet(RunConfig c, int epoch) {
        return trainSet(c, epoch, 0);
    }

    /**
     * The rest of an epoch's training set: its first {@code skip} batches left out (without
     * reading them), for a run resumed inside an epoch.
     *
     * @param c the configuration
     * @param epoch the epoch, from 0
     * @param skip the number of batches already done
     * @return the dataset
     */
    static Dataset trainSet(RunConfig c, int epoch, int skip) {
        return Tasks.of(c).trainingSet(c, epoch, skip);
    }

    /**
     * A fixed, unflipped Pathfinder evaluation set.
     *
     * @param c the configuration (seed, data folder, batch)
     * @param preset the preset
     * @param split validation or test
     * @param size the number of images
     * @return the dataset
     */
    public static PathfinderDataset evalSet(
            RunConfig c, PathfinderPreset preset, PathfinderDataset.Split split, int size) {
        return PathfinderTask.evaluationSet(c, preset, split, size);
    }
}
