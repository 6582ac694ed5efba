/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import org.crbp.core.check.GradientCheck;
import org.junit.jupiter.api.Test;

import java.util.Map;

/**
 * RBP on part of the state (the reference's convLSTM: h only, c held at its fixed point) is the
 * implicit gradient of {@code h* = F_h(x, h*, c*)} with {@code c*} constant: the same as a long BPTT
 * of the h-recursion with c frozen at {@code c*}; and RBP on the whole state is not.
 */
class ImplicitStateTest {

    private static final Shape INPUT = new Shape(2, 1, 6, 6);
    private static final int LONG = 200;

    @Test
    void hiddenOnlyRbpIsTheGradientWithTheCellStateHeldFixed() {
        Engine.getInstance().setRandomSeed(21);
        try (NDManager manager = NDManager.newBaseManager()) {
            ParameterStore ps = new ParameterStore(manager, false);
            TestCells.TwoStateCell cell = new TestCells.TwoStateCell(3, 0.5f, false);
            RecurrentNet net = TestCells.net(cell, 3, 2, 80);
            net.initialize(manager, DataType.FLOAT64, INPUT);
            NDList data = new NDList(manager.randomUniform(0, 1, INPUT, DataType.FLOAT64));
            NDList labels = new NDList(
                    manager.randomUniform(0, 1, new Shape(2, 2, 6, 6), DataType.FLOAT64));

            GradientMethod exact = Rbp.builder().setSteps(80)
                    .optAdjointSolver(GradientMethods.fixedPointAdjoint(500, 1e-14)).build();
            Map<String, double[]> hiddenOnly =
                    GradientCheck.gradients(net, exact, ps, data, labels, new SquaredErrorLoss());
            Map<String, double[]> frozen = frozenCellStateBptt(net, ps, data, labels, manager);
            double error = GradientCheck.maxRelativeError(hiddenOnly, frozen);
            assertTrue(error < 1e-8, "h-only RBP vs BPTT with c frozen at c*: " + error);

            RecurrentNet whole = TestCells.net(new TestCells.TwoStateCell(3, 0.5f, true), 3, 2,
                    80);
            whole.initialize(manager, DataType.FLOAT64, INPUT);
            copyParameters(net, whole);
            Map<String, double[]> both = GradientCheck.gradients(whole, exact, ps, data, labels,
                    new SquaredErrorLoss());
            double difference = GradientCheck.maxRelativeError(both, frozen);
            assertTrue(difference > 1e-3, "RBP on (h, c) should differ, got " + difference);
        }
    }

    /** BPTT over {@value #LONG} steps of {@code h -> F_h(x, h, c*)}, c* from a long no-grad run. */
    private static Map<String, double[]> frozenCellStateBptt(RecurrentNet net, ParameterStore ps,
            NDList data, NDList labels, NDManager manager) {
        GradientCheck.zeroGradients(net);
        try (NDManager scope = manager.newSubManager()) {
            NDArray detachedDrive = net.drive(ps, data, false).stopGradient();
            NDList fixed = net.advance(ps, detachedDrive, net.getCell().initialState(detachedDrive),
                    LONG, true, false, null);
            NDArray cStar = fixed.get(1).stopGradient();
            cStar.attach(scope);
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray drive = net.drive(ps, data, true);
                NDArray h = net.getCell().initialState(drive).get(0);
                for (int t = 0; t < LONG; t++) {
                    h = net.step(ps, drive, new NDList(h, cStar), true).get(0);
                }
                NDList predictions = net.readout(ps, new NDList(h, cStar), true);
                collector.backward(new SquaredErrorLoss().evaluate(labels, predictions));
            }
        }
        return GradientCheck.readGradients(net);
    }

    private static void copyParameters(RecurrentNet from, RecurrentNet to) {
        for (int i = 0; i < from.getParameters().size(); i++) {
            to.getParameters().valueAt(i).getArray()
                    .set(from.getParameters().valueAt(i).getArray().toByteBuffer());
        }
    }
}
