/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

import org.crbp.core.check.CellCheckReport;
import org.crbp.core.check.GradientCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.LinkedHashMap;
import java.util.Map;

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

    /** {@code h' = tanh(x + h) + 0.01 k} on the k-th call: state kept between calls. */
    static final class CountingCell extends RecurrentCell {
        private int calls;

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
            NDArray x = inputs.get(0);
            NDArray h = inputs.get(1);
            calls++;
            NDArray offset = x.getManager().full(new Shape(), 0.01f * calls, x.getDataType());
            return new NDList(x.add(h).tanh().add(offset));
        }
    }

    /** {@code h' = tanh(x + a h)} reading {@code a} with getArray(), past the store. */
    static final class StoreBypassingCell extends RecurrentCell {
        private final Parameter a;

        StoreBypassingCell() {
            a = addParameter(Parameter.builder().setName("a").setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(1)).optInitializer(new NormalInitializer(0.5f))
                    .build());
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
            NDArray x = inputs.get(0);
            NDArray h = inputs.get(1);
            return new NDList(x.add(h.mul(a.getArray())).tanh());
        }
    }

    @Test
    void theNewCellCheckPassesGoodCellsAndNamesEachTrap() {
        for (RecurrentCell good : new RecurrentCell[] {
            new ArrayConstantCell(), TestCells.tanh(3, 3, 0.9f),
            new TestCells.TwoStateCell(3, 0.9f)}) {
            CellCheckReport report = GradientCheck.checkNewCell(good, DRIVE);
            assertTrue(report.passed(), report.toString());
            assertEquals(3, report.getFindings().size(), report.toString());
            assertEquals(report, report.throwIfFailed());
        }
        assertFails(GradientCheck.checkNewCell(new ScalarOperandCell(), DRIVE),
                "gradients against finite differences", "scalar (Number) operand");
        assertFails(GradientCheck.checkNewCell(new CountingCell(), DRIVE),
                "no state between calls", "keeps state between calls");
        assertFails(GradientCheck.checkNewCell(new StoreBypassingCell(), DRIVE),
                "weights through the parameter store", "parameter a", "getArray()");
    }

    private static void assertFails(CellCheckReport report, String check, String... words) {
        assertFalse(report.passed(), report.toString());
        String line = "[FAIL] " + check + ":";
        assertTrue(report.toString().contains(line), report.toString());
        for (String word : words) {
            assertTrue(report.toString().contains(word), word + " in " + report);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                report::throwIfFailed);
        assertTrue(e.getMessage().contains(line), e.getMessage());
    }

    @Test
    void aCellInitialisedInFloat32GetsOneClearError() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TanhCell cell = TestCells.tanh(3, 3, 0.9f);
            cell.initialize(manager, DataType.FLOAT32, DRIVE, DRIVE);
            for (Executable check : new Executable[] {
                () -> GradientCheck.checkCell(cell, DRIVE, 1e-6),
                () -> GradientCheck.checkNewCell(cell, DRIVE)}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, check);
                assertTrue(e.getMessage().contains("already initialised in float32")
                        && e.getMessage().contains("DataType.FLOAT64"), e.getMessage());
            }
        }
    }

    @Test
    void maxRelativeErrorHasAnAbsoluteFloor() {
        Map<String, double[]> a = new LinkedHashMap<>();
        Map<String, double[]> b = new LinkedHashMap<>();
        a.put("weight", new double[] {0.5, -0.25});
        b.put("weight", new double[] {0.5, -0.25 + 1e-9});
        // a parameter without gradient in one and round-off in the other
        a.put("bias", new double[] {0, 0});
        b.put("bias", new double[] {1e-17, 0});
        assertEquals(1.0, GradientCheck.maxRelativeError(a, b, 0), 1e-12,
                "without a floor the round-off reads as a 100% error");
        double floored = GradientCheck.maxRelativeError(a, b);
        assertEquals(GradientCheck.relativeError(a.get("weight"), b.get("weight")), floored,
                1e-15, "with the default floor the real difference decides");
        assertEquals(1e-17 / 1e-3, GradientCheck.relativeError(a.get("bias"), b.get("bias"),
                1e-3), 1e-25);
        assertThrows(IllegalArgumentException.class,
                () -> GradientCheck.maxRelativeError(a, b, -1));
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
