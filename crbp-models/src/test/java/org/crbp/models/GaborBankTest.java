/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

/** Properties of the input layer's filter bank. */
class GaborBankTest {

    private static final int K = GaborBank.KERNEL;
    private static final int SIZE = K * K;

    private static double[] filter(double[] bank, int i) {
        return Arrays.copyOfRange(bank, i * SIZE, (i + 1) * SIZE);
    }

    @Test
    void gaborsHaveZeroMeanAndUnitNorm() {
        double[] bank = GaborBank.bank(25);
        assertEquals(25 * SIZE, bank.length);
        for (int i = 0; i < 24; i++) {
            double[] f = filter(bank, i);
            double sum = 0;
            double sq = 0;
            for (double v : f) {
                sum += v;
                sq += v * v;
            }
            assertEquals(0.0, sum / SIZE, 1e-12, "mean of filter " + i);
            assertEquals(1.0, Math.sqrt(sq), 1e-12, "norm of filter " + i);
        }
    }

    @Test
    void twelveDistinctOrientationsInTwoPhases() {
        double[] bank = GaborBank.bank(25);
        for (int phase = 0; phase < 2; phase++) {
            for (int a = 0; a < 12; a++) {
                for (int b = a + 1; b < 12; b++) {
                    double dist = distance(filter(bank, phase * 12 + a), filter(bank, phase * 12 + b));
                    assertTrue(dist > 0.1, "filters " + a + " and " + b + " of phase " + phase
                            + " should differ, distance " + dist);
                }
                // 15-degree steps: the filter 6 steps on (90 degrees) is this one rotated by 90
                if (a < 6) {
                    double[] rotated = rotate90(filter(bank, phase * 12 + a));
                    double[] next = filter(bank, phase * 12 + a + 6);
                    double d = Math.min(distance(rotated, next), distance(rotate90(rotate90(rotated)), next));
                    assertTrue(d < 1e-9, "filter " + (a + 6) + " should be filter " + a
                            + " turned by 90 degrees, distance " + d);
                }
            }
            // the two phases differ (even and odd)
            assertTrue(distance(filter(bank, a0(phase)), filter(bank, a0(1 - phase))) > 0.1);
        }
    }

    private static int a0(int phase) {
        return phase * 12;
    }

    @Test
    void centreColumnOfFilter0IsTheReferences() {
        // measured from the reference's gabor_serre.npy, top to bottom
        double[] expected = {0.109, -0.192, -0.052, 0.296, -0.052, -0.192, 0.109};
        double[] f0 = filter(GaborBank.bank(25), 0);
        for (int y = 0; y < K; y++) {
            assertEquals(expected[y], f0[y * K + 3], 6e-4, "row " + y);
        }
    }

    @Test
    void supportIsTheDiskOfRadiusThreeAndConstantOutside() {
        double[] bank = GaborBank.bank(25);
        for (int i = 0; i < 24; i++) {
            double[] f = filter(bank, i);
            double outside = f[0];
            int inside = 0;
            for (int y = -3; y <= 3; y++) {
                for (int x = -3; x <= 3; x++) {
                    double v = f[(y + 3) * K + x + 3];
                    if (x * x + y * y <= 9) {
                        inside++;
                    } else {
                        assertEquals(outside, v, 1e-15, "filter " + i + " outside the disk");
                    }
                }
            }
            assertEquals(29, inside);
        }
        // the odd filters are antisymmetric, so their constant outside is 0
        assertEquals(0.0, filter(bank, 12)[0], 1e-15);
    }

    @Test
    void evenThenOddPhaseWithHorizontalStripesFirst() {
        double[] bank = GaborBank.bank(25);
        for (int o = 0; o < 12; o++) {
            double[] even = filter(bank, o);
            double[] odd = filter(bank, 12 + o);
            for (int i = 0; i < SIZE; i++) {
                // point reflection through the centre: even filters symmetric, odd antisymmetric
                assertEquals(even[i], even[SIZE - 1 - i], 1e-12, "even filter " + o);
                assertEquals(-odd[i], odd[SIZE - 1 - i], 1e-12, "odd filter " + (12 + o));
            }
        }
        // filter 0: stripes vary along y, hardly along x (horizontal stripes); filter 6: vertical
        double[] f0 = filter(bank, 0);
        double[] f6 = filter(bank, 6);
        assertTrue(Math.abs(f0[3 * K + 3] - f0[2 * K + 3]) > 0.3, "varies along y");
        assertTrue(Math.abs(f0[3 * K + 3] - f0[3 * K + 2]) < 0.005, "flat along x");
        for (int y = 0; y < K; y++) {
            for (int x = 0; x < K; x++) {
                assertEquals(f0[y * K + x], f6[x * K + y], 1e-12, "filter 6 = filter 0 turned");
            }
        }
        // the odd filter 12 has the same orientation: it varies along y, is 0 on the middle row
        double[] f12 = filter(bank, 12);
        for (int x = 0; x < K; x++) {
            assertEquals(0.0, f12[3 * K + x], 1e-12);
        }
        assertTrue(Math.abs(f12[2 * K + 3]) > 0.2);
    }

    @Test
    void orientationsStepBy15Degrees() {
        double[] bank = GaborBank.bank(25);
        for (int o = 0; o < 12; o++) {
            double[] expected = GaborBank.gabor(Math.toRadians(15 * o), 0);
            double[] odd = GaborBank.gabor(Math.toRadians(15 * o), Math.PI / 2);
            double[] f = filter(bank, o);
            double[] g = filter(bank, 12 + o);
            for (int i = 0; i < SIZE; i++) {
                assertEquals(expected[i], f[i], 1e-12);
                assertEquals(odd[i], g[i], 1e-12);
            }
        }
        // neighbouring orientations are more alike than ones 90 degrees apart
        double near = cosine(filter(bank, 0), filter(bank, 1));
        double far = cosine(filter(bank, 0), filter(bank, 6));
        assertTrue(near > 0.5 && near > far + 0.3, "near " + near + ", far " + far);
    }

    private static double cosine(double[] a, double[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }

    @Test
    void diskSumsTo49OverTwentyNinePixels() {
        double[] disk = filter(GaborBank.bank(25), 24);
        double sum = 0;
        int nonZero = 0;
        for (int y = 0; y < K; y++) {
            for (int x = 0; x < K; x++) {
                double v = disk[y * K + x];
                sum += v;
                int dy = y - 3;
                int dx = x - 3;
                if (dx * dx + dy * dy <= 9) {
                    nonZero++;
                    assertEquals(49.0 / 29.0, v, 1e-12);
                } else {
                    assertEquals(0.0, v, 0.0);
                }
            }
        }
        assertEquals(29, nonZero);
        assertEquals(49.0, sum, 1e-12);
    }

    @Test
    void initializerFillsTheInputLayer() {
        try (NDManager manager = NDManager.newBaseManager()) {
            GaborInputLayer layer = new GaborInputLayer(25);
            layer.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 9, 9));
            NDArray w = layer.getConv().getWeight().getArray();
            assertEquals(new Shape(25, 1, 7, 7), w.getShape());
            float[] values = w.toFloatArray();
            double[] bank = GaborBank.bank(25);
            for (int i = 0; i < bank.length; i++) {
                assertEquals(bank[i], values[i], 1e-6);
            }
            // bias: PyTorch's default U(-1/7, 1/7)
            for (float b : layer.getConv().getBias().getArray().toFloatArray()) {
                assertTrue(Math.abs(b) <= 1 / 7.0 + 1e-6, "bias " + b);
            }
        }
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    private static double[] rotate90(double[] f) {
        double[] r = new double[f.length];
        for (int y = 0; y < K; y++) {
            for (int x = 0; x < K; x++) {
                r[x * K + (K - 1 - y)] = f[y * K + x];
            }
        }
        return r;
    }
}
