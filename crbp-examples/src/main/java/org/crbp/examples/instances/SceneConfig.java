/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

/**
 * The settings of the {@link SceneGenerator}, validated when built.
 *
 * @param size the image side in pixels, {@value #MIN_SIZE} to {@value #MAX_SIZE} (default
 *     {@value #DEFAULT_SIZE})
 * @param minInstances the fewest thing instances drawn per image, at least 1 (occlusion may
 *     hide some: an instance left with fewer visible pixels than the generator's minimum is
 *     dropped)
 * @param maxInstances the most thing instances drawn per image, {@code minInstances} to
 *     {@value #MAX_INSTANCES}
 * @param thingClasses how many of the three thing classes (band, hook, comb, in that order) are
 *     used, 1 to 3
 * @param seed the data set's seed: scene {@code i} of a seed is always the same
 */
public record SceneConfig(int size, int minInstances, int maxInstances, int thingClasses,
        long seed) {

    /** The smallest image side. */
    public static final int MIN_SIZE = 64;
    /** The largest image side. */
    public static final int MAX_SIZE = 128;
    /** The default image side. */
    public static final int DEFAULT_SIZE = 96;
    /** The most instances per image. */
    public static final int MAX_INSTANCES = 16;

    /**
     * Validates the settings.
     *
     * @param size the image side
     * @param minInstances the fewest instances
     * @param maxInstances the most instances
     * @param thingClasses the number of thing classes
     * @param seed the seed
     * @throws IllegalArgumentException (one line naming the setting) if a setting is out of range
     */
    public SceneConfig {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException("scene size must be " + MIN_SIZE + " to " + MAX_SIZE
                    + " pixels, got " + size);
        }
        if (minInstances < 1) {
            throw new IllegalArgumentException("minInstances must be at least 1, got "
                    + minInstances);
        }
        if (maxInstances < minInstances || maxInstances > MAX_INSTANCES) {
            throw new IllegalArgumentException("maxInstances must be " + minInstances + " (the"
                    + " minimum) to " + MAX_INSTANCES + ", got " + maxInstances);
        }
        if (thingClasses < 1 || thingClasses > 3) {
            throw new IllegalArgumentException("thingClasses must be 1 to 3, got " + thingClasses);
        }
    }

    /**
     * Returns the defaults: {@value #DEFAULT_SIZE} px, 4 to 7 instances, 3 thing classes, seed 0.
     *
     * @return the default settings
     */
    public static SceneConfig defaults() {
        return new SceneConfig(DEFAULT_SIZE, 4, 7, 3, 0);
    }

    /**
     * Returns these settings with another image side.
     *
     * @param newSize the image side
     * @return the settings
     */
    public SceneConfig withSize(int newSize) {
        return new SceneConfig(newSize, minInstances, maxInstances, thingClasses, seed);
    }

    /**
     * Returns these settings with another seed.
     *
     * @param newSeed the seed
     * @return the settings
     */
    public SceneConfig withSeed(long newSeed) {
        return new SceneConfig(size, minInstances, maxInstances, thingClasses, newSeed);
    }

    /**
     * Returns these settings with another range of instances per image.
     *
     * @param min the fewest
     * @param max the most
     * @return the settings
     */
    public SceneConfig withInstances(int min, int max) {
        return new SceneConfig(size, min, max, thingClasses, seed);
    }
}
