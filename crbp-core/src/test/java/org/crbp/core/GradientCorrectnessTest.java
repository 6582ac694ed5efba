/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;

import org.crbp.core.check.GradientCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

/** Gradients of every method against finite differences and against long BPTT, in float64. */
class GradientCorrectnessTest {

    private static final Shape INPUT = new Shape(2, 1, 5, 5);

    private NDManager manager;
    private ParameterStore ps;
    private final Loss loss = new SquaredErrorLoss();

    @BeforeEach
    void setUp() {
        Engine.getInstance().setRandomSeed(7);
        manager = NDManager.newBaseManager();
        ps = new ParameterStore(manager, false);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private RecurrentNet build(RecurrentCell cell, int channels, int steps) {
        RecurrentNet net = TestCells.net(cell, channels, 2, steps);
        net.initialize(manager, DataType.FLOAT64, INPUT);
        return net;
    }

    private NDArray random(Shape shape, long seed) {
        Random random = new Random(seed);
        double[] values = new double[(int) shape.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble();
        }
        return manager.create(values, shape);
    }

    @Test
    void bpttEqualsFiniteDifferences() {
        int steps = 4;
        RecurrentNet net = build(TestCells.tanh(3, 3, 0.9f), 3, steps);
        NDList data = new NDList(random(INPUT, 1));
        NDList labels = new NDList(random(new Shape(2, 2, 5, 5), 2));
        Map<String, double[]> analytic =
                GradientCheck.gradients(net, GradientMethods.bptt(steps), ps, data, labels, loss);
        Map<String, double[]> numeric =
                GradientCheck.lossFiniteDifferences(net, ps, data, labels, loss, steps, 1e-6);
        assertEquals(numeric.keySet(), analytic.keySet());
        for (String name : numeric.keySet()) {
            double error = GradientCheck.relativeError(analytic.get(name), numeric.get(name));
            assertTrue(GradientCheck.norm(numeric.get(name)) > 0, name + " has a zero gradient");
            assertTrue(error < 1e-5, name + ": relative error " + error);
        }
    }

    @Test
    void truncatedBpttEqualsBpttWhenAllStepsRecord() {
        int steps = 4;
        RecurrentNet net = build(TestCells.tanh(3, 3, 0.9f), 3, steps);
        NDList data = new NDList(random(INPUT, 3));
        NDList labels = new NDList(random(new Shape(2, 2, 5, 5), 4));
        Map<String, double[]> full =
                GradientCheck.gradients(net, GradientMethods.bptt(steps), ps, data, labels, loss);
        Map<String, double[]> truncated = GradientCheck.gradients(
                net, GradientMethods.truncatedBptt(steps, steps), ps, data, labels, loss);
        Map<String, double[]> short1 = GradientCheck.gradients(
                net, GradientMethods.truncatedBptt(steps, 1), ps, data, labels, loss);
        for (String name : full.keySet()) {
            assertArrayEquals(full.get(name), truncated.get(name), 1e-12, name);
        }
        // one recorded step: the cell weight's gradient differs from full BPTT
        String cellWeight = full.keySet().stream().filter(k -> k.contains("cell")).findFirst()
                .orElseThrow();
        assertTrue(GradientCheck.relativeError(full.get(cellWeight), short1.get(cellWeight)) > 1e-3);
    }

    @Test
    void rbpEqualsLongBptt() {
        int steps = 60;
        RecurrentNet net = build(TestCells.tanh(3, 3, 0.5f), 3, steps);
        NDList data = new NDList(random(INPUT, 5));
        NDList labels = new NDList(random(new Shape(2, 2, 5, 5), 6));
        Map<String, double[]> bptt =
                GradientCheck.gradients(net, GradientMethods.bptt(steps), ps, data, labels, loss);
        GradientMethod rbp = Rbp.builder().setSteps(steps).optAdjointBudget(200)
                .optNeumannTolerance(1e-15).build();
        Map<String, double[]> implicit = GradientCheck.gradients(net, rbp, ps, data, labels, loss);
        assertEquals(bptt.keySet(), implicit.keySet());
        for (String name : bptt.keySet()) {
            double error = GradientCheck.relativeError(implicit.get(name), bptt.get(name));
            assertTrue(error < 1e-6, name + ": relative error " + error);
        }
    }

    @Test
    void rbpEqualsLongBpttWithTwoStateTensors() {
        int steps = 60;
        RecurrentNet net = build(new TestCells.TwoStateCell(3, 0.5f), 3, steps);
        NDList data = new NDList(random(INPUT, 7));
        NDList labels = new NDList(random(new Shape(2, 2, 5, 5), 8));
        Map<String, double[]> bptt =
                GradientCheck.gradients(net, GradientMethods.bptt(steps), ps, data, labels, loss);
        GradientMethod rbp = Rbp.builder().setSteps(steps).optAdjointBudget(200)
                .optNeumannTolerance(1e-15).build();
        Map<String, double[]> implicit = GradientCheck.gradients(net, rbp, ps, data, labels, loss);
        for (String name : bptt.keySet()) {
            double error = GradientCheck.relativeError(implicit.get(name), bptt.get(name));
            assertTrue(error < 1e-6, name + ": relative error " + error);
        }
    }
}
