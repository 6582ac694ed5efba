/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.UnaryOperator;

/** The KS test, the PCA projection and the power iterations against known answers. */
class StatsTest {

    @Test
    void ksStatisticOfKnownSamples() {
        double[] a = {1, 3, 5, 7};
        double[] b = {2, 4, 6, 8};
        assertEquals(0.25, Stats.kolmogorovSmirnov(a, b).statistic, 1e-12);
        Stats.KsResult same = Stats.kolmogorovSmirnov(a, a.clone());
        assertEquals(0.0, same.statistic, 0);
        assertEquals(1.0, same.pValue, 1e-12);
        double[] low = new double[50];
        double[] high = new double[50];
        for (int i = 0; i < 50; i++) {
            low[i] = i;
            high[i] = 100 + i;
        }
        Stats.KsResult apart = Stats.kolmogorovSmirnov(low, high);
        assertEquals(1.0, apart.statistic, 0);
        assertTrue(apart.pValue < 1e-10, "p " + apart.pValue);
        // {0.1..0.5} against {0.35..0.75}: the largest gap of the two ECDFs is 3/5 at 0.3
        double[] c = {0.1, 0.2, 0.3, 0.4, 0.5};
        double[] d = {0.35, 0.45, 0.55, 0.65, 0.75};
        assertEquals(0.6, Stats.kolmogorovSmirnov(c, d).statistic, 1e-12);
        // Kolmogorov tail: Q(1) = 0.26999967...
        assertEquals(0.2699996716773546, Stats.kolmogorovQ(1.0), 1e-12);
    }

    @Test
    void pcaRecoversKnownComponents() {
        double s = Math.sqrt(0.5);
        double[] u = {s, s, 0};
        double[] w = {0, 0, 1};
        double[] t = {-2, -1, 0, 1, 2};
        double[] r = {1, -1, 0, -1, 1};
        double[][] rows = new double[5][3];
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 3; j++) {
                rows[i][j] = 10 + t[i] * u[j] + r[i] * w[j];
            }
        }
        Stats.Pca pca = Stats.pca(rows, 2);
        assertEquals(10.0 / 14, pca.explained[0], 1e-12);
        assertEquals(4.0 / 14, pca.explained[1], 1e-12);
        double sign1 = Math.signum(pca.projection[4][0]);
        double sign2 = Math.signum(pca.projection[0][1]);
        for (int i = 0; i < 5; i++) {
            assertEquals(t[i], sign1 * pca.projection[i][0], 1e-9);
            assertEquals(r[i], sign2 * pca.projection[i][1], 1e-9);
        }
    }

    /** A = Q1 diag(5, 3, 1, 0.5) Q2 with Householder reflections Q1, Q2. */
    private static double[][] knownMatrix() {
        double[] sv = {5, 3, 1, 0.5};
        double[][] a = new double[4][4];
        for (int i = 0; i < 4; i++) {
            a[i][i] = sv[i];
        }
        return multiply(householder(new double[] {1, 2, -1, 0.5}),
                multiply(a, householder(new double[] {0.3, -1, 2, 1})));
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

    private static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    c[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return c;
    }

    private static UnaryOperator<double[]> times(double[][] a, boolean transpose) {
        return v -> {
            double[] out = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                for (int j = 0; j < v.length; j++) {
                    out[i] += (transpose ? a[j][i] : a[i][j]) * v[j];
                }
            }
            return out;
        };
    }

    @Test
    void powerIterationFindsTheLargestSingularValue() {
        double[][] a = knownMatrix();
        double[] start = new Random(3).doubles(4).toArray();
        Stats.PowerResult r = Stats.largestSingularValue(times(a, false), times(a, true), start,
                500, 1e-13);
        assertEquals(5.0, r.value, 1e-9);
    }

    @Test
    void powerIterationOnTheTransposeFindsTheSpectralRadius() {
        // symmetric A = Q diag(-0.2, 0.9, 0.5, 0.1) Q^T: spectral radius 0.9
        double[][] q = householder(new double[] {1, -2, 0.5, 1});
        double[][] d = new double[4][4];
        double[] ev = {-0.2, 0.9, 0.5, 0.1};
        for (int i = 0; i < 4; i++) {
            d[i][i] = ev[i];
        }
        double[][] a = multiply(q, multiply(d, q));
        Stats.PowerResult r = Stats.spectralRadius(times(a, true), new double[] {1, 1, 1, 1},
                2000, 1e-14);
        assertEquals(0.9, r.value, 1e-9);
    }

    @Test
    void median() {
        assertEquals(2.0, Stats.median(new double[] {3, 1, 2}), 0);
        assertEquals(2.5, Stats.median(new double[] {4, 1, 3, 2}), 0);
    }
}
