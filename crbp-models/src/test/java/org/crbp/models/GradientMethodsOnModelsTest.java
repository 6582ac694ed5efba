/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import org.crbp.core.GradientMethod;
import org.crbp.core.GradientMethods;
import org.crbp.core.RecurrentNet;
import org.crbp.core.StepResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every gradient method of crbp-core trains the hGRU and convLSTM models: a few Adam steps on a
 * tiny fixed batch lower the focal loss.
 */
class GradientMethodsOnModelsTest {

    private static final int STEPS = 4;
    private static final int UPDATES = 8;
    private static final Shape INPUT = new Shape(4, 1, 12, 12);

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String model : new String[] {"hgru", "convlstm"}) {
            cases.add(Arguments.of(model, "BPTT", GradientMethods.bptt(STEPS)));
            cases.add(Arguments.of(model, "TBPTT", GradientMethods.truncatedBptt(STEPS, 2)));
            cases.add(Arguments.of(model, "RBP", GradientMethods.rbp(STEPS, 4)));
            cases.add(Arguments.of(model, "C-BPTT", GradientMethods.cbptt(STEPS, 0.9f, 1f)));
            cases.add(Arguments.of(model, "C-RBP", GradientMethods.crbp(STEPS, 4, 0.9f, 1f)));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void lossDecreases(String modelName, String methodName, GradientMethod method) {
        Engine.getInstance().setRandomSeed(11);
        RecurrentNet net =
                "hgru".equals(modelName)
                        ? PathfinderModels.hgru(3, 4, STEPS)
                        : PathfinderModels.convLstm(3, 4, STEPS);
        FocalLoss loss = new FocalLoss();
        try (Model model = Model.newInstance(modelName)) {
            model.setBlock(net);
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(loss)
                            .optOptimizer(
                                    Optimizer.adam()
                                            .optLearningRateTracker(Tracker.fixed(0.01f))
                                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(INPUT);
                NDManager manager = trainer.getManager();
                // a fixed batch: the foreground is where the image is bright
                NDArray image = manager.randomUniform(0f, 1f, INPUT);
                NDArray label = image.squeeze(1).gt(0.7f).toType(DataType.INT64, false);
                NDList data = new NDList(image);
                NDList labels = new NDList(label);
                ParameterStore ps = new ParameterStore(manager, false);
                float first = Float.NaN;
                float last = Float.NaN;
                for (int i = 0; i < UPDATES; i++) {
                    try (NDManager scope = manager.newSubManager()) {
                        data.tempAttach(scope);
                        labels.tempAttach(scope);
                        StepResult r = method.forwardBackward(net, ps, data, labels, loss);
                        trainer.step();
                        if (i == 0) {
                            first = r.loss();
                        }
                        last = r.loss();
                        assertTrue(Float.isFinite(r.loss()), methodName + " loss " + r.loss());
                    }
                }
                // the loss after the updates, evaluated the same way
                try (NDManager scope = manager.newSubManager()) {
                    data.tempAttach(scope);
                    NDList pred = net.forward(ps, data, true);
                    float after = loss.evaluate(labels, pred).getFloat();
                    assertTrue(
                            after < first && last < first,
                            modelName + " " + methodName + ": loss should fall, first " + first
                                    + ", last step " + last + ", after " + after);
                }
            }
        }
    }
}
