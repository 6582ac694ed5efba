/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.util.Pair;

import java.util.ArrayList;
import java.util.List;

/**
 * A training listener that scales all parameter gradients down together when their global norm
 * exceeds a bound: after the backward pass, before the optimizer steps ({@code onTrainingBatch}).
 */
public final class GradientClipping extends TrainingListenerAdapter {

    private final float maxNorm;

    /**
     * Creates the listener.
     *
     * @param maxNorm the largest global norm of the gradients; 0 turns clipping off
     */
    public GradientClipping(float maxNorm) {
        this.maxNorm = maxNorm;
    }

    /** {@inheritDoc} */
    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        // the gradients are in place, the optimizer has not stepped yet
        if (maxNorm > 0) {
            clip(trainer.getModel().getBlock(), maxNorm);
        }
    }

    /**
     * Scales all parameter gradients of a block down together when their global norm exceeds
     * {@code maxNorm}.
     *
     * @param block the block whose gradients to clip
     * @param maxNorm the largest global norm
     * @return the norm before clipping
     */
    public static double clip(Block block, float maxNorm) {
        List<NDArray> gradients = new ArrayList<>();
        double squares = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter parameter = p.getValue();
            if (!parameter.requiresGradient() || !parameter.isInitialized()) {
                continue;
            }
            NDArray g = parameter.getArray().getGradient();
            // summed in double precision: the squares of many small gradients lose bits in float
            try (NDArray sq = g.toType(DataType.FLOAT64, true).square();
                    NDArray sum = sq.sum()) {
                squares += sum.getDouble();
            }
            gradients.add(g);
        }
        double norm = Math.sqrt(squares);
        float scale = norm > maxNorm ? (float) (maxNorm / norm) : 1f;
        for (NDArray g : gradients) {
            if (scale < 1f) {
                g.muli(scale);
            }
            g.close();
        }
        return norm;
    }
}
