/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.translate.Batchifier;

import org.crbp.core.bench.ProcessMemory;
import org.crbp.core.training.CrbpTrain;
import org.junit.jupiter.api.Test;

/**
 * A leak check, not a speed check: 500 C-RBP training iterations of a small conv cell must end
 * within 5% of the resident memory measured after iteration 50.
 */
class NativeMemoryLeakTest {

    @Test
    void crbpTrainingDoesNotGrowNativeMemory() {
        assumeTrue(ProcessMemory.isAvailable(), "needs /proc/self/status (Linux)");
        Engine.getInstance().setRandomSeed(5);
        Shape input = new Shape(4, 1, 16, 16);
        GradientMethod method = GradientMethods.crbp(10, 10, 0.5f, 10f);
        try (Model model = Model.newInstance("leak")) {
            model.setBlock(TestCells.net(TestCells.tanh(8, 3, 1.5f), 8, 2, 10));
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(new SquaredErrorLoss())
                    .optOptimizer(Optimizer.adam().build()))) {
                trainer.initialize(input);
                NDManager manager = trainer.getManager();
                long afterWarmUp = 0;
                int penalised = 0;
                for (int iteration = 1; iteration <= 500; iteration++) {
                    try (NDManager batchManager = manager.newSubManager()) {
                        NDList data = new NDList(batchManager.randomUniform(0, 1, input));
                        NDList labels = new NDList(
                                batchManager.randomUniform(0, 1, new Shape(4, 2, 16, 16)));
                        Batch batch = new Batch(batchManager, data, labels, 4,
                                Batchifier.STACK, Batchifier.STACK, iteration, 500);
                        StepResult result = CrbpTrain.trainBatch(trainer, batch, method).get(0);
                        penalised += result.penalty() > 0 ? 1 : 0;
                        trainer.step();
                        batch.close();
                    }
                    if (iteration == 50) {
                        System.gc();
                        afterWarmUp = ProcessMemory.residentBytes();
                    }
                }
                System.gc();
                long atEnd = ProcessMemory.residentBytes();
                assertTrue(penalised > 0, "the penalty path must be exercised");
                assertTrue(atEnd <= afterWarmUp * 1.05,
                        String.format("resident memory grew from %.1f MB after 50 iterations to"
                                + " %.1f MB after 500", afterWarmUp / 1e6, atEnd / 1e6));
            }
        }
    }
}
