/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.listener.TrainingListener;
import org.crbp.core.SquaredErrorLoss;
import ai.djl.training.optimizer.Optimizer;

import org.crbp.core.GradientMethods;
import org.crbp.core.RecurrentNet;
import org.crbp.core.training.CrbpTrain;
import org.crbp.core.training.DiagnosticsListener;
import org.junit.jupiter.api.Test;

/** The complete example of docs/method.md, "Writing your own cell": it must compile and train. */
class CustomCellExampleTest {

    @Test
    void theDocumentedExampleTrains() throws Exception {
        // --- example begins ---
        RecurrentNet net = RecurrentNet.builder()
                .setEncoder(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(8)
                        .optPadding(new Shape(1, 1)).build())
                .setCell(new LeakyReluCell(8))
                .setReadout(Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(1).build())
                .optSteps(20)
                .build();
        DiagnosticsListener diagnostics = new DiagnosticsListener();
        try (Model model = Model.newInstance("leaky")) {
            model.setBlock(net);
            NDManager manager = model.getNDManager();
            NDArray images = manager.randomUniform(0, 1, new Shape(32, 1, 12, 12));
            NDArray targets = images.mul(2).sub(0.5); // a toy per-pixel regression
            ArrayDataset data = new ArrayDataset.Builder()
                    .setData(images).optLabels(targets).setSampling(8, true).build();
            DefaultTrainingConfig config = new DefaultTrainingConfig(new SquaredErrorLoss())
                    .optOptimizer(Optimizer.adam().build())
                    .addTrainingListeners(TrainingListener.Defaults.basic())
                    .addTrainingListeners(diagnostics);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(8, 1, 12, 12));
                // C-RBP: 20 steps, at most 15 Neumann terms, lambda 0.9, penalty weight 10
                CrbpTrain.fit(trainer, 5, data, null, GradientMethods.crbp(20, 15, 0.9f, 10f));
            }
        }
        // --- example ends ---
        assertEquals(5, diagnostics.getHistory().size());
        double first = diagnostics.getHistory().get(0).getLoss();
        double last = diagnostics.getHistory().get(4).getLoss();
        assertTrue(last < first, "loss should fall: " + first + " -> " + last);
    }
}
