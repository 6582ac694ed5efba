/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.metric.Metrics;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.listener.SaveModelTrainingListener;
import ai.djl.training.listener.TrainingListener;
import org.crbp.core.SquaredErrorLoss;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;

import org.crbp.core.GradientMethod;
import org.crbp.core.GradientMethods;
import org.crbp.core.NonFiniteLossException;
import org.crbp.core.RecurrentNet;
import org.crbp.core.StepResult;
import org.crbp.core.TanhCell;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The training glue inside a real DJL Trainer, with DJL's own listeners. */
class CrbpTrainTest {

    private static RecurrentNet net(int steps) {
        return RecurrentNet.builder()
                .setEncoder(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(4)
                        .optPadding(new Shape(1, 1)).build())
                .setCell(TanhCell.builder().setChannels(4).optKernel(3).build())
                .setReadout(Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(2)
                        .build())
                .optSteps(steps)
                .build();
    }

    private static ArrayDataset dataset(NDManager manager, int size, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        NDArray images = manager.randomUniform(0, 1, new Shape(size, 1, 8, 8));
        // target: a smoothed copy of the image in two channels
        NDArray targets = images.concat(images.mul(-1).add(1), 1);
        return new ArrayDataset.Builder()
                .setData(images)
                .optLabels(targets)
                .setSampling(4, false)
                .build();
    }

    private static DefaultTrainingConfig config(Loss loss, TrainingListener... extra) {
        return new DefaultTrainingConfig(loss)
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f))
                        .build())
                .addTrainingListeners(TrainingListener.Defaults.basic())
                .addTrainingListeners(extra);
    }

    @Test
    void fitTrainsWithDjlListenersAndReportsDiagnostics(@TempDir Path dir) throws Exception {
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(net(10));
            DiagnosticsListener diagnostics = new DiagnosticsListener();
            SaveModelTrainingListener saver = new SaveModelTrainingListener(dir.toString());
            try (Trainer trainer = model.newTrainer(
                    config(new SquaredErrorLoss(), diagnostics, saver))) {
                trainer.initialize(new Shape(4, 1, 8, 8));
                trainer.setMetrics(new Metrics());
                ArrayDataset train = dataset(model.getNDManager(), 16, 1);
                ArrayDataset validation = dataset(model.getNDManager(), 8, 2);
                GradientMethod method = GradientMethods.crbp(10, 10, 0.9f, 10f);

                CrbpTrain.fit(trainer, 6, train, validation, method);

                List<DiagnosticsListener.EpochDiagnostics> history = diagnostics.getHistory();
                assertEquals(6, history.size());
                assertEquals(4, history.get(0).getBatches());
                double first = history.get(0).getLoss();
                double last = history.get(5).getLoss();
                assertTrue(last < 0.8 * first, "loss should fall: " + first + " -> " + last);
                assertTrue(history.get(5).getAdjointIterations() > 0);
                assertNotNull(trainer.getTrainingResult().getValidateLoss());
                assertTrue(trainer.getMetrics().hasMetric(CrbpTrain.PENALTY));
                assertTrue(trainer.getMetrics().hasMetric(CrbpTrain.NEUMANN_TERMS));
            }
            try (Stream<Path> files = Files.list(dir)) {
                assertTrue(files.anyMatch(p -> p.toString().endsWith(".params")),
                        "SaveModelTrainingListener should have written a checkpoint");
            }
        }
    }

    @Test
    void nanLossNamesTheBatchAndKeepsTheLastGoodParameters() throws Exception {
        Loss nanAfterTwoBatches = new Loss("nanLater") {
            private int calls;

            @Override
            public NDArray evaluate(NDList labels, NDList predictions) {
                NDArray loss = new SquaredErrorLoss().evaluate(labels, predictions);
                return ++calls > 2 ? loss.mul(Float.NaN) : loss;
            }
        };
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(net(4));
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(nanAfterTwoBatches)
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f))
                            .build()))) {
                trainer.initialize(new Shape(4, 1, 8, 8));
                ArrayDataset train = dataset(model.getNDManager(), 16, 3);
                float[][] afterTwo = new float[1][];
                NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                        () -> CrbpTrain.fit(trainer, 1, train, null,
                                new SnapshotMethod(GradientMethods.rbp(4, 5), model, afterTwo)));
                assertTrue(e.getMessage().contains("epoch 1, batch 3"), e.getMessage());
                assertTrue(e.getMessage().contains("checkpoints"), e.getMessage());
                float[] now = firstParameter(model);
                assertEquals(afterTwo[0].length, now.length);
                for (int i = 0; i < now.length; i++) {
                    assertEquals(afterTwo[0][i], now[i], 0f);
                }
            }
        }
    }

    private static float[] firstParameter(Model model) {
        Pair<String, Parameter> first = model.getBlock().getParameters().get(0);
        return first.getValue().getArray().toFloatArray();
    }

    /** Records the first parameter before each batch, to compare after a failure. */
    private static final class SnapshotMethod implements GradientMethod {
        private final GradientMethod inner;
        private final Model model;
        private final float[][] snapshot;

        SnapshotMethod(GradientMethod inner, Model model, float[][] snapshot) {
            this.inner = inner;
            this.model = model;
            this.snapshot = snapshot;
        }

        @Override
        public StepResult forwardBackward(RecurrentNet net, ai.djl.training.ParameterStore ps,
                NDList data, NDList labels, Loss loss) {
            snapshot[0] = firstParameter(model);
            return inner.forwardBackward(net, ps, data, labels, loss);
        }

        @Override
        public int getSteps() {
            return inner.getSteps();
        }

        @Override
        public String getName() {
            return inner.getName();
        }
    }
}
