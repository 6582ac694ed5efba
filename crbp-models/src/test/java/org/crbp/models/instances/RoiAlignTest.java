/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.instances;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

/**
 * ROIAlign against hand-computed values, a naive loop over its definition, and central
 * differences of the features' gradient, in float64.
 */
class RoiAlignTest {

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    /** An 8×8 ramp {@code F[p, q] = q + 10 p}: bilinear interpolation of it is exact. */
    private NDArray ramp() {
        double[] values = new double[64];
        for (int p = 0; p < 8; p++) {
            for (int q = 0; q < 8; q++) {
                values[p * 8 + q] = q + 10 * p;
            }
        }
        return manager.create(values, new Shape(1, 1, 8, 8));
    }

    @Test
    void rampByHand() {
        // box x 2..6, y 1..5 in 2×2 bins of side 2: the bins' centres x = 3, 5 and y = 2, 4
        // read pixel positions 2.5, 4.5 and 1.5, 3.5; the mean of a linear map over a bin
        // is its value at the centre: q + 10 p = 2.5 + 15, 4.5 + 15, 2.5 + 35, 4.5 + 35
        double[] expected = {17.5, 19.5, 37.5, 39.5};
        NDArray boxes = manager.create(new double[] {2, 1, 6, 5}, new Shape(1, 4));
        NDArray index = manager.create(new long[] {0});
        NDArray out = RoiAlign.align(ramp(), boxes, index, 1, 2, 2);
        assertEquals(new Shape(1, 1, 2, 2), out.getShape());
        assertArrayEquals(expected, out.toDoubleArray(), 1e-12);
        // the same box in a twice larger image, at spatial scale 0.5
        NDArray imageBoxes = manager.create(new double[] {4, 2, 12, 10}, new Shape(1, 4));
        RoiAlign half = RoiAlign.builder().setOutputSize(2).optSpatialScale(0.5).build();
        assertArrayEquals(expected, half.apply(ramp(), imageBoxes, index).toDoubleArray(), 1e-12);
    }

    @Test
    void samplesOutsideTheMapReadZero() {
        // a map of ones; box x -1..1, y 0..2, one bin, 2×2 samples. In x the samples sit at
        // -0.5 and 0.5, reading pixel positions -1 (outside: 0) and 0 (pixel 0: 1), mean 0.5;
        // in y at 0.5 and 1.5, reading pixels 0 and 1, mean 1: the output is 0.5
        NDArray ones = manager.ones(new Shape(1, 1, 4, 4), DataType.FLOAT64);
        NDArray boxes = manager.create(new double[] {-1, 0, 1, 2}, new Shape(1, 4));
        NDArray out = RoiAlign.align(ones, boxes, manager.create(new long[] {0}), 1, 1, 2);
        assertEquals(0.5, out.getDouble(0, 0, 0, 0), 1e-12);
        // a box wholly outside reads zero
        NDArray far = manager.create(new double[] {10, 10, 14, 14}, new Shape(1, 4));
        NDArray zero = RoiAlign.align(ones, far, manager.create(new long[] {0}), 1, 2, 2);
        assertEquals(0, zero.abs().max().getDouble(), 0);
    }

    @Test
    void equalsNaiveLoop() {
        Random random = new Random(5);
        int n = 2;
        int c = 3;
        int h = 7;
        int w = 9;
        double[] f = new double[n * c * h * w];
        for (int i = 0; i < f.length; i++) {
            f[i] = random.nextGaussian();
        }
        // boxes in a 14×18 image at scale 0.5, some reaching past the border, one of zero width
        double[] boxes = {0, 0, 18, 14, 3.3, 2.1, 9.7, 12.9, -3, -2, 5, 4, 12.5, 6, 12.5, 20.5,
            1, 1, 2, 2};
        long[] index = {0, 1, 1, 0, 1};
        int r = index.length;
        int size = 3;
        int ratio = 2;
        double scale = 0.5;
        NDArray features = manager.create(f, new Shape(n, c, h, w));
        NDArray out = RoiAlign.align(features, manager.create(boxes, new Shape(r, 4)),
                manager.create(index), scale, size, ratio);
        double[] actual = out.toDoubleArray();
        for (int b = 0; b < r; b++) {
            double x1 = boxes[4 * b] * scale;
            double y1 = boxes[4 * b + 1] * scale;
            double binW = (boxes[4 * b + 2] * scale - x1) / size;
            double binH = (boxes[4 * b + 3] * scale - y1) / size;
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < size; i++) {
                    for (int j = 0; j < size; j++) {
                        double sum = 0;
                        for (int sy = 0; sy < ratio; sy++) {
                            for (int sx = 0; sx < ratio; sx++) {
                                double y = y1 + (i + (sy + 0.5) / ratio) * binH - 0.5;
                                double x = x1 + (j + (sx + 0.5) / ratio) * binW - 0.5;
                                sum += bilinear(f, (int) index[b], ch, c, h, w, y, x);
                            }
                        }
                        double expected = sum / (ratio * ratio);
                        int at = ((b * c + ch) * size + i) * size + j;
                        assertEquals(expected, actual[at], 1e-12,
                                "box " + b + " channel " + ch + " bin " + i + "," + j);
                    }
                }
            }
        }
        // float32 features give float32 output, the same values to float32's precision
        NDArray single = RoiAlign.align(features.toType(DataType.FLOAT32, false),
                manager.create(boxes, new Shape(r, 4)), manager.create(index), scale, size, ratio);
        assertEquals(DataType.FLOAT32, single.getDataType());
        double[] fromSingle = single.toType(DataType.FLOAT64, false).toDoubleArray();
        assertArrayEquals(actual, fromSingle, 1e-5);
    }

    /** Bilinear interpolation at pixel position (y, x), pixels outside the map reading zero. */
    private static double bilinear(double[] f, int image, int channel, int channels, int h,
            int w, double y, double x) {
        int y0 = (int) Math.floor(y);
        int x0 = (int) Math.floor(x);
        double value = 0;
        for (int dy = 0; dy <= 1; dy++) {
            for (int dx = 0; dx <= 1; dx++) {
                int p = y0 + dy;
                int q = x0 + dx;
                if (p < 0 || p >= h || q < 0 || q >= w) {
                    continue;
                }
                double weight = (1 - Math.abs(y - p)) * (1 - Math.abs(x - q));
                value += weight * f[((image * channels + channel) * h + p) * w + q];
            }
        }
        return value;
    }

    @Test
    void featureGradientEqualsCentralDifferences() {
        Random random = new Random(9);
        Shape shape = new Shape(2, 2, 5, 6);
        double[] f = new double[(int) shape.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = random.nextGaussian();
        }
        NDArray boxes = manager.create(new double[] {0.5, 1, 9, 8.5, -2, 3, 6, 11, 4, 0, 11, 7},
                new Shape(3, 4));
        NDArray index = manager.create(new int[] {1, 0, 1});
        Shape outShape = new Shape(3, 2, 2, 2);
        double[] g = new double[(int) outShape.size()];
        for (int i = 0; i < g.length; i++) {
            g[i] = random.nextGaussian();
        }
        NDArray weights = manager.create(g, outShape);
        // the gradient of sum(out * weights) with respect to the features
        NDArray features = manager.create(f, shape);
        features.setRequiresGradient(true);
        double[] analytic;
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            NDArray out = RoiAlign.align(features, boxes, index, 0.5, 2, 2);
            NDArray objective = out.mul(weights).sum();
            // the interpolation matrices and the index must outlive their Java buffers:
            // autograd reads them in the backward pass, after the operation's arrays are closed
            overwriteFreedBuffers();
            collector.backward(objective);
            analytic = features.getGradient().toDoubleArray();
        }
        double epsilon = 1e-6;
        double worst = 0;
        double largest = 0;
        for (int i = 0; i < f.length; i++) {
            double kept = f[i];
            f[i] = kept + epsilon;
            double plus = weightedSum(f, shape, boxes, index, weights);
            f[i] = kept - epsilon;
            double minus = weightedSum(f, shape, boxes, index, weights);
            f[i] = kept;
            double numeric = (plus - minus) / (2 * epsilon);
            worst = Math.max(worst, Math.abs(numeric - analytic[i]));
            largest = Math.max(largest, Math.abs(numeric));
        }
        assertTrue(largest > 0.1, "the boxes should cover features, largest gradient " + largest);
        assertTrue(worst < 1e-8, "largest difference from central differences " + worst);
    }

    /**
     * Collects garbage, so that Java buffers no array holds any more are freed, and fills newly
     * allocated direct memory with a large value, so that an autograd graph still reading freed
     * buffers computes garbage.
     */
    static void overwriteFreedBuffers() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            ByteBuffer[] filler = new ByteBuffer[64];
            for (int i = 0; i < filler.length; i++) {
                filler[i] = ByteBuffer.allocateDirect(64 << i % 8);
                while (filler[i].remaining() >= 8) {
                    filler[i].putDouble(1e300);
                }
            }
        }
    }

    private double weightedSum(double[] f, Shape shape, NDArray boxes, NDArray index,
            NDArray weights) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray out = RoiAlign.align(scope.create(f, shape), boxes, index, 0.5, 2, 2);
            return out.mul(weights).sum().getDouble();
        }
    }

    @Test
    void maskTargetsCropAndThreshold() {
        // a 4×4 mask whose left half is on, cropped in the whole image and in its right half
        double[] mask = new double[16];
        for (int p = 0; p < 4; p++) {
            mask[p * 4] = 1;
            mask[p * 4 + 1] = 1;
        }
        NDArray masks = manager.create(new double[][] {mask, mask}).reshape(2, 4, 4)
                .toType(DataType.UINT8, false);
        NDArray boxes = manager.create(new double[] {0, 0, 4, 4, 2, 0, 4, 4}, new Shape(2, 4));
        NDArray targets = RoiAlign.maskTargets(masks, boxes, 2, 2);
        assertEquals(new Shape(2, 2, 2), targets.getShape());
        assertArrayEquals(new double[] {1, 0, 1, 0, 0, 0, 0, 0}, targets.toDoubleArray(), 0);
    }

    @Test
    void badInputsGetOneLine() {
        NDArray features = manager.zeros(new Shape(2, 1, 4, 4), DataType.FLOAT64);
        NDArray box = manager.create(new double[] {0, 0, 2, 2}, new Shape(1, 4));
        NDArray zeroIndex = manager.create(new long[] {0});
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> RoiAlign.align(
                features.get(new NDIndex("0")), box, zeroIndex, 1, 2, 2)), "(N, C, H, W)");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> RoiAlign.align(
                features, manager.zeros(new Shape(1, 5)), zeroIndex, 1, 2, 2)), "(R, 4)");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> RoiAlign.align(
                features, box, manager.create(new long[] {0, 1}), 1, 2, 2)), "one image per box");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> RoiAlign.align(
                features, box, manager.create(new float[] {0}), 1, 2, 2)), "integer");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> RoiAlign.align(
                features, box, manager.create(new long[] {2}), 1, 2, 2)),
                "box 0 names image 2 of a batch of 2");
        NDArray backwards = manager.create(new double[] {0, 0, 2, 2, 3, 0, 1, 2},
                new Shape(2, 4));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> RoiAlign.align(
                features, backwards, manager.create(new long[] {0, 0}), 1, 2, 2)), "box 1");
        NDArray nan = manager.create(new double[] {0, Double.NaN, 2, 2}, new Shape(1, 4));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> RoiAlign.align(
                features, nan, zeroIndex, 1, 2, 2)), "must be finite");
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> RoiAlign.builder().build()), "output size");
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> RoiAlign.builder().setOutputSize(7).optSamplingRatio(0).build()),
                "sampling ratio");
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> RoiAlign.builder().setOutputSize(7).optSpatialScale(0).build()),
                "spatial scale");
    }

    static void assertOneLine(IllegalArgumentException e, String expected) {
        assertTrue(e.getMessage().contains(expected),
                "the message should name " + expected + ": " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
