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
import ai.djl.nn.LambdaBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/**
 * The contraction measurement against closed forms, in float64: a cell {@code h' = g * h + 1}
 * whose gains {@code g} are the image itself has the Jacobian {@code diag(g)}, so its spectral
 * radius is {@code max |g|}, its largest column sum {@code max g}, and its trajectory from 0 is
 * {@code h_t = (1 - g^t) / (1 - g)} element by element.
 */
class ContractionAnalysisTest {

    private static final int STEPS = 10;
    private static final int SIDE = 4;

    private NDManager manager;

    /** {@code h' = g * h + 1} with the gains {@code g} as the drive. */
    static final class GainCell extends RecurrentCell {
        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray gain = inputs.get(0);
            NDArray h = inputs.get(1);
            return new NDList(gain.mul(h).add(h.onesLike()));
        }
    }

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private RecurrentNet net() {
        RecurrentNet net = RecurrentNet.builder()
                .setEncoder(new LambdaBlock(x -> new NDList(x.head())))
                .setCell(new GainCell())
                .setReadout(new LambdaBlock(x -> new NDList(x.head())))
                .optSteps(STEPS)
                .build();
        net.initialize(manager, DataType.FLOAT64, new Shape(3, 1, SIDE, SIDE));
        return net;
    }

    /** Three images: every gain 0.5; one gain 0.9; one gain 1.1 (expanding). */
    private static double[][] gains() {
        int n = SIDE * SIDE;
        double[][] g = new double[3][n];
        for (double[] image : g) {
            java.util.Arrays.fill(image, 0.5);
        }
        g[1][5] = 0.9;
        g[2][10] = 1.1;
        g[2][3] = -0.7;
        return g;
    }

    private static double[] state(double[] g, int t) {
        double[] h = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            h[i] = (1 - Math.pow(g[i], t)) / (1 - g[i]);
        }
        return h;
    }

    private static double distance(double[] a, double[] b) {
        double d = 0;
        double r = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
            r += a[i] * a[i];
        }
        return Math.sqrt(d / r);
    }

    @Test
    void matchesTheClosedFormsPerImage() {
        RecurrentNet net = net();
        double[][] g = gains();
        double[] flat = new double[3 * SIDE * SIDE];
        for (int b = 0; b < 3; b++) {
            System.arraycopy(g[b], 0, flat, b * SIDE * SIDE, SIDE * SIDE);
        }
        NDList inputs = new NDList(manager.create(flat, new Shape(3, 1, SIDE, SIDE)));
        double tol = 1e-2;
        ContractionAnalysis analysis = ContractionAnalysis.builder().optTolerance(tol)
                .optPowerIterations(40).build();
        List<ContractionAnalysis.Image> images =
                analysis.measure(net, new ParameterStore(manager, false), inputs);

        assertEquals(3, images.size());
        int horizon = 4 * STEPS;
        double[] expectedRadius = {0.5, 0.9, 1.1};
        double[] expectedColumnSum = {0.5, 0.9, 1.1};
        for (int b = 0; b < 3; b++) {
            ContractionAnalysis.Image image = images.get(b);
            int converged = -1;
            for (int t = 1; t <= horizon && converged < 0; t++) {
                if (distance(state(g[b], t), state(g[b], t - 1)) <= tol) {
                    converged = t;
                }
            }
            String name = "image " + b;
            assertEquals(distance(state(g[b], STEPS), state(g[b], STEPS - 1)),
                    image.residualAtSteps(), 1e-10, name);
            assertEquals(converged > 0, image.converged(), name);
            assertEquals(converged > 0 ? converged : horizon, image.solveSteps(), name);
            int end = converged > 0 ? converged : horizon;
            assertEquals(distance(state(g[b], end), state(g[b], end - 1)), image.residualAtEnd(),
                    1e-10, name);
            // ||h_H - h_N|| / ||h_N||: the distance helper divides by its first argument's norm
            double[] hn = state(g[b], STEPS);
            double[] hh = state(g[b], horizon);
            double d = 0;
            double r = 0;
            for (int i = 0; i < hn.length; i++) {
                d += (hh[i] - hn[i]) * (hh[i] - hn[i]);
                r += hn[i] * hn[i];
            }
            assertEquals(Math.sqrt(d / r), image.drift(), 1e-10, name);
            assertEquals(expectedRadius[b], image.spectralRadius(), 2e-3 * expectedRadius[b],
                    name);
            assertEquals(expectedColumnSum[b], image.maxColumnSum(), 1e-12, name);
        }
        assertTrue(images.get(0).contracts());
        assertTrue(images.get(1).converged(), "0.9 converges to 1e-2 within 40 steps");
        assertTrue(images.get(1).contracts());
        assertFalse(images.get(2).converged());
        assertFalse(images.get(2).contracts());

        ContractionAnalysis.Summary summary = new ContractionAnalysis.Summary(analysis)
                .add(images);
        Map<String, Object> m = summary.toMap(STEPS);
        assertEquals(3, m.get("images"));
        assertEquals(2.0 / 3, (double) m.get("convergedFraction"), 1e-12);
        assertEquals(2.0 / 3, (double) m.get("contractingFraction"), 1e-12);
        assertEquals(0.9, (double) m.get("spectralRadiusMedian"), 2e-3);
        assertEquals(1.1, (double) m.get("spectralRadiusP95"), 3e-3);
        assertEquals(horizon, m.get("horizonSteps"));
        assertTrue(summary.toString().contains("66.7% contract"), summary.toString());
    }

    @Test
    void leavesNoArrayBehind() {
        RecurrentNet net = net();
        try (NDManager batch = manager.newSubManager()) {
            NDList inputs = new NDList(batch.full(new Shape(3, 1, SIDE, SIDE), 0.5f,
                    DataType.FLOAT64));
            int before = batch.getManagedArrays().size();
            ContractionAnalysis.builder().build()
                    .measure(net, new ParameterStore(manager, false), inputs);
            assertEquals(before, batch.getManagedArrays().size(),
                    "the measurement must free what it creates");
        }
    }

    @Test
    void anExplodingAdjointSolveIsReportedNotHidden() {
        // J = 1.5 I: the adjoint iteration g <- v + J^T g grows by 1.5 per product, and a
        // fixed-point solve with a budget of 60 returns a cotangent some 1e10 times v
        // a 1x1 convolution with weight 1 as the encoder: the drive is the image, with a graph
        ai.djl.nn.Block encoder = ai.djl.nn.convolutional.Conv2d.builder()
                .setKernelShape(new Shape(1, 1)).setFilters(1).optBias(false).build();
        encoder.setInitializer(new ai.djl.training.initializer.ConstantInitializer(1f),
                ai.djl.nn.Parameter.Type.WEIGHT);
        RecurrentNet net = RecurrentNet.builder()
                .setEncoder(encoder)
                .setCell(new GainCell())
                // a new array, not the state itself (RBP frees the state it read out)
                .setReadout(new LambdaBlock(x -> new NDList(x.head().add(x.head().zerosLike()))))
                .optSteps(3)
                .build();
        Shape shape = new Shape(2, 1, SIDE, SIDE);
        net.initialize(manager, DataType.FLOAT64, shape);
        NDList data = new NDList(manager.full(shape, 1.5f, DataType.FLOAT64));
        NDList labels = new NDList(manager.zeros(shape, DataType.FLOAT64));
        ParameterStore ps = new ParameterStore(manager, false);
        StepResult expanding = Rbp.builder().setSteps(3)
                .optAdjointSolver(GradientMethods.fixedPointAdjoint(60, 1e-8)).build()
                .forwardBackward(net, ps, data, labels, new SquaredErrorLoss());
        assertEquals(org.crbp.core.solver.AdjointResult.Stop.EXPLODED, expanding.adjointStop(),
                expanding.toString());
        assertTrue(expanding.adjointCutShort());
        assertTrue(expanding.diverged(), "an exploded solve is a diverged one");
        assertFalse(expanding.adjointConverged());

        // the same cell at gain 0.5 converges: nothing is cut
        NDList contracting = new NDList(manager.full(shape, 0.5f, DataType.FLOAT64));
        StepResult fine = Rbp.builder().setSteps(3)
                .optAdjointSolver(GradientMethods.fixedPointAdjoint(60, 1e-8)).build()
                .forwardBackward(net, ps, contracting, labels, new SquaredErrorLoss());
        assertEquals(org.crbp.core.solver.AdjointResult.Stop.CONVERGED, fine.adjointStop(),
                fine.toString());
        assertFalse(fine.adjointCutShort());
    }

    @Test
    void refusesBadSettings() {
        assertThrows(IllegalArgumentException.class,
                () -> ContractionAnalysis.builder().optTolerance(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> ContractionAnalysis.builder().optHorizon(1).build());
        assertThrows(IllegalArgumentException.class,
                () -> ContractionAnalysis.builder().optPowerIterations(1).build());
    }
}
