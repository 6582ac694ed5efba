/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.analysis;

import org.crbp.models.SegmentationEvaluator;
import org.crbp.models.SegmentationEvaluator.Metric;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Foreground confusion counts summed over a dataset, and the metrics computed from them. */
public final class Scores {

    private long tp;
    private long fp;
    private long fn;
    private long tn;
    private double lossSum;
    private long lossImages;
    private long images;
    private boolean stoppedEarly;

    /** Creates empty counts. */
    public Scores() {}

    /**
     * Adds a batch's counts.
     *
     * @param counts {@code {tp, fp, fn, tn}}
     */
    public void add(long[] counts) {
        addCounts(counts);
    }

    /**
     * Counts a batch's images.
     *
     * @param batchImages the number of images in the batch
     */
    public void addImages(long batchImages) {
        images += batchImages;
    }

    /**
     * Returns the number of images counted.
     *
     * @return the images evaluated
     */
    public long images() {
        return images;
    }

    /** Marks the scores as covering only the images evaluated before a deadline. */
    public void markStoppedEarly() {
        stoppedEarly = true;
    }

    /**
     * Returns whether a deadline stopped the evaluation before the end of its set.
     *
     * @return whether the scores cover only part of the set
     */
    public boolean stoppedEarly() {
        return stoppedEarly;
    }

    /**
     * Adds a batch's mean loss.
     *
     * @param meanLoss the batch's mean loss
     * @param images the number of images in the batch
     */
    public void addLoss(double meanLoss, long images) {
        lossSum += meanLoss * images;
        lossImages += images;
    }

    /** Sets the summed loss of an evaluation pass (the images weighting each batch's mean). */
    void setLoss(double sum, long images) {
        lossSum = sum;
        lossImages = images;
    }

    /**
     * Returns the mean loss per image, when it was computed.
     *
     * @return the loss, or NaN
     */
    public double loss() {
        return lossImages == 0 ? Double.NaN : lossSum / lossImages;
    }

    private void addCounts(long[] counts) {
        tp += counts[0];
        fp += counts[1];
        fn += counts[2];
        tn += counts[3];
    }

    private double value(Metric m) {
        return SegmentationEvaluator.value(m, tp, fp, fn, tn);
    }

    /** @return foreground F1 = 2TP / (2TP + FP + FN) */
    public double f1() {
        return value(Metric.F1);
    }

    /** @return the IoU as the reference reports it, F1 / (2 - F1) */
    public double iou() {
        return value(Metric.REPORTED_IOU);
    }

    /** @return the true foreground IoU, TP / (TP + FP + FN) */
    public double foregroundIoU() {
        return value(Metric.IOU);
    }

    /** @return precision TP / (TP + FP) */
    public double precision() {
        return value(Metric.PRECISION);
    }

    /** @return recall TP / (TP + FN) */
    public double recall() {
        return value(Metric.RECALL);
    }

    /** @return the number of pixels counted */
    public long pixels() {
        return tp + fp + fn + tn;
    }

    /**
     * Returns the metrics as a map for reports.
     *
     * @return f1, iou, foregroundIoU, precision, recall
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("f1", f1());
        m.put("iou", iou());
        m.put("foregroundIoU", foregroundIoU());
        m.put("precision", precision());
        m.put("recall", recall());
        return m;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "F1 %.4f, IoU %.4f (F1/(2-F1)), foreground IoU %.4f, precision %.4f, recall %.4f",
                f1(), iou(), foregroundIoU(), precision(), recall());
    }
}
