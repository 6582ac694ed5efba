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
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;

import org.crbp.core.check.GradientCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;
import java.util.Random;

/**
 * The Lipschitz penalty's value and gradient against an independent computation: {@code J^T 1}
 * by DJL's public autograd, the penalty in Java doubles, its gradient by central differences.
 */
class PenaltyGradientTest {

    private static final Shape INPUT = new Shape(2, 1, 5, 5);
    private static final float LAMBDA = 0.3f;

    private NDManager manager;
    private ParameterStore ps;

    /** A task loss that is identically zero, so that only the penalty has a gradient. */
    private final Loss zeroLoss = new Loss("zero") {
        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            // an array zero, not mul(0): a Number operand's buffer may be freed before backward
            NDArray sum = predictions.head().sum();
            return sum.mul(sum.zerosLike());
        }
    };

    @BeforeEach
    void setUp() {
        Engine.getInstance().setRandomSeed(11);
        manager = NDManager.newBaseManager();
        ps = new ParameterStore(manager, false);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private RecurrentNet build(int steps) {
        RecurrentNet net = TestCells.net(TestCells.tanh(3, 3, 0.9f), 3, 2, steps);
        net.initialize(manager, DataType.FLOAT64, INPUT);
        return net;
    }

    private NDList data(long seed) {
        Random random = new Random(seed);
        double[] values = new double[(int) INPUT.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble();
        }
        return new NDList(manager.create(values, INPUT));
    }

    private NDList labels() {
        return new NDList(manager.zeros(new Shape(2, 2, 5, 5), DataType.FLOAT64));
    }

    /** The state after {@code steps - 1} steps, without gradients. */
    private NDArray stateBeforeLast(RecurrentNet net, NDList data, int steps) {
        NDArray drive = net.drive(ps, data, false);
        NDList state = net.getCell().initialState(drive);
        return net.advance(ps, drive, state, steps - 1, true, true, null).head();
    }

    /**
     * {@code J^T p} at {@code state} from DJL's public autograd: {@code p = 1}, or with {@code
     * probe} the power penalty's fixed start.
     */
    private double[] pulledBack(RecurrentNet net, NDList data, NDArray state, boolean probe) {
        try (NDManager scope = manager.newSubManager()) {
            ScopedParameterStore detached = new ScopedParameterStore(ps, scope, true);
            NDArray drive = net.drive(detached, data, false).stopGradient();
            NDArray leaf = state.duplicate();
            leaf.attach(scope);
            drive.attach(scope);
            leaf.setRequiresGradient(true);
            NDArray weights = probe ? LipschitzPenalty.probeStart(leaf, scope) : null;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray out = net.step(detached, drive, new NDList(leaf), true).head();
                collector.backward((weights == null ? out : out.mul(weights)).sum());
            }
            return leaf.getGradient().toDoubleArray();
        }
    }

    /** mean(relu(J^T 1 - lambda)^2) at {@code state}, with J^T 1 from DJL's public autograd. */
    private double penaltyAt(RecurrentNet net, NDList data, NDArray state) {
        return penaltyAt(net, data, state, LipschitzPenalty.Reduction.MEAN);
    }

    /** The penalty at {@code state} under a reduction, computed in Java doubles. */
    private double penaltyAt(RecurrentNet net, NDList data, NDArray state,
            LipschitzPenalty.Reduction reduction) {
        double[] u = pulledBack(net, data, state, false);
        double sum = 0;
        int violating = 0;
        for (double value : u) {
            double excess = Math.max(value - LAMBDA, 0);
            sum += excess * excess;
            violating += excess > 0 ? 1 : 0;
        }
        switch (reduction) {
            case MEAN:
                return sum / u.length;
            case SUM:
                return sum;
            case PER_IMAGE:
                return sum / INPUT.get(0);
            case VIOLATING:
                return violating == 0 ? 0 : sum / violating;
            default:
                throw new IllegalArgumentException(reduction.toString());
        }
    }

    @Test
    void cbpttPenaltyGradientEqualsFiniteDifferences() {
        int steps = 4;
        RecurrentNet net = build(steps);
        NDList data = data(1);
        GradientMethod method = GradientMethods.cbptt(steps, LAMBDA, 1f);

        GradientCheck.zeroGradients(net);
        StepResult result = method.forwardBackward(net, ps, data, labels(), zeroLoss);
        Map<String, double[]> analytic = GradientCheck.readGradients(net);
        double expected = penaltyAt(net, data, stateBeforeLast(net, data, steps));
        assertTrue(expected > 1e-4, "the test needs a non-zero penalty, got " + expected);
        assertEquals(expected, result.penalty(), 1e-6 * expected);

        Map<String, double[]> numeric = GradientCheck.finiteDifferences(net, 1e-6,
                n -> penaltyAt(n, data, stateBeforeLast(n, data, steps)));
        for (String name : numeric.keySet()) {
            double error = GradientCheck.relativeError(analytic.get(name), numeric.get(name));
            if (name.contains("readout")) {
                assertEquals(0, GradientCheck.norm(analytic.get(name)), 0, name);
            } else {
                assertTrue(GradientCheck.norm(numeric.get(name)) > 0, name + " has a zero gradient");
                assertTrue(error < 1e-3, name + ": relative error " + error);
            }
        }
    }

    @Test
    void crbpPenaltyGradientEqualsFiniteDifferencesWithFixedPointHeld() {
        int steps = 6;
        RecurrentNet net = build(steps);
        NDList data = data(2);
        GradientMethod method = GradientMethods.crbp(steps, 10, LAMBDA, 1f);

        NDArray fixedPoint = stateBeforeLast(net, data, steps);
        GradientCheck.zeroGradients(net);
        StepResult result = method.forwardBackward(net, ps, data, labels(), zeroLoss);
        Map<String, double[]> analytic = GradientCheck.readGradients(net);
        double expected = penaltyAt(net, data, fixedPoint);
        assertTrue(expected > 1e-4, "the test needs a non-zero penalty, got " + expected);
        assertEquals(expected, result.penalty(), 1e-6 * expected);
        assertEquals(0, result.neumannTerms(), "a zero loss has nothing to propagate");

        Map<String, double[]> numeric = GradientCheck.finiteDifferences(
                net, 1e-6, n -> penaltyAt(n, data, fixedPoint));
        for (String name : numeric.keySet()) {
            double error = GradientCheck.relativeError(analytic.get(name), numeric.get(name));
            assertTrue(error < 1e-3, name + ": relative error " + error);
        }
    }

    @ParameterizedTest
    @EnumSource(LipschitzPenalty.Reduction.class)
    void everyReductionsGradientEqualsFiniteDifferences(LipschitzPenalty.Reduction reduction) {
        int steps = 6;
        RecurrentNet net = build(steps);
        NDList data = data(5);
        LipschitzPenalty lcp = LipschitzPenalty.builder().optLambda(LAMBDA).optWeight(1f)
                .optReduction(reduction).build();
        GradientMethod method = Rbp.builder().setSteps(steps).optPenalty(lcp)
                .optPenaltyDifference(Rbp.PenaltyDifference.CENTRAL).build();

        NDArray fixedPoint = stateBeforeLast(net, data, steps);
        GradientCheck.zeroGradients(net);
        StepResult result = method.forwardBackward(net, ps, data, labels(), zeroLoss);
        Map<String, double[]> analytic = GradientCheck.readGradients(net);
        double expected = penaltyAt(net, data, fixedPoint, reduction);
        assertTrue(expected > 1e-4, "the test needs a non-zero penalty, got " + expected);
        assertEquals(expected, result.penalty(), 1e-6 * expected, reduction.toString());

        // the violating count is piecewise constant: a step of 1e-6 does not move any u_i
        // across lambda here, so the difference quotient sees the same count
        Map<String, double[]> numeric = GradientCheck.finiteDifferences(
                net, 1e-6, n -> penaltyAt(n, data, fixedPoint, reduction));
        for (String name : numeric.keySet()) {
            double error = GradientCheck.relativeError(analytic.get(name), numeric.get(name));
            assertTrue(error < 1e-3, reduction + ", " + name + ": relative error " + error);
        }
    }

    /**
     * The power probe's penalty with one iteration, {@code mean_b relu(||J^T u0_b|| - lambda)^2}
     * with the fixed start {@code u0}, from DJL's public autograd in Java doubles.
     */
    private double powerPenaltyAt(RecurrentNet net, NDList data, NDArray state, double lambda) {
        double[] w = pulledBack(net, data, state, true);
        int images = (int) INPUT.get(0);
        int per = w.length / images;
        double sum = 0;
        for (int b = 0; b < images; b++) {
            double norm = 0;
            for (int j = 0; j < per; j++) {
                norm += w[b * per + j] * w[b * per + j];
            }
            double excess = Math.max(Math.sqrt(norm) - lambda, 0);
            sum += excess * excess;
        }
        return sum / images;
    }

    @Test
    void powerProbesGradientEqualsFiniteDifferences() {
        int steps = 6;
        double lambda = 0.05;
        LipschitzPenalty lcp = LipschitzPenalty.builder().optLambda(lambda).optWeight(1f)
                .optProbe(LipschitzPenalty.Probe.POWER).optPowerIterations(1).build();
        for (boolean rbp : new boolean[] {true, false}) {
            RecurrentNet net = build(steps);
            NDList data = data(6);
            GradientMethod method = rbp
                    ? Rbp.builder().setSteps(steps).optPenalty(lcp)
                            .optPenaltyDifference(Rbp.PenaltyDifference.CENTRAL).build()
                    : Bptt.builder().setSteps(steps).optPenalty(lcp).build();
            NDArray before = stateBeforeLast(net, data, steps);
            GradientCheck.zeroGradients(net);
            StepResult result = method.forwardBackward(net, ps, data, labels(), zeroLoss);
            Map<String, double[]> analytic = GradientCheck.readGradients(net);
            double expected = powerPenaltyAt(net, data, before, lambda);
            assertTrue(expected > 1e-4, "the test needs a non-zero penalty, got " + expected);
            assertEquals(expected, result.penalty(), 1e-6 * expected);
            // C-RBP holds the state fixed; C-BPTT differentiates through the trajectory too
            Map<String, double[]> numeric = GradientCheck.finiteDifferences(net, 1e-6,
                    n -> powerPenaltyAt(n, data, rbp ? before : stateBeforeLast(n, data, steps),
                            lambda));
            for (String name : numeric.keySet()) {
                double error = GradientCheck.relativeError(analytic.get(name), numeric.get(name));
                if (name.contains("readout")) {
                    continue;
                }
                assertTrue(error < 1e-3, (rbp ? "C-RBP " : "C-BPTT ") + name
                        + ": relative error " + error);
            }
        }
    }

    @Test
    void powerPenaltyLeavesImagesWithinTheBoundAlone() {
        // lambda between the two images' gains: one image violates, the other must add nothing
        int steps = 6;
        RecurrentNet net = build(steps);
        NDList data = data(8);
        NDArray before = stateBeforeLast(net, data, steps);
        double[] w = pulledBack(net, data, before, true);
        int per = w.length / 2;
        double[] gains = new double[2];
        for (int b = 0; b < 2; b++) {
            for (int j = 0; j < per; j++) {
                gains[b] += w[b * per + j] * w[b * per + j];
            }
            gains[b] = Math.sqrt(gains[b]);
        }
        assertTrue(Math.abs(gains[0] - gains[1]) > 1e-3, "the images need different gains");
        double lambda = (gains[0] + gains[1]) / 2;
        LipschitzPenalty lcp = LipschitzPenalty.builder().optLambda(lambda).optWeight(1f)
                .optProbe(LipschitzPenalty.Probe.POWER).optPowerIterations(1).build();
        GradientCheck.zeroGradients(net);
        StepResult result = Rbp.builder().setSteps(steps).optPenalty(lcp)
                .optPenaltyDifference(Rbp.PenaltyDifference.CENTRAL).build()
                .forwardBackward(net, ps, data, labels(), zeroLoss);
        Map<String, double[]> analytic = GradientCheck.readGradients(net);
        double expected = powerPenaltyAt(net, data, before, lambda);
        assertTrue(expected > 0, "one image violates");
        assertEquals(expected, result.penalty(), 1e-6 * expected);
        Map<String, double[]> numeric = GradientCheck.finiteDifferences(net, 1e-6,
                n -> powerPenaltyAt(n, data, before, lambda));
        for (String name : numeric.keySet()) {
            if (name.contains("readout")) {
                continue;
            }
            double error = GradientCheck.relativeError(analytic.get(name), numeric.get(name));
            assertTrue(error < 1e-3, name + ": relative error " + error);
        }
    }

    @Test
    void morePowerIterationsFindALargerGain() {
        // power iterations climb towards the dominant mode: the gain (and so the penalty at a
        // small lambda) grows with the iterations from the same start
        int steps = 6;
        RecurrentNet net = build(steps);
        NDList data = data(7);
        double previous = 0;
        for (int k : new int[] {1, 4, 16}) {
            LipschitzPenalty lcp = LipschitzPenalty.builder().optLambda(0.0).optWeight(1f)
                    .optProbe(LipschitzPenalty.Probe.POWER).optPowerIterations(k).build();
            StepResult result = Rbp.builder().setSteps(steps).optPenalty(lcp).build()
                    .forwardBackward(net, ps, data, labels(), zeroLoss);
            assertTrue(result.penalty() > previous, k + " iterations: " + result.penalty()
                    + " after " + previous);
            previous = result.penalty();
        }
    }

    @Test
    void crbpWithZeroWeightIsExactlyRbp() {
        int steps = 6;
        RecurrentNet net = build(steps);
        NDList data = data(3);
        NDList labels = new NDList(manager.randomUniform(0, 1, new Shape(2, 2, 5, 5),
                DataType.FLOAT64));
        Loss loss = new SquaredErrorLoss();
        Map<String, double[]> rbp =
                GradientCheck.gradients(net, GradientMethods.rbp(steps, 8), ps, data, labels, loss);
        Map<String, double[]> crbp = GradientCheck.gradients(
                net, GradientMethods.crbp(steps, 8, LAMBDA, 0f), ps, data, labels, loss);
        assertEquals(rbp.keySet(), crbp.keySet());
        for (String name : rbp.keySet()) {
            assertArrayEquals(rbp.get(name), crbp.get(name), 0.0, name);
        }
    }

    @Test
    void oneSidedPenaltyGradientIsCloseToTheCentralOne() {
        int steps = 6;
        RecurrentNet net = build(steps);
        NDList data = data(4);
        NDList labels = new NDList(manager.randomUniform(0, 1, new Shape(2, 2, 5, 5),
                DataType.FLOAT64));
        Loss loss = new SquaredErrorLoss();
        LipschitzPenalty lcp = LipschitzPenalty.builder().optLambda(LAMBDA).optWeight(10f).build();
        Map<String, double[]> central = GradientCheck.gradients(net, Rbp.builder().setSteps(steps)
                .optPenalty(lcp).optPenaltyDifference(Rbp.PenaltyDifference.CENTRAL).build(), ps,
                data, labels, loss);
        Map<String, double[]> oneSided = GradientCheck.gradients(net, Rbp.builder()
                .setSteps(steps).optPenalty(lcp)
                .optPenaltyDifference(Rbp.PenaltyDifference.ONE_SIDED).build(), ps, data,
                labels, loss);
        double error = GradientCheck.maxRelativeError(oneSided, central);
        // first-order truncation at a step of 1e-7 of the state's scale, in float64
        assertTrue(error < 1e-5, "one-sided against central: " + error);
        assertTrue(error > 0, "the two differences cannot agree exactly");
    }
}
