/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.analysis;

import org.crbp.examples.CliException;
import org.crbp.examples.ExitCode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.loss.Loss;
import ai.djl.training.util.ProgressBar;
import ai.djl.translate.TranslateException;

import org.crbp.core.ContractionAnalysis;
import org.crbp.core.RecurrentNet;
import org.crbp.core.solver.FixedPointMap;
import org.crbp.core.solver.FixedPointResult;
import org.crbp.core.solver.FixedPointSolver;
import org.crbp.core.solver.Residual;
import org.crbp.models.SegmentationEvaluator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Runs a model over a dataset and counts foreground hits and misses. */
public final class Evaluation {

    private Evaluation() {}

    /**
     * Evaluates a model.
     *
     * @param block the model ({@link RecurrentNet} or a feedforward block)
     * @param manager the manager for the batches
     * @param set the dataset
     * @param steps the number of recurrent steps (ignored for feedforward blocks)
     * @param progress a progress bar message, or {@code null} for none
     * @return the summed counts
     */
    public static Scores evaluate(
            Block block, NDManager manager, Dataset set, int steps, String progress) {
        return evaluate(block, manager, set, steps, progress, null);
    }

    /**
     * Evaluates a model and, with a loss, its mean loss per image.
     *
     * @param block the model ({@link RecurrentNet} or a feedforward block)
     * @param manager the manager for the batches
     * @param set the dataset
     * @param steps the number of recurrent steps (ignored for feedforward blocks)
     * @param progress a progress bar message, or {@code null} for none
     * @param loss the training loss to evaluate too, or {@code null}
     * @return the summed counts (and loss)
     */
    public static Scores evaluate(Block block, NDManager manager, Dataset set, int steps,
            String progress, Loss loss) {
        return evaluate(block, manager, set, steps, progress, loss, NO_DEADLINE);
    }

    /** No deadline: every batch of the set is evaluated. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    /**
     * Evaluates a model and, with a loss, its mean loss per image, stopping between batches once
     * a deadline has passed (after at least one batch): the scores then cover the images done
     * and say so ({@link Scores#stoppedEarly()}).
     *
     * @param block the model ({@link RecurrentNet} or a feedforward block)
     * @param manager the manager for the batches
     * @param set the dataset
     * @param steps the number of recurrent steps (ignored for feedforward blocks)
     * @param progress a progress bar message, or {@code null} for none
     * @param loss the training loss to evaluate too, or {@code null}
     * @param deadline a {@link System#nanoTime()} instant, or {@link #NO_DEADLINE}
     * @return the summed counts (and loss)
     */
    public static Scores evaluate(Block block, NDManager manager, Dataset set, int steps,
            String progress, Loss loss, long deadline) {
        Scores scores = new Scores();
        Pass pass = evaluate(block, manager, set, steps, progress, loss, deadline,
                (labels, predictions) -> scores.add(
                        SegmentationEvaluator.confusion(labels, predictions)));
        scores.addImages(pass.images());
        scores.setLoss(pass.lossSum, pass.lossImages);
        if (pass.stoppedEarly()) {
            scores.markStoppedEarly();
        }
        return scores;
    }

    /**
     * Evaluates a model with a task's own evaluator: every batch's labels and predictions go to
     * {@code sink}; the pass counts the images and, with a loss, the mean loss per image, and
     * stops between batches once a deadline has passed (after at least one batch).
     *
     * @param block the model ({@link RecurrentNet} or a feedforward block)
     * @param manager the manager for the batches
     * @param set the dataset
     * @param steps the number of recurrent steps (ignored for feedforward blocks)
     * @param progress a progress bar message, or {@code null} for none
     * @param loss the training loss to evaluate too, or {@code null}
     * @param deadline a {@link System#nanoTime()} instant, or {@link #NO_DEADLINE}
     * @param sink what scores each batch (a task's scorer)
     * @return the images, the loss and whether the deadline cut the pass short
     */
    public static Pass evaluate(Block block, NDManager manager, Dataset set, int steps,
            String progress, Loss loss, long deadline, BatchSink sink) {
        Pass pass = new Pass();
        ParameterStore ps = new ParameterStore(manager, false);
        boolean cut = eachBatch(manager, set, progress, deadline, (batch, scope) -> {
            pass.images += batch.getSize();
            NDList predictions = forward(block, ps, batch.getData(), steps);
            sink.add(batch.getLabels(), predictions);
            if (loss != null) {
                try (NDArray l = loss.evaluate(batch.getLabels(), predictions)) {
                    pass.lossSum += l.getFloat() * (double) batch.getSize();
                    pass.lossImages += batch.getSize();
                }
            }
            predictions.close();
        });
        pass.stoppedEarly = cut;
        return pass;
    }

    /** Scores one batch of an evaluation. */
    @FunctionalInterface
    public interface BatchSink {
        /**
         * Adds a batch.
         *
         * @param labels the batch's labels
         * @param predictions the model's outputs
         */
        void add(NDList labels, NDList predictions);
    }

    /** What one evaluation pass counted besides the task's own sums. */
    public static final class Pass {
        private long images;
        private double lossSum;
        private long lossImages;
        private boolean stoppedEarly;

        Pass() {}

        /** @return the images evaluated */
        public long images() {
            return images;
        }

        /** @return the mean loss per image, NaN when no loss was evaluated */
        public double loss() {
            return lossImages == 0 ? Double.NaN : lossSum / lossImages;
        }

        /** @return whether the deadline stopped the pass before the end of its set */
        public boolean stoppedEarly() {
            return stoppedEarly;
        }
    }

    /**
     * Evaluates a recurrent model at adaptive depth: each batch is iterated until every sample's
     * relative residual {@code ||h_t - h_t-1|| / ||h_t||} is at most {@code tolerance} (or
     * {@code maxSteps} steps), and each sample's depth is the first step at which its own residual
     * met the tolerance.
     *
     * @param net the model
     * @param manager the manager for the batches
     * @param set the dataset
     * @param forward the forward solver; it should stop when every sample meets {@code
     *     tolerance} ({@link Residual.StopRule#EVERY_SAMPLE})
     * @param tolerance the relative residual, above 0
     * @param maxSteps the most steps per batch
     * @param progress a progress bar message, or {@code null} for none
     * @return the scores and the depth of every sample ({@code maxSteps + 1}: not converged)
     */
    public static Adaptive evaluateAdaptive(RecurrentNet net, NDManager manager, Dataset set,
            FixedPointSolver forward, double tolerance, int maxSteps, String progress) {
        Scores scores = new Scores();
        List<Integer> depths = new ArrayList<>();
        ParameterStore ps = new ParameterStore(manager, false);
        eachBatch(manager, set, progress, NO_DEADLINE, (batch, batchScope) -> {
            NDList data = batch.getData();
            data.tempAttach(batchScope);
            NDArray drive = net.drive(ps, data, false).stopGradient();
            drive.attach(batchScope);
            int batchSize = Math.toIntExact(drive.getShape().get(0));
            int[] depth = new int[batchSize];
            int[] evaluations = new int[1];
            FixedPointMap map = net.stepMap(ps, drive, false);
            FixedPointMap recording = (z, target) -> {
                NDList next = map.apply(z, target);
                evaluations[0]++;
                double[] residuals = Residual.of(next, z).samples();
                for (int b = 0; b < batchSize; b++) {
                    if (depth[b] == 0 && residuals[b] <= tolerance) {
                        depth[b] = evaluations[0];
                    }
                }
                return next;
            };
            FixedPointResult solved = forward.solve(recording,
                    net.getCell().initialState(drive), maxSteps);
            NDList predictions = net.readout(ps, solved.state(), false);
            scores.add(SegmentationEvaluator.confusion(batch.getLabels(), predictions));
            for (int d : depth) {
                depths.add(d == 0 ? maxSteps + 1 : d);
            }
        });
        return new Adaptive(scores, depths.stream().mapToInt(Integer::intValue).toArray(),
                maxSteps);
    }

    /**
     * Measures whether a recurrent model's dynamics contract, image by image (see {@link
     * ContractionAnalysis}), on the first {@code maxImages} images of a dataset (0: all).
     *
     * @param net the model
     * @param manager the manager for the batches
     * @param set the dataset
     * @param analysis the measurement's settings
     * @param maxImages the most images to measure, whole batches; 0 for all
     * @param progress a progress bar message, or {@code null} for none
     * @return the per-image measurements and their statistics
     */
    public static ContractionAnalysis.Summary contraction(RecurrentNet net, NDManager manager,
            Dataset set, ContractionAnalysis analysis, int maxImages, String progress) {
        return contraction(net, manager, set, analysis, maxImages, progress, NO_DEADLINE);
    }

    /**
     * Measures the contraction as {@link #contraction(RecurrentNet, NDManager, Dataset,
     * ContractionAnalysis, int, String)} does, stopping between batches once a deadline has
     * passed (after at least one batch); the summary covers the images measured.
     *
     * @param net the model
     * @param manager the manager for the batches
     * @param set the dataset
     * @param analysis the measurement's settings
     * @param maxImages the most images to measure, whole batches; 0 for all
     * @param progress a progress bar message, or {@code null} for none
     * @param deadline a {@link System#nanoTime()} instant, or {@link #NO_DEADLINE}
     * @return the per-image measurements and their statistics
     */
    public static ContractionAnalysis.Summary contraction(RecurrentNet net, NDManager manager,
            Dataset set, ContractionAnalysis analysis, int maxImages, String progress,
            long deadline) {
        ContractionAnalysis.Summary summary = new ContractionAnalysis.Summary(analysis);
        ParameterStore ps = new ParameterStore(manager, false);
        eachBatch(manager, set, progress, deadline, (batch, batchScope) -> {
            if (maxImages <= 0 || summary.images().size() < maxImages) {
                summary.add(analysis.measure(net, ps, batch.getData()));
            }
        });
        return summary;
    }

    /** Work on one batch, inside a manager that is closed after it. */
    @FunctionalInterface
    private interface BatchWork {
        void accept(Batch batch, NDManager batchScope);
    }

    /**
     * Runs {@code work} on every batch of {@code set} with an optional progress bar; each batch
     * and everything made in its scope are freed before the next one.
     *
     * @return whether the deadline stopped it before the last batch
     */
    private static boolean eachBatch(NDManager manager, Dataset set, String progress,
            long deadline, BatchWork work) {
        try (NDManager scope = manager.newSubManager()) {
            ProgressBar bar = null;
            boolean first = true;
            for (Batch batch : set.getData(scope)) {
                if (!first && deadline != NO_DEADLINE && System.nanoTime() > deadline) {
                    batch.close();
                    if (bar != null) {
                        bar.end();
                    }
                    return true;
                }
                first = false;
                try (NDManager batchScope = scope.newSubManager()) {
                    if (progress != null && bar == null) {
                        bar = new ProgressBar(progress, batch.getProgressTotal());
                    }
                    work.accept(batch, batchScope);
                    if (bar != null) {
                        bar.update(batch.getProgress());
                    }
                } finally {
                    batch.close();
                }
            }
            if (bar != null) {
                bar.end();
            }
            return false;
        } catch (IOException | TranslateException e) {
            throw new CliException("cannot read the evaluation data: " + e.getMessage(),
                    ExitCode.FAILURE, e);
        }
    }

    /** Scores at adaptive depth and the depth each sample needed. */
    public static final class Adaptive {
        private final Scores scores;
        private final int[] depths;
        private final int maxSteps;

        Adaptive(Scores scores, int[] depths, int maxSteps) {
            this.scores = scores;
            this.depths = depths;
            this.maxSteps = maxSteps;
        }

        /** @return the scores */
        public Scores scores() {
            return scores;
        }

        /** @return each sample's depth; {@code maxSteps + 1} for a sample that did not converge */
        public int[] depths() {
            return depths.clone();
        }

        /**
         * Summarises the depths for a report: mean, median, 90th percentile and largest of the
         * converged samples, how many did not converge, and the count per depth.
         *
         * @return the summary
         */
        public Map<String, Object> summary() {
            int[] converged = Arrays.stream(depths).filter(d -> d <= maxSteps).sorted().toArray();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("samples", depths.length);
            m.put("notConverged", depths.length - converged.length);
            if (converged.length > 0) {
                m.put("meanSteps", Arrays.stream(converged).average().orElse(Double.NaN));
                m.put("medianSteps", converged[converged.length / 2]);
                m.put("p90Steps", converged[Math.min(converged.length - 1,
                        (int) Math.ceil(0.9 * converged.length) - 1)]);
                m.put("largestSteps", converged[converged.length - 1]);
            }
            Map<String, Integer> histogram = new TreeMap<>(
                    (a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
            for (int d : converged) {
                histogram.merge(Integer.toString(d), 1, Integer::sum);
            }
            m.put("stepsHistogram", histogram);
            return m;
        }
    }

    /**
     * Runs a model's inference forward pass.
     *
     * @param block the model
     * @param ps the parameter store
     * @param data the inputs
     * @param steps the number of steps for a recurrent model
     * @return the logits
     */
    static NDList forward(Block block, ParameterStore ps, NDList data, int steps) {
        if (block instanceof RecurrentNet) {
            return ((RecurrentNet) block).forward(ps, data, steps, false);
        }
        return block.forward(ps, data, false);
    }
}
