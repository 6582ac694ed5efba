/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.crbp.core.check.GradientCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/** Every method on one- and two-state cells, and the diagnostics they report. */
class MethodsOnCellsTest {

    private static final Shape INPUT = new Shape(2, 1, 6, 6);

    private NDManager manager;
    private ParameterStore ps;

    @BeforeEach
    void setUp() {
        Engine.getInstance().setRandomSeed(3);
        manager = NDManager.newBaseManager();
        ps = new ParameterStore(manager, false);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private static List<GradientMethod> allMethods(int steps) {
        return List.of(
                GradientMethods.bptt(steps),
                GradientMethods.truncatedBptt(steps, 2),
                GradientMethods.rbp(steps, 10),
                GradientMethods.cbptt(steps, 0.5f, 10f),
                GradientMethods.crbp(steps, 10, 0.5f, 10f));
    }

    @Test
    void everyMethodWorksWithTwoStateTensors() {
        // float64: an earlier engine build's float32 convolution backward at 4 channels returned
        // NaN in about 1 of 20 runs (Convolutions' guard watches for it)
        RecurrentNet net = TestCells.net(new TestCells.TwoStateCell(4, 1.5f), 4, 2, 8);
        net.initialize(manager, DataType.FLOAT64, INPUT);
        NDList data = new NDList(manager.randomUniform(0, 1, INPUT, DataType.FLOAT64));
        NDList labels = new NDList(
                manager.randomUniform(0, 1, new Shape(2, 2, 6, 6), DataType.FLOAT64));
        for (GradientMethod method : allMethods(8)) {
            Map<String, double[]> gradients =
                    GradientCheck.gradients(net, method, ps, data, labels, new SquaredErrorLoss());
            for (Map.Entry<String, double[]> g : gradients.entrySet()) {
                double norm = GradientCheck.norm(g.getValue());
                assertTrue(Double.isFinite(norm), method.getName() + " " + g.getKey());
                assertTrue(norm > 0, method.getName() + " left " + g.getKey() + " at zero");
            }
            StepResult result = method.forwardBackward(net, ps, data, labels, new SquaredErrorLoss());
            assertEquals(new Shape(2, 2, 6, 6), result.predictions().head().getShape());
            result.predictions().close();
            if (method.getName().startsWith("C-")) {
                assertTrue(result.penalty() > 0, method.getName() + " penalty");
                assertTrue(result.penaltyApplied());
            } else {
                assertEquals(0f, result.penalty());
            }
            assertTrue(result.maxJacobianColumnSum() > 0.5f, method.getName());
        }
    }

    @Test
    void diagnosticsTellContractiveFromExpansiveDynamics() {
        NDList data = new NDList(manager.randomUniform(0, 1, INPUT));
        NDList labels = new NDList(manager.randomUniform(0, 1, new Shape(2, 2, 6, 6)));

        RecurrentNet contractive =
                TestCells.net(TestCells.tanh(3, 3, 0.3f), 3, 2, 30);
        contractive.initialize(manager, DataType.FLOAT32, INPUT);
        StepResult calm = GradientMethods.rbp(30, 30)
                .forwardBackward(contractive, ps, data, labels, new SquaredErrorLoss());
        assertTrue(calm.residual() < 1e-5, "residual " + calm.residual());
        assertFalse(calm.diverged());
        assertTrue(calm.adjointIterations() > 3 && calm.adjointIterations() < 30,
                "the series should stop by tolerance, used " + calm.adjointIterations());
        assertTrue(calm.maxJacobianColumnSum() < 1f);

        RecurrentNet expansive =
                TestCells.net(TestCells.tanh(3, 3, 6f), 3, 2, 30);
        expansive.initialize(manager, DataType.FLOAT32, INPUT);
        StepResult wild = GradientMethods.rbp(30, 30)
                .forwardBackward(expansive, ps, data, labels, new SquaredErrorLoss());
        assertTrue(wild.maxJacobianColumnSum() > 1f, "max J^T 1 " + wild.maxJacobianColumnSum());
        assertTrue(wild.diverged() || wild.adjointIterations() == 30,
                "an expansive cell's series should grow: " + wild);
    }

    @Test
    void normCapAndPenaltyPeriod() {
        RecurrentNet net = TestCells.net(TestCells.tanh(3, 3, 2f), 3, 2, 10);
        net.initialize(manager, DataType.FLOAT32, INPUT);
        NDList data = new NDList(manager.randomUniform(0, 1, INPUT));
        NDList labels = new NDList(manager.randomUniform(0, 1, new Shape(2, 2, 6, 6)).mul(100));
        StepResult capped = Rbp.builder().setSteps(10).optAdjointBudget(20).optNormCap(1e-9)
                .optGrowthGuard(false).build()
                .forwardBackward(net, ps, data, labels, new SquaredErrorLoss());
        assertEquals(0, capped.adjointIterations(), "a tiny cap stops before the first term");

        GradientMethod everyThird = Rbp.builder().setSteps(10)
                .optPenalty(LipschitzPenalty.builder().optLambda(0.5f).optEvery(3).build())
                .build();
        boolean[] applied = new boolean[6];
        for (int i = 0; i < applied.length; i++) {
            applied[i] = everyThird.forwardBackward(net, ps, data, labels, new SquaredErrorLoss())
                    .penaltyApplied();
        }
        assertTrue(applied[0] && !applied[1] && !applied[2] && applied[3] && !applied[4]);
    }

    @Test
    void trajectoryMatchesForward() {
        RecurrentNet net = TestCells.net(new TestCells.TwoStateCell(3, 1f), 3, 2, 5);
        net.initialize(manager, DataType.FLOAT64, INPUT);
        NDList data = new NDList(manager.randomUniform(0, 1, INPUT, DataType.FLOAT64));
        RecurrentNet.Trajectory trajectory = net.trajectory(ps, data, 7, true);
        assertEquals(7, trajectory.getStates().size());
        assertEquals(2, trajectory.getStates().get(0).size());
        NDList atFive = net.forward(ps, data, 5, false);
        assertTrue(atFive.head().allClose(trajectory.getPredictions().get(4).head()));
        NDList atSeven = net.forward(ps, data, 7, false);
        assertTrue(atSeven.head().allClose(trajectory.getPredictions().get(6).head()));
        assertFalse(atFive.head().allClose(atSeven.head(), 1e-12, 1e-12, false));
    }
}
