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
        assertEquals(0, result.adjointIterations(), "a zero loss has nothing to propagate");

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
        return gainPenalty(pulledBack(net, data, state, true), lambda);
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

    private static final Shape STATE = new Shape(2, 3, 5, 5);

    /** {@code F(h)} at a state given as doubles, with the parameters detached, as doubles. */
    private double[] stepAt(RecurrentNet net, NDList data, double[] h) {
        try (NDManager scope = manager.newSubManager()) {
            ScopedParameterStore detached = new ScopedParameterStore(ps, scope, true);
            NDArray drive = net.drive(detached, data, false).stopGradient();
            drive.attach(scope);
            NDArray state = scope.create(h, STATE);
            return net.step(detached, drive, new NDList(state), false).head().toDoubleArray();
        }
    }

    /** Each image's block of {@code values} divided by its norm (a zero block stays zero). */
    private static double[] perImageUnit(double[] values) {
        int images = (int) STATE.get(0);
        int per = values.length / images;
        double[] unit = new double[values.length];
        for (int b = 0; b < images; b++) {
            double norm = 0;
            for (int j = 0; j < per; j++) {
                norm += values[b * per + j] * values[b * per + j];
            }
            for (int j = 0; j < per; j++) {
                unit[b * per + j] = norm > 0 ? values[b * per + j] / Math.sqrt(norm) : 0;
            }
        }
        return unit;
    }

    /** The residual probe's direction at {@code h}: {@code (F(h) - h)} per image, normalised. */
    private double[] residualDirection(RecurrentNet net, NDList data, NDArray h) {
        double[] state = h.toDoubleArray();
        double[] next = stepAt(net, data, state);
        double[] motion = new double[state.length];
        for (int j = 0; j < motion.length; j++) {
            motion[j] = next[j] - state[j];
        }
        return perImageUnit(motion);
    }

    /** {@code mean_b relu(||p_b|| - lambda)^2} for per-image products {@code p} (J u or J^T u). */
    private static double gainPenalty(double[] product, double lambda) {
        int images = (int) STATE.get(0);
        int per = product.length / images;
        double sum = 0;
        for (int b = 0; b < images; b++) {
            double norm = 0;
            for (int j = 0; j < per; j++) {
                norm += product[b * per + j] * product[b * per + j];
            }
            double excess = Math.max(Math.sqrt(norm) - lambda, 0);
            sum += excess * excess;
        }
        return sum / images;
    }

    /**
     * The residual probe's penalty at {@code h} with the direction {@code u} held, {@code J u} by a
     * central difference of step 1e-4 in Java doubles (truncation about 1e-8 here).
     */
    private double residualPenaltyAt(RecurrentNet net, NDList data, NDArray h, double[] u,
            double lambda) {
        double[] state = h.toDoubleArray();
        double step = 1e-4;
        double[] plus = new double[state.length];
        double[] minus = new double[state.length];
        for (int j = 0; j < state.length; j++) {
            plus[j] = state[j] + step * u[j];
            minus[j] = state[j] - step * u[j];
        }
        double[] up = stepAt(net, data, plus);
        double[] down = stepAt(net, data, minus);
        double[] product = new double[state.length];
        for (int j = 0; j < state.length; j++) {
            product[j] = (up[j] - down[j]) / (2 * step);
        }
        return gainPenalty(product, lambda);
    }

    /** {@code J u} exactly: row {@code k} of {@code J} is the pull-back of the unit vector e_k. */
    private double[] exactProduct(RecurrentNet net, NDList data, NDArray h, double[] u) {
        double[] product = new double[u.length];
        for (int k = 0; k < u.length; k++) {
            try (NDManager scope = manager.newSubManager()) {
                ScopedParameterStore detached = new ScopedParameterStore(ps, scope, true);
                NDArray drive = net.drive(detached, data, false).stopGradient();
                drive.attach(scope);
                NDArray leaf = h.duplicate();
                leaf.attach(scope);
                leaf.setRequiresGradient(true);
                double[] unit = new double[u.length];
                unit[k] = 1;
                NDArray weights = scope.create(unit, STATE);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray out = net.step(detached, drive, new NDList(leaf), true).head();
                    collector.backward(out.mul(weights).sum());
                }
                double[] row = leaf.getGradient().toDoubleArray();
                for (int j = 0; j < u.length; j++) {
                    product[k] += row[j] * u[j];
                }
            }
        }
        return product;
    }

    @Test
    void residualProbesGradientEqualsFiniteDifferences() {
        int steps = 6;
        double lambda = 0.05;
        LipschitzPenalty lcp = LipschitzPenalty.builder().optLambda(lambda).optWeight(1f)
                .optProbe(LipschitzPenalty.Probe.RESIDUAL).build();
        for (boolean rbp : new boolean[] {true, false}) {
            RecurrentNet net = build(steps);
            NDList data = data(9);
            GradientMethod method = rbp
                    ? Rbp.builder().setSteps(steps).optPenalty(lcp)
                            .optPenaltyDifference(Rbp.PenaltyDifference.CENTRAL).build()
                    : Bptt.builder().setSteps(steps).optPenalty(lcp).build();
            NDArray before = stateBeforeLast(net, data, steps);
            double[] u = residualDirection(net, data, before);
            GradientCheck.zeroGradients(net);
            StepResult result = method.forwardBackward(net, ps, data, labels(), zeroLoss);
            Map<String, double[]> analytic = GradientCheck.readGradients(net);
            double expected = gainPenalty(exactProduct(net, data, before, u), lambda);
            assertTrue(expected > 1e-4, "the test needs a non-zero penalty, got " + expected);
            assertEquals(expected, result.penalty(), 1e-6 * expected);
            // the direction u is held constant in the gradient, as the probe 1 is
            Map<String, double[]> numeric = GradientCheck.finiteDifferences(net, 1e-5,
                    n -> residualPenaltyAt(n, data,
                            rbp ? before : stateBeforeLast(n, data, steps), u, lambda));
            for (String name : numeric.keySet()) {
                if (name.contains("readout")) {
                    continue;
                }
                assertTrue(GradientCheck.norm(numeric.get(name)) > 0, name + " has a zero gradient");
                double error = GradientCheck.relativeError(analytic.get(name), numeric.get(name));
                assertTrue(error < 1e-3, (rbp ? "C-RBP " : "C-BPTT ") + name
                        + ": relative error " + error);
            }
        }
    }

    @Test
    void residualProbeSeesTheFlippingSlowModeThatColumnSumsMiss() {
        // h' = g h + 1 has J = diag(g): with g = -0.95 the iteration flips sign every step and
        // settles at a rate of 0.95, yet every column sum is -0.95, far below lambda
        int side = 4;
        int steps = 12;
        RecurrentNet net = RecurrentNet.builder()
                .setEncoder(new ai.djl.nn.LambdaBlock(x -> new NDList(x.head())))
                .setCell(new ContractionAnalysisTest.GainCell())
                // a new array: the batch frees its state, and the predictions must outlive it
                .setReadout(new ai.djl.nn.LambdaBlock(
                        x -> new NDList(x.head().add(x.head().zerosLike()))))
                .optSteps(steps)
                .build();
        Shape shape = new Shape(2, 1, side, side);
        net.initialize(manager, DataType.FLOAT64, shape);
        double[] gains = new double[(int) shape.size()];
        java.util.Arrays.fill(gains, 0, side * side, 0.5);
        java.util.Arrays.fill(gains, side * side, gains.length, -0.95);
        NDList labels = new NDList(manager.zeros(shape, DataType.FLOAT64));
        double lambda = 0.9;
        double[] penalties = new double[2];
        LipschitzPenalty.Probe[] probes = {
            LipschitzPenalty.Probe.ONES, LipschitzPenalty.Probe.RESIDUAL
        };
        for (int p = 0; p < 2; p++) {
            LipschitzPenalty lcp = LipschitzPenalty.builder().optLambda(lambda).optWeight(1f)
                    .optProbe(probes[p]).optReduction(LipschitzPenalty.Reduction.PER_IMAGE)
                    .build();
            // the identity encoder hands the input on as the drive, which the batch consumes
            NDArray drive = manager.create(gains, shape);
            drive.setRequiresGradient(true);
            penalties[p] = Rbp.builder().setSteps(steps).optPenalty(lcp).build()
                    .forwardBackward(net, ps, new NDList(drive), labels, zeroLoss).penalty();
        }
        assertEquals(0, penalties[0], 0, "the column sums are -0.95 and 0.5");
        // the second image's gain along its residual is 0.95, the first image's 0.5
        assertEquals((0.95 - lambda) * (0.95 - lambda) / 2, penalties[1], 1e-9);
    }
}
