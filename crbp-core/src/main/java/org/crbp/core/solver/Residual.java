/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.solver;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

/**
 * The relative residual {@code ||F(z) - z|| / ||F(z)||} of one evaluation, for the whole batch
 * and for every sample (all state tensors taken together), and the rule that says when it is small
 * enough.
 */
public final class Residual {

    /** Which residual stops a solve. */
    public enum StopRule {
        /** The batch's residual (all samples together) is at most the tolerance. */
        BATCH,
        /** Every sample's residual is at most the tolerance. */
        EVERY_SAMPLE
    }

    private final double batch;
    private final double[] samples;

    private Residual(double batch, double[] samples) {
        this.batch = batch;
        this.samples = samples;
    }

    /**
     * Measures {@code ||next - previous|| / ||next||} over the batch and per sample.
     *
     * @param next {@code F(z)}
     * @param previous {@code z}
     * @return the residuals
     */
    public static Residual of(NDList next, NDList previous) {
        int batchSize = Math.toIntExact(next.head().getShape().get(0));
        double[] difference = new double[batchSize];
        double[] reference = new double[batchSize];
        for (int i = 0; i < next.size(); i++) {
            NDArray a = next.get(i);
            try (NDArray d = a.sub(previous.get(i))) {
                add(difference, perSampleSquares(d, batchSize));
            }
            add(reference, perSampleSquares(a, batchSize));
        }
        return fromSquares(difference, reference);
    }

    /**
     * Measures the residual from flattened arrays: {@code difference = next - previous} and
     * {@code next}, both {@code (batch, size)}.
     *
     * @param difference {@code F(z) - z}, flattened per sample
     * @param next {@code F(z)}, flattened per sample
     * @return the residuals
     */
    static Residual ofFlat(NDArray difference, NDArray next) {
        int batchSize = Math.toIntExact(next.getShape().get(0));
        return fromSquares(perSampleSquares(difference, batchSize),
                perSampleSquares(next, batchSize));
    }

    /** The residuals from per-sample sums of squares of the difference and of the reference. */
    private static Residual fromSquares(double[] difference, double[] reference) {
        double[] samples = new double[difference.length];
        double sumDifference = 0;
        double sumReference = 0;
        for (int b = 0; b < difference.length; b++) {
            samples[b] = ratio(difference[b], reference[b]);
            sumDifference += difference[b];
            sumReference += reference[b];
        }
        return new Residual(ratio(sumDifference, sumReference), samples);
    }

    private static double ratio(double squaredDifference, double squaredReference) {
        return squaredReference == 0
                ? Math.sqrt(squaredDifference)
                : Math.sqrt(squaredDifference / squaredReference);
    }

    private static void add(double[] into, double[] values) {
        for (int b = 0; b < into.length; b++) {
            into[b] += values[b];
        }
    }

    /**
     * Returns the sum of squares of every sample of {@code array} (first dimension = batch).
     *
     * @param array the array
     * @param batchSize its first dimension
     * @return one sum per sample
     */
    static double[] perSampleSquares(NDArray array, int batchSize) {
        try (NDArray flat = array.reshape(batchSize, -1);
                NDArray squares = flat.square();
                NDArray sums = squares.sum(new int[] {1});
                NDArray asDouble = sums.toType(DataType.FLOAT64, false)) {
            return asDouble.toDoubleArray();
        }
    }

    /**
     * Returns the batch's relative residual.
     *
     * @return the residual
     */
    public double batch() {
        return batch;
    }

    /**
     * Returns every sample's relative residual.
     *
     * @return a copy, one per sample
     */
    public double[] samples() {
        return samples.clone();
    }

    /**
     * Returns the largest sample residual.
     *
     * @return the largest per-sample residual
     */
    public double maxSample() {
        double max = 0;
        for (double s : samples) {
            max = Double.isNaN(s) ? s : Math.max(max, s);
            if (Double.isNaN(max)) {
                return max;
            }
        }
        return max;
    }

    /**
     * Returns whether every residual is finite.
     *
     * @return whether the evaluation is finite
     */
    public boolean isFinite() {
        return Double.isFinite(batch) && Double.isFinite(maxSample());
    }

    /**
     * Returns whether the residual meets a tolerance under a rule. A tolerance of 0 is met only
     * by an exact fixed point.
     *
     * @param tolerance the tolerance, 0 or more
     * @param rule which residual counts
     * @return whether the solve may stop
     */
    public boolean meets(double tolerance, StopRule rule) {
        double value = rule == StopRule.BATCH ? batch : maxSample();
        return value <= tolerance;
    }
}
