/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import ai.djl.training.initializer.Initializer;

/**
 * The input layer's filter bank: Gabor filters in 12 orientations and 2 phases plus one flat disk,
 * built as the reference's bank ({@code gabor_serre.npy}) measures.
 *
 * <p>Each Gabor filter is 7×7 and lives on the disk {@code x² + y² <= 9} (29 pixels): there
 * {@code g = exp(-(u² + γ² v²) / (2σ²)) · cos(2π u / λ)} (even phase) or {@code · sin(2π u / λ)}
 * (odd phase), with {@code u = y cos θ − x sin θ} the coordinate across the stripes, {@code v = y
 * sin θ + x cos θ} the one along them, {@code x} the column and {@code y} the row offset from the
 * centre (rows downwards), {@code λ = 3.5}, {@code σ = 2.8}, {@code γ = 0.3} (the 7×7 simple cell
 * of Serre et al.'s HMAX model, whose name the file carries); outside the disk it is 0. The whole
 * 7×7 filter is then centred and scaled to unit L2 norm, so outside the disk each filter is a
 * constant. Filters 0–11 are even at {@code θ = 15° · k} (filter 0: stripes varying along y,
 * i.e. horizontal stripes; filter 6: vertical stripes), filters 12–23 odd at the same
 * orientations. The centre column of filter 0 reads 0.109, −0.192, −0.052, 0.296, −0.052, −0.192,
 * 0.109 from top to bottom, as the reference's does. Filter 24 is a flat disk: the 29 pixels
 * with {@code x² + y² <= 9}, each {@code 49/29}, so that it sums to 49. The sense of rotation for
 * {@code 0° < θ < 90°} follows the HMAX formula read with rows as its first axis; the properties
 * above do not fix it.
 *
 * <p>For {@code channels != 25} the first {@code channels - 1} filters of the sequence (even phase
 * over all orientations, then odd, then more orientations in finer steps if needed) are used
 * and the last channel is the disk. Only initial values change with the construction: the
 * layer's parameter names and shapes stay the same, so saved weights load as before.
 */
public final class GaborBank {

    /** The kernel size of the bank, 7. */
    public static final int KERNEL = 7;
    /** The number of orientations, 12 (15° steps). */
    public static final int ORIENTATIONS = 12;
    /** The radius of the disk filter and of the Gabors' support in pixels, 3. */
    public static final int DISK_RADIUS = 3;
    /** The sum of the disk filter's values, 49. */
    public static final double DISK_SUM = 49.0;
    /** The Gabors' wavelength in pixels, 3.5. */
    public static final double WAVELENGTH = 3.5;
    /** The width of the Gabors' Gaussian envelope in pixels, 2.8. */
    public static final double SIGMA = 2.8;
    /** The aspect ratio of the envelope (along the stripes), 0.3. */
    public static final double ASPECT = 0.3;

    private GaborBank() {}

    /**
     * Returns one Gabor filter of 7×7 (row-major, row index = y), supported on the disk of radius
     * 3, then centred and scaled to unit L2 norm over all 49 pixels.
     *
     * @param thetaRadians the orientation θ (0: horizontal stripes)
     * @param phaseRadians the phase: 0 for the even (cosine) filter, π/2 for the odd (sine) one;
     *     in general the carrier is {@code cos(2π u / λ − phase)}
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
                double v = 0;
                if (x * x + y * y <= DISK_RADIUS * DISK_RADIUS) {
                    double across = y * cos - x * sin;
                    double along = y * sin + x * cos;
                    v = Math.exp(-(across * across + ASPECT * ASPECT * along * along)
                                    / (2 * SIGMA * SIGMA))
                            * Math.cos(2 * Math.PI * across / WAVELENGTH - phaseRadians);
                }
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
     * filters 0–11 are even at 0°, 15°, …, 165°, filters 12–23 odd at the same orientations,
     * filter 24 the disk.
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
