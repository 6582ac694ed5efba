/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.evaluator.Evaluator;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Foreground segmentation metrics, accumulated over a whole dataset: the confusion counts
 * (TP, FP, FN, TN over every pixel of every batch) are summed, and the metric is computed from
 * the sums, not averaged per batch.
 *
 * <p>Predictions are logits {@code (N, K, H, W)}; the predicted class is the argmax over {@code
 * K} (for {@code K = 1}, foreground where the logit is positive). Labels are class indices {@code
 * (N, H, W)} or {@code (N, 1, H, W)}; class 1 is the foreground.
 *
 * <p>Zero denominators never divide: a ratio whose denominator is 0 is 1 when that situation
 * contains no error (for example no foreground in the labels and none predicted: F1 = IoU = 1) and
 * 0 otherwise (precision with nothing predicted but foreground missed).
 */
public final class SegmentationEvaluator extends Evaluator {

    /** The metric an evaluator reports. */
    public enum Metric {
        /** Foreground F1 = 2TP / (2TP + FP + FN). */
        F1,
        /** Precision TP / (TP + FP). */
        PRECISION,
        /** Recall TP / (TP + FN). */
        RECALL,
        /** Balanced accuracy (TP / (TP + FN) + TN / (TN + FP)) / 2. */
        BALANCED_ACCURACY,
        /** The IoU as the reference reports it, {@code F1 / (2 - F1)}. */
        REPORTED_IOU,
        /** The true intersection over union of the foreground, TP / (TP + FP + FN). */
        IOU
    }

    private final Metric metric;
    private final Map<String, long[]> counts = new ConcurrentHashMap<>();

    /**
     * Creates an evaluator of one metric.
     *
     * @param name the name in logs and metrics
     * @param metric the metric
     */
    public SegmentationEvaluator(String name, Metric metric) {
        super(name);
        if (metric == null) {
            throw new IllegalArgumentException("metric must not be null");
        }
        this.metric = metric;
    }

    /**
     * Foreground F1, named "F1".
     *
     * @return the evaluator
     */
    public static SegmentationEvaluator f1() {
        return new SegmentationEvaluator("F1", Metric.F1);
    }

    /**
     * Foreground precision, named "Precision".
     *
     * @return the evaluator
     */
    public static SegmentationEvaluator precision() {
        return new SegmentationEvaluator("Precision", Metric.PRECISION);
    }

    /**
     * Foreground recall, named "Recall".
     *
     * @return the evaluator
     */
    public static SegmentationEvaluator recall() {
        return new SegmentationEvaluator("Recall", Metric.RECALL);
    }

    /**
     * Balanced accuracy, named "BalancedAccuracy".
     *
     * @return the evaluator
     */
    public static SegmentationEvaluator balancedAccuracy() {
        return new SegmentationEvaluator("BalancedAccuracy", Metric.BALANCED_ACCURACY);
    }

    /**
     * The IoU as the reference reports it, {@code F1 / (2 - F1)}, named "ReportedIoU".
     *
     * @return the evaluator
     */
    public static SegmentationEvaluator reportedIou() {
        return new SegmentationEvaluator("ReportedIoU", Metric.REPORTED_IOU);
    }

    /**
     * The true foreground IoU, named "IoU".
     *
     * @return the evaluator
     */
    public static SegmentationEvaluator iou() {
        return new SegmentationEvaluator("IoU", Metric.IOU);
    }

    /**
     * Returns the metric.
     *
     * @return the metric
     */
    public Metric getMetric() {
        return metric;
    }

    /**
     * Counts TP, FP, FN and TN of the foreground over all pixels of a batch (one host transfer).
     *
     * @param labels the labels
     * @param predictions the logits
     * @return {@code {tp, fp, fn, tn}}
     */
    public static long[] confusion(NDList labels, NDList predictions) {
        NDArray logits = predictions.head();
        NDArray label = labels.head();
        try (NDManager scope = logits.getManager().newSubManager()) {
            logits.tempAttach(scope);
            label.tempAttach(scope);
            NDArray predicted =
                    logits.getShape().get(1) == 1
                            ? logits.squeeze(1).gt(0)
                            : logits.argMax(1).eq(1);
            NDArray l = label.getShape().dimension() == 4 ? label.squeeze(1) : label;
            NDArray truth = l.toType(DataType.INT64, false).eq(1);
            NDArray p = predicted.toType(DataType.INT64, false);
            NDArray t = truth.toType(DataType.INT64, false);
            long[] sums =
                    ai.djl.ndarray.NDArrays.stack(new NDList(p.mul(t).sum(), p.sum(), t.sum())).toLongArray();
            long total = p.size();
            long tp = sums[0];
            long fp = sums[1] - tp;
            long fn = sums[2] - tp;
            long tn = total - tp - fp - fn;
            return new long[] {tp, fp, fn, tn};
        }
    }

    /**
     * Computes a metric from confusion counts.
     *
     * @param metric the metric
     * @param tp true positives
     * @param fp false positives
     * @param fn false negatives
     * @param tn true negatives
     * @return the metric's value in [0, 1]
     */
    public static double value(Metric metric, long tp, long fp, long fn, long tn) {
        switch (metric) {
            case F1:
                return ratio(2.0 * tp, 2.0 * tp + fp + fn, fp + fn == 0);
            case PRECISION:
                return ratio(tp, tp + fp, fn == 0);
            case RECALL:
                return ratio(tp, tp + fn, true);
            case BALANCED_ACCURACY:
                return (ratio(tp, tp + fn, true) + ratio(tn, tn + fp, true)) / 2;
            case REPORTED_IOU:
                double f1 = value(Metric.F1, tp, fp, fn, tn);
                return f1 / (2 - f1);
            case IOU:
                return ratio(tp, tp + fp + fn, true);
            default:
                throw new IllegalArgumentException("Unknown metric " + metric);
        }
    }

    private static double ratio(double num, double den, boolean noError) {
        if (den == 0) {
            return noError ? 1.0 : 0.0;
        }
        return num / den;
    }

    /** {@inheritDoc} */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        long[] c = confusion(labels, predictions);
        double v = value(metric, c[0], c[1], c[2], c[3]);
        return predictions.head().getManager().create((float) v);
    }

    /** {@inheritDoc} */
    @Override
    public void addAccumulator(String key) {
        counts.put(key, new long[4]);
        totalInstances.put(key, 0L);
    }

    /** {@inheritDoc} */
    @Override
    public void updateAccumulator(String key, NDList labels, NDList predictions) {
        updateAccumulators(new String[] {key}, labels, predictions);
    }

    /** {@inheritDoc} */
    @Override
    public void updateAccumulators(String[] keys, NDList labels, NDList predictions) {
        long[] c = confusion(labels, predictions);
        for (String key : keys) {
            counts.compute(
                    key,
                    (k, v) -> {
                        long[] acc = v == null ? new long[4] : v;
                        for (int i = 0; i < 4; i++) {
                            acc[i] += c[i];
                        }
                        return acc;
                    });
            totalInstances.compute(key, (k, v) -> (v == null ? 0L : v) + c[0] + c[1] + c[2] + c[3]);
        }
    }

    /** {@inheritDoc} */
    @Override
    public void resetAccumulator(String key) {
        counts.put(key, new long[4]);
        totalInstances.put(key, 0L);
    }

    /**
     * {@inheritDoc}
     *
     * <p>NaN when nothing has been accumulated under {@code key}.
     */
    @Override
    public float getAccumulator(String key) {
        long[] c = counts.get(key);
        if (c == null || c[0] + c[1] + c[2] + c[3] == 0) {
            return Float.NaN;
        }
        return (float) value(metric, c[0], c[1], c[2], c[3]);
    }

    /**
     * Returns a copy of the confusion counts accumulated under {@code key}.
     *
     * @param key the accumulator's key
     * @return {@code {tp, fp, fn, tn}}, zeros when unknown
     */
    public long[] getCounts(String key) {
        long[] c = counts.get(key);
        return c == null ? new long[4] : c.clone();
    }
}
