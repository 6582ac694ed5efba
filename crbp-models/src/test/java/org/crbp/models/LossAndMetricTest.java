/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.engine.Engine;
import ai.djl.training.GradientCollector;

import org.crbp.models.SegmentationEvaluator.Metric;
import org.junit.jupiter.api.Test;

/** Focal loss, cross entropy and the segmentation metrics against hand-computed values. */
class LossAndMetricTest {

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void focalLossValueAndDetachedFactor() {
        // one image, 2 classes, 1 x 2 pixels; logits (background, foreground)
        double[] logits = {0.0, 2.0, /* class 1: */ 1.0, -1.0};
        long[] labels = {1, 1};
        double p0 = sigmoid(1.0 - 0.0); // p(true class) at pixel 0
        double p1 = sigmoid(-1.0 - 2.0); // at pixel 1 (a hard pixel)
        double expected =
                (-(1 - p0) * (1 - p0) * Math.log(p0) - (1 - p1) * (1 - p1) * Math.log(p1)) / 2;
        double expectedCe = (-Math.log(p0) - Math.log(p1)) / 2;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray z = manager.create(logits, new Shape(1, 2, 1, 2));
            NDArray y = manager.create(labels, new Shape(1, 1, 2));
            z.setRequiresGradient(true);
            double loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = new FocalLoss().evaluate(new NDList(y), new NDList(z));
                loss = l.getDouble();
                gc.backward(l);
            }
            assertEquals(expected, loss, 1e-12);
            // d/dz_fg of -(1-p)^2 log p with (1-p)^2 held constant: -(1-p)^2 (1-p), / 2 pixels
            double[] grad = z.getGradient().toDoubleArray();
            assertEquals(-(1 - p0) * (1 - p0) * (1 - p0) / 2, grad[2], 1e-12);
            assertEquals(-(1 - p1) * (1 - p1) * (1 - p1) / 2, grad[3], 1e-12);
            assertEquals(-grad[2], grad[0], 1e-12);

            double ce =
                    FocalLoss.crossEntropy()
                            .evaluate(new NDList(y.reshape(1, 1, 1, 2)), new NDList(z.stopGradient()))
                            .getDouble();
            assertEquals(expectedCe, ce, 1e-12);
        }
    }

    @Test
    void confusionCountsAndMetrics() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // 1 image 2 x 3; predicted foreground where logit_fg > logit_bg
            float[] fg = {1, 1, -1, -1, 1, -1};
            long[] truth = {1, 0, 1, 0, 1, 0};
            // TP: pixels 0, 4; FP: 1; FN: 2; TN: 3, 5
            NDList labels = new NDList(manager.create(truth, new Shape(1, 2, 3)));
            NDList preds = new NDList(logits(manager, fg));
            assertArrayEquals(new long[] {2, 1, 1, 2}, SegmentationEvaluator.confusion(labels, preds));
            double f1 = 2.0 * 2 / (2 * 2 + 1 + 1);
            assertEquals(f1, SegmentationEvaluator.value(Metric.F1, 2, 1, 1, 2), 1e-12);
            assertEquals(2.0 / 3, SegmentationEvaluator.value(Metric.PRECISION, 2, 1, 1, 2), 1e-12);
            assertEquals(2.0 / 3, SegmentationEvaluator.value(Metric.RECALL, 2, 1, 1, 2), 1e-12);
            assertEquals((2.0 / 3 + 2.0 / 3) / 2,
                    SegmentationEvaluator.value(Metric.BALANCED_ACCURACY, 2, 1, 1, 2), 1e-12);
            assertEquals(f1 / (2 - f1), SegmentationEvaluator.value(Metric.REPORTED_IOU, 2, 1, 1, 2), 1e-12);
            assertEquals(0.5, SegmentationEvaluator.value(Metric.IOU, 2, 1, 1, 2), 1e-12);
            assertEquals((float) f1, SegmentationEvaluator.f1().evaluate(labels, preds).getFloat(), 1e-6);
        }
    }

    @Test
    void emptyForegroundDoesNotDivideByZero() {
        // nothing to find, nothing predicted: perfect
        for (Metric m : Metric.values()) {
            assertEquals(1.0, SegmentationEvaluator.value(m, 0, 0, 0, 6), 0.0, m.name());
        }
        // nothing to find, something predicted: F1 = IoU = precision = 0, recall 1
        assertEquals(0.0, SegmentationEvaluator.value(Metric.F1, 0, 2, 0, 4), 0.0);
        assertEquals(0.0, SegmentationEvaluator.value(Metric.IOU, 0, 2, 0, 4), 0.0);
        assertEquals(0.0, SegmentationEvaluator.value(Metric.PRECISION, 0, 2, 0, 4), 0.0);
        assertEquals(1.0, SegmentationEvaluator.value(Metric.RECALL, 0, 2, 0, 4), 0.0);
        assertEquals((1.0 + 4.0 / 6) / 2,
                SegmentationEvaluator.value(Metric.BALANCED_ACCURACY, 0, 2, 0, 4), 1e-12);
        // foreground present, nothing predicted: precision 0 (not NaN)
        assertEquals(0.0, SegmentationEvaluator.value(Metric.PRECISION, 0, 0, 3, 3), 0.0);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList labels = new NDList(manager.zeros(new Shape(1, 2, 3)));
            NDList preds = new NDList(logits(manager, new float[] {-1, -1, -1, -1, -1, -1}));
            SegmentationEvaluator f1 = SegmentationEvaluator.f1();
            f1.addAccumulator("v");
            f1.updateAccumulator("v", labels, preds);
            assertEquals(1.0f, f1.getAccumulator("v"), 0f);
        }
    }

    @Test
    void accumulatesOverTheDatasetNotPerBatch() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SegmentationEvaluator f1 = SegmentationEvaluator.f1();
            SegmentationEvaluator iou = SegmentationEvaluator.iou();
            f1.addAccumulator("v");
            iou.addAccumulator("v");
            // batch 1: TP 1, FN 0, FP 0 (F1 1); batch 2: TP 1, FP 3 (F1 1/3)
            NDList l1 = new NDList(manager.create(new long[] {1, 0, 0, 0, 0, 0}, new Shape(1, 2, 3)));
            NDList p1 = new NDList(logits(manager, new float[] {1, -1, -1, -1, -1, -1}));
            NDList l2 = new NDList(manager.create(new long[] {1, 0, 0, 0, 0, 0}, new Shape(1, 2, 3)));
            NDList p2 = new NDList(logits(manager, new float[] {1, 1, 1, 1, -1, -1}));
            for (SegmentationEvaluator e : new SegmentationEvaluator[] {f1, iou}) {
                e.updateAccumulator("v", l1, p1);
                e.updateAccumulator("v", l2, p2);
            }
            // dataset: TP 2, FP 3, FN 0 -> F1 = 4/7 (per-batch mean would be 2/3)
            assertEquals(4.0 / 7, f1.getAccumulator("v"), 1e-6);
            assertEquals(2.0 / 5, iou.getAccumulator("v"), 1e-6);
            f1.resetAccumulator("v");
            assertEquals(Float.NaN, f1.getAccumulator("v"));
        }
    }

    /** Two-class logits (N=1, 2, 2, 3) with background 0 and the given foreground logits. */
    private static NDArray logits(NDManager manager, float[] fg) {
        float[] z = new float[12];
        System.arraycopy(fg, 0, z, 6, 6);
        return manager.create(z, new Shape(1, 2, 2, 3));
    }
}
