/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;

import org.crbp.core.check.GradientCheck;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Map;

/** Every bad input gets a clear error that names the problem. */
class BadInputTest {

    private static void assertMessage(Exception e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment),
                    "message '" + e.getMessage() + "' should mention '" + fragment + "'");
        }
    }

    @Test
    void stepsBelowOne() {
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> GradientMethods.bptt(0)), "steps", "0");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> GradientMethods.rbp(-3, 5)), "steps", "-3");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> GradientMethods.cbptt(0, 0.9f, 10)), "steps");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> GradientMethods.crbp(0, 15, 0.9f, 10)), "steps");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> GradientMethods.truncatedBptt(4, 5)), "gradientSteps", "cannot exceed");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> GradientMethods.truncatedBptt(4, 0)), "gradientSteps");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> TestCells.net(TestCells.tanh(2, 3, 1f), 2, 2, 0)), "steps");
    }

    @Test
    void neumannTermsBelowOne() {
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> GradientMethods.rbp(10, 0)), "Neumann terms", "0");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> GradientMethods.crbp(10, -1, 0.9f, 10)), "Neumann terms");
    }

    @Test
    void lambdaOutsideUnitInterval() {
        for (float lambda : new float[] {-0.1f, 1f, 1.5f, Float.NaN}) {
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> GradientMethods.crbp(10, 15, lambda, 10)), "lambda", "[0, 1)");
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> GradientMethods.cbptt(6, lambda, 10)), "lambda");
        }
        GradientMethods.crbp(10, 15, 0f, 10); // the closed end is allowed
    }

    @Test
    void negativeOrNonFiniteWeight() {
        for (float weight : new float[] {-1f, Float.NaN, Float.POSITIVE_INFINITY}) {
            assertMessage(assertThrows(IllegalArgumentException.class,
                    () -> GradientMethods.crbp(10, 15, 0.9f, weight)), "weight");
        }
    }

    @Test
    void missingBlocks() {
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> RecurrentNet.builder().setCell(TestCells.tanh(2, 3, 1f))
                        .build()), "encoder", "readout");
    }

    @Test
    void cellWithWrongOutputShape() {
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = TestCells.net(new TestCells.BadShapeCell(), 2, 2, 3);
            Shape input = new Shape(2, 1, 4, 4);
            net.initialize(manager, DataType.FLOAT32, input);
            ParameterStore ps = new ParameterStore(manager, false);
            NDList data = new NDList(manager.ones(input));
            NDList labels = new NDList(manager.ones(new Shape(2, 2, 4, 4)));
            for (GradientMethod method : new GradientMethod[] {
                GradientMethods.bptt(3), GradientMethods.rbp(3, 2)}) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> method.forwardBackward(net, ps, data, labels, new SquaredErrorLoss()));
                assertMessage(e, "BadShapeCell", "(2, 2, 4, 4)", "(2, 32)");
            }
        }
    }

    @Test
    void nanLossStopsBeforeAnyGradient() {
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = TestCells.net(TestCells.tanh(2, 3, 0.5f), 2, 2, 3);
            Shape input = new Shape(2, 1, 4, 4);
            net.initialize(manager, DataType.FLOAT32, input);
            ParameterStore ps = new ParameterStore(manager, false);
            NDList data = new NDList(manager.ones(input));
            NDList labels = new NDList(manager.ones(new Shape(2, 2, 4, 4)));
            Loss nanLoss = new Loss("nan") {
                @Override
                public NDArray evaluate(NDList l, NDList p) {
                    return p.head().sum().mul(Float.NaN);
                }
            };
            for (GradientMethod method : new GradientMethod[] {
                GradientMethods.bptt(3), GradientMethods.cbptt(3, 0.5f, 1f),
                GradientMethods.rbp(3, 2), GradientMethods.crbp(3, 2, 0.5f, 1f)}) {
                GradientCheck.zeroGradients(net);
                NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                        () -> method.forwardBackward(net, ps, data, labels, nanLoss));
                assertMessage(e, method.getName(), "NaN", "no gradient");
                for (Map.Entry<String, double[]> g : GradientCheck.readGradients(net).entrySet()) {
                    assertEquals(0, GradientCheck.norm(g.getValue()), 0, g.getKey());
                }
            }
        }
    }

    @Test
    void otherEngineIsRefusedForRbpAndPenalty() {
        NDManager foreignManager = (NDManager) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {NDManager.class},
                (proxy, method, args) -> null);
        NDArray foreign = (NDArray) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {NDArray.class},
                (proxy, method, args) ->
                        method.getName().equals("getManager") ? foreignManager : null);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> EngineAutograd.requireSupport(foreign, "C-RBP"));
        assertMessage(e, "C-RBP", "needs the PyTorch engine");
        assertThrows(UnsupportedOperationException.class,
                () -> GradientMethods.rbp(3, 2).forwardBackward(
                        null, null, new NDList(foreign), new NDList(foreign), new SquaredErrorLoss()));
    }
}
