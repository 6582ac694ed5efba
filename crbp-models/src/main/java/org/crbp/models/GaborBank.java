/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import ai.djl.training.initializer.Initializer;

/**
 * The input layer's filter bank: Gabor filters in 12 orientations and 2 phases plus one flat disk.
 *
 * <p>The reference loads its 25 filters of 7×7 from a file; filters 0–11 and 12–23 are two
 * phases of 12 orientations in 15° steps, each with zero mean and unit L2 norm, and filter 24 is a
 * flat disk: the 29 pixels with {@code x² + y² <= 9}, each {@code 49/29}, so that it sums to 49.
 * This class generates an equivalent bank from the Gabor formula (the exact values of the file
 * are not needed): {@code g(x, y) = exp(-(x'² + γ² y'²) / (2σ²)) cos(2π x'/λ + ψ)} with {@code x'
 * = x cos θ + y sin θ}, {@code y' = -x sin θ + y cos θ}, {@code θ = 15° · o}, {@code ψ ∈ {0,
 * π/2}}, {@code σ = 2}, {@code λ = 5}, {@code γ = 0.5}, each then centred and scaled to unit norm.
 *
 * <p>For {@code channels != 25} the first {@code channels - 1} filters of the sequence (phase 0
 * over all orientations, then phase π/2, then more orientations in finer steps if needed) are
 * used and the last channel is the disk.
 */
public final class GaborBank {

    /** The kernel size of the bank, 7. */
    public static final int KERNEL = 7;
    /** The number of orientations, 12 (15° steps). */
    public static final int ORIENTATIONS = 12;
    /** The radius of the disk filter in pixels, 3. */
    public static final int DISK_RADIUS = 3;
    /** The sum of the disk filter's values, 49. */
    public static final double DISK_SUM = 49.0;

    private static final double SIGMA = 2.0;
    private static final double LAMBDA = 5.0;
    private static final double ASPECT = 0.5;

    private GaborBank() {}

    /**
     * Returns one Gabor filter of 7×7 (row-major, row index = y), centred and of unit L2 norm.
     *
     * @param thetaRadians the orientation
     * @param phaseRadians the phase ψ
     * @return 49 values
     */
    public static double[] gabor(double thetaRadians, double phaseRadians) {
        int half = KERNEL / 2;
        double[] f = new double[KERNEL * KERNEL];
        double cos = Math.cos(thetaRadians);
        double sin = Math.sin(thetaRadians);
        double mean = 0;
        for (int y = -half; y <= half; y++) {
            for (int x = -half; x <= half; x++) {
                double xr = x * cos + y * sin;
                double yr = -x * sin + y * cos;
                double v =
                        Math.exp(-(xr * xr + ASPECT * ASPECT * yr * yr) / (2 * SIGMA * SIGMA))
                                * Math.cos(2 * Math.PI * xr / LAMBDA + phaseRadians);
                f[(y + half) * KERNEL + (x + half)] = v;
                mean += v;
            }
        }
        mean /= f.length;
        double norm = 0;
        for (int i = 0; i < f.length; i++) {
            f[i] -= mean;
            norm += f[i] * f[i];
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < f.length; i++) {
            f[i] /= norm;
        }
        return f;
    }

    /**
     * Returns the flat disk filter of 7×7: the 29 pixels with {@code x² + y² <= 9} set to {@code
     * 49/29}, the others 0.
     *
     * @return 49 values summing to 49
     */
    public static double[] disk() {
        int half = KERNEL / 2;
        int count = 0;
        for (int y = -half; y <= half; y++) {
            for (int x = -half; x <= half; x++) {
                if (x * x + y * y <= DISK_RADIUS * DISK_RADIUS) {
                    count++;
                }
            }
        }
        double value = DISK_SUM / count;
        double[] f = new double[KERNEL * KERNEL];
        for (int y = -half; y <= half; y++) {
            for (int x = -half; x <= half; x++) {
                if (x * x + y * y <= DISK_RADIUS * DISK_RADIUS) {
                    f[(y + half) * KERNEL + (x + half)] = value;
                }
            }
        }
        return f;
    }

    /**
     * Returns the bank for {@code channels} output channels, shape {@code (channels, 1, 7, 7)}
     * flattened row-major: {@code channels - 1} Gabor filters then the disk. With 25 channels:
     * filters 0–11 are phase 0 at 0°, 15°, …, 165°, filters 12–23 phase π/2 at the same
     * orientations, filter 24 the disk.
     *
     * @param channels the number of filters, at least 1
     * @return {@code channels * 49} values
     */
    public static double[] bank(int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("The bank needs at least 1 channel, got " + channels);
        }
        int gabors = channels - 1;
        // orientations per phase: 12, or more (finer steps) when more filters are asked for
        int perPhase = Math.max(ORIENTATIONS, (gabors + 1) / 2);
        double[] all = new double[channels * KERNEL * KERNEL];
        for (int i = 0; i < gabors; i++) {
            int phase = i / perPhase;
            int orientation = i % perPhase;
            double theta = Math.PI * orientation / perPhase;
            double[] f = gabor(theta, phase == 0 ? 0.0 : Math.PI / 2);
            System.arraycopy(f, 0, all, i * f.length, f.length);
        }
        double[] d = disk();
        System.arraycopy(d, 0, all, gabors * d.length, d.length);
        return all;
    }

    /**
     * An initializer that fills a {@code (channels, 1, 7, 7)} weight with {@link #bank(int)}.
     *
     * @return the initializer
     */
    public static Initializer initializer() {
        return (manager, shape, dataType) -> {
            if (shape.dimension() != 4
                    || shape.get(1) != 1
                    || shape.get(2) != KERNEL
                    || shape.get(3) != KERNEL) {
                throw new IllegalArgumentException(
                        "The Gabor bank fills weights of shape (C, 1, 7, 7), got " + shape);
            }
            return Initializers.create(
                    manager, bank(Math.toIntExact(shape.get(0))), shape, dataType);
        };
    }
}
