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

import org.crbp.core.RecurrentNet;
import org.crbp.models.SegmentationEvaluator;

import java.io.IOException;

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
        Scores scores = new Scores();
        ParameterStore ps = new ParameterStore(manager, false);
        try (NDManager scope = manager.newSubManager()) {
            ProgressBar bar = null;
            for (Batch batch : set.getData(scope)) {
                try {
                    if (progress != null && bar == null) {
                        bar = new ProgressBar(progress, batch.getProgressTotal());
                    }
                    NDList predictions = forward(block, ps, batch.getData(), steps);
                    scores.add(SegmentationEvaluator.confusion(batch.getLabels(), predictions));
                    if (loss != null) {
                        try (NDArray l = loss.evaluate(batch.getLabels(), predictions)) {
                            scores.addLoss(l.getFloat(), batch.getSize());
                        }
                    }
                    predictions.close();
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
        } catch (IOException | TranslateException e) {
            throw new CliException("cannot read the evaluation data: " + e.getMessage(),
                    ExitCode.FAILURE, e);
        }
        return scores;
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
