/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

/** The per-step hook: called once per cell evaluation and adjoint product, and able to stop. */
class StepListenerTest {

    private static final Shape INPUT = new Shape(2, 1, 6, 6);

    @Test
    void everyStepAndProductIsReported() {
        Engine.getInstance().setRandomSeed(11);
        try (NDManager manager = NDManager.newBaseManager()) {
            ParameterStore ps = new ParameterStore(manager, false);
            RecurrentNet net = TestCells.net(TestCells.tanh(3, 3, 0.5f), 3, 2, 9);
            net.initialize(manager, DataType.FLOAT64, INPUT);
            NDList data = new NDList(manager.randomUniform(0, 1, INPUT, DataType.FLOAT64));
            NDList labels = new NDList(
                    manager.randomUniform(0, 1, new Shape(2, 2, 6, 6), DataType.FLOAT64));

            List<String> seen = new ArrayList<>();
            StepListener record = (phase, index) -> seen.add(phase + " " + index);
            Bptt.builder().setSteps(9).optGradientSteps(4).optStepListener(record).build()
                    .forwardBackward(net, ps, data, labels, new SquaredErrorLoss())
                    .predictions().close();
            List<String> forward = new ArrayList<>();
            for (int t = 1; t <= 9; t++) {
                forward.add("FORWARD " + t);
            }
            assertEquals(forward, seen, "BPTT: one call per step, numbered 1..T");

            seen.clear();
            StepResult rbp = Rbp.builder().setSteps(9).optAdjointBudget(6).optGrowthGuard(false)
                    .optNormCap(0).optAbsoluteTolerance(0).optStepListener(record).build()
                    .forwardBackward(net, ps, data, labels, new SquaredErrorLoss());
            rbp.predictions().close();
            List<String> expected = new ArrayList<>(forward);
            for (int k = 1; k <= rbp.adjointIterations(); k++) {
                expected.add("ADJOINT " + k);
            }
            assertEquals(6, rbp.adjointIterations());
            assertEquals(expected, seen, "RBP: T forward evaluations, then the adjoint products");
        }
    }

    @Test
    void aThrowingListenerAbandonsTheBatchAndFreesIt() {
        Engine.getInstance().setRandomSeed(12);
        try (NDManager manager = NDManager.newBaseManager()) {
            ParameterStore ps = new ParameterStore(manager, false);
            RecurrentNet net = TestCells.net(TestCells.tanh(3, 3, 0.5f), 3, 2, 30);
            net.initialize(manager, DataType.FLOAT32, INPUT);
            NDList data = new NDList(manager.randomUniform(0, 1, INPUT));
            NDList labels = new NDList(manager.randomUniform(0, 1, new Shape(2, 2, 6, 6)));
            int[] calls = new int[1];
            StepListener stopAtFive = (phase, index) -> {
                calls[0]++;
                if (phase == StepListener.Phase.FORWARD && index == 5) {
                    throw new CancellationException("time budget spent");
                }
            };
            for (GradientMethod method : List.of(
                    Bptt.builder().setSteps(30).optStepListener(stopAtFive).build(),
                    Rbp.builder().setSteps(30).optStepListener(stopAtFive).build())) {
                calls[0] = 0;
                long before = manager.getManagedArrays().size();
                assertThrows(CancellationException.class, () -> method.forwardBackward(
                        net, ps, data, labels, new SquaredErrorLoss()), method.getName());
                assertEquals(5, calls[0], method.getName() + " stopped at the fifth step");
                assertEquals(before, manager.getManagedArrays().size(),
                        method.getName() + " left arrays behind");
            }
        }
    }
}
