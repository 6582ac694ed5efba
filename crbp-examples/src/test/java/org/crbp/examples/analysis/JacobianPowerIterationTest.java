/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.crbp.core.RecurrentCell;
import org.crbp.core.RecurrentNet;
import org.junit.jupiter.api.Test;

/**
 * The Jacobian analysis of {@code crbp analyze} on a linear cell {@code h' = A h + x}, whose
 * Jacobian is {@code A}: the power iteration (VJPs from DJL's gradient collector, JVPs by central
 * differences) finds A's known largest singular value and column sums.
 */
class JacobianPowerIterationTest {

    /** A = Q1 diag(5, 3, 1, 0.5) Q2 with two Householder reflections. */
    static final double[][] A = a();

    private static double[][] a() {
        double[][] h1 = householder(new double[] {1, 2, -1, 0.5});
        double[][] h2 = householder(new double[] {0.3, -1, 2, 1});
        double[] sv = {5, 3, 1, 0.5};
        double[][] m = new double[4][4];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                for (int k = 0; k < 4; k++) {
                    m[i][j] += h1[i][k] * sv[k] * h2[k][j];
                }
            }
        }
        return m;
    }

    private static double[][] householder(double[] v) {
        double n = 0;
        for (double x : v) {
            n += x * x;
        }
        double[][] h = new double[v.length][v.length];
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < v.length; j++) {
                h[i][j] = (i == j ? 1 : 0) - 2 * v[i] * v[j] / n;
            }
        }
        return h;
    }

    /** {@code h' = h A^T + x} for rows h: the Jacobian of one row's step is A. */
    static final class LinearCell extends RecurrentCell {
        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                PairList<String, Object> params) {
            NDArray x = inputs.get(0);
            NDArray h = inputs.get(1);
            float[] at = new float[16];
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    at[i * 4 + j] = (float) A[j][i];
                }
            }
            NDArray m = h.getManager().create(at, new Shape(4, 4));
            return new NDList(h.matMul(m).add(x));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {inputShapes[1]};
        }
    }

    @Test
    void largestSingularValueOfALinearCell() {
        RecurrentNet net = RecurrentNet.builder()
                .setEncoder(new LambdaBlock(list -> list))
                .setCell(new LinearCell())
                .setReadout(new LambdaBlock(list -> list))
                .optSteps(3)
                .build();
        try (NDManager manager = NDManager.newBaseManager()) {
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 4));
            NDList data = new NDList(manager.create(new float[] {0.1f, -0.2f, 0.3f, 0.05f},
                    new Shape(1, 4)));
            Analysis.JacobianEstimate e = Analysis.jacobian(net, manager, data, 3, 300);
            assertEquals(5.0, e.sigmaMax, 1e-3);
            double maxColumnSum = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < 4; j++) {
                double s = 0;
                for (int i = 0; i < 4; i++) {
                    s += A[i][j];
                }
                maxColumnSum = Math.max(maxColumnSum, s);
            }
            assertEquals(maxColumnSum, e.maxColumnSum, 1e-4);
        }
    }
}
