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
import ai.djl.util.PairList;

import org.crbp.core.check.GradientCheck;
import org.junit.jupiter.api.Test;

/**
 * {@link GradientCheck#checkCell} passes good cells and fails loudly on the scalar-operand
 * trap; the step count is set in one place (the network, or both agreeing); lambda is a double.
 */
class CellCheckTest {

    private static final Shape DRIVE = new Shape(2, 3, 5, 5);

    /** {@code h' = tanh(0.5 h + x)} written with a Number operand: the trap. */
    static final class ScalarOperandCell extends RecurrentCell {
        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
            NDArray x = inputs.get(0);
            NDArray h = inputs.get(1);
            return new NDList(h.mul(0.5f).add(x).tanh());
        }
    }

    /** The same cell with the constant as an array. */
    static final class ArrayConstantCell extends RecurrentCell {
        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
            NDArray x = inputs.get(0);
            NDArray h = inputs.get(1);
            NDArray half = h.getManager().full(new Shape(), 0.5f, h.getDataType());
            return new NDList(h.mul(half).add(x).tanh());
        }
    }

    @Test
    void goodCellsPass() {
        assertTrue(GradientCheck.checkCell(new ArrayConstantCell(), DRIVE, 1e-6) < 1e-6);
        assertTrue(GradientCheck.checkCell(TestCells.tanh(3, 3, 0.9f), DRIVE, 1e-6) < 1e-6);
        assertTrue(GradientCheck.checkCell(new TestCells.TwoStateCell(3, 0.9f), DRIVE, 1e-6)
                < 1e-6);
    }

    @Test
    void aScalarOperandFailsLoudly() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> GradientCheck.checkCell(new ScalarOperandCell(), DRIVE, 1e-6));
        assertTrue(e.getMessage().contains("ScalarOperandCell"), e.getMessage());
        assertTrue(e.getMessage().contains("scalar (Number) operand"), e.getMessage());
    }

    @Test
    void theNetworkAndTheMethodMustAgreeOnSteps() {
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = TestCells.net(TestCells.tanh(2, 3, 0.5f), 2, 2, 3);
            Shape input = new Shape(2, 1, 5, 5);
            net.initialize(manager, DataType.FLOAT32, input);
            ParameterStore ps = new ParameterStore(manager, false);
            NDList data = new NDList(manager.randomUniform(0, 1, input));
            NDList labels = new NDList(manager.randomUniform(0, 1, new Shape(2, 2, 5, 5)));
            for (GradientMethod method : new GradientMethod[] {
                GradientMethods.bptt(20), GradientMethods.crbp(20, 15, 0.9f, 10f)}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> method.forwardBackward(net, ps, data, labels,
                                new SquaredErrorLoss()));
                assertTrue(e.getMessage().contains("runs 3 steps")
                        && e.getMessage().contains("runs 20"), e.getMessage());
            }
        }
    }

    @Test
    void aMethodWithoutStepsRunsTheNetworks() {
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = TestCells.net(TestCells.tanh(2, 3, 0.5f), 2, 2, 4);
            Shape input = new Shape(2, 1, 5, 5);
            net.initialize(manager, DataType.FLOAT32, input);
            ParameterStore ps = new ParameterStore(manager, false);
            NDList data = new NDList(manager.randomUniform(0, 1, input));
            NDList labels = new NDList(manager.randomUniform(0, 1, new Shape(2, 2, 5, 5)));
            Bptt fromNet = Bptt.builder().build();
            Rbp rbpFromNet = Rbp.builder().build();
            assertEquals(0, fromNet.getSteps(), "0 says: the network's number");
            assertEquals(0, rbpFromNet.getSteps());
            assertEquals("BPTT", fromNet.getName());
            for (GradientMethod method : new GradientMethod[] {fromNet, rbpFromNet}) {
                StepResult result = method.forwardBackward(net, ps, data, labels,
                        new SquaredErrorLoss());
                result.predictions().close();
                assertEquals(4, result.steps(), method.getName());
            }
            // truncation beyond the network's depth is refused when the depth becomes known
            Bptt tooLong = Bptt.builder().optGradientSteps(5).build();
            assertEquals("TBPTT", tooLong.getName());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> tooLong.forwardBackward(net, ps, data, labels, new SquaredErrorLoss()));
            assertTrue(e.getMessage().contains("cannot exceed steps (4"), e.getMessage());
            // an explicit 0 is still an error, not "from the network"
            assertThrows(IllegalArgumentException.class, () -> Rbp.builder().setSteps(0).build());
        }
    }

    @Test
    void lambdaIsADoubleAndFloatsKeepTheirDecimalValue() {
        Rbp crbp = (Rbp) GradientMethods.crbp(10, 15, 0.9f, 10f);
        assertEquals(0.9, crbp.getPenalty().getLambda(), 0.0);
        assertEquals(0.9, LipschitzPenalty.builder().build().getLambda(), 0.0);
        Bptt cbptt = (Bptt) GradientMethods.cbptt(6, 0.3, 1f);
        assertEquals(0.3, cbptt.getPenalty().getLambda(), 0.0);
        // the factories build the reference's Neumann rules
        assertEquals("neumann(15, abs 1e-09, cap 1.00)", crbp.getAdjointSolver().describe());
    }
}
