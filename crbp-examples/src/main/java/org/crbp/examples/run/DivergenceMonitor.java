/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;

/**
 * Watches one per-batch quantity of a training run (the loss, the penalty) for a blow-up that is
 * still finite: it warns when a value rises more than {@code factor} times (100 by default) above
 * the running median of the last {@code window} values.
 *
 * <p>The median ignores single outliers, so one bad batch does not raise the bar for the next.
 * A quantity that sits at 0 (the penalty of an already contractive model) is judged against
 * {@code floor} instead of its median. Nothing is judged before {@code warmup} values are seen.
 * After a warning the monitor stays quiet until the quantity falls back below the bar, so a
 * lasting blow-up gives one warning, not one per batch; {@link #getWarnings()} counts them.
 *
 * <pre>{@code
 * DivergenceMonitor loss = DivergenceMonitor.builder().setName("loss").build();
 * String warning = loss.observe(batchLoss);   // null, or one line to print
 * }</pre>
 */
public final class DivergenceMonitor {

    private final String name;
    private final double factor;
    private final int window;
    private final int warmup;
    private final double floor;
    private final ArrayDeque<Double> recent;
    private boolean above;
    private int warnings;
    private long seen;
    private double lastMedian = Double.NaN;

    private DivergenceMonitor(Builder b) {
        name = b.name;
        factor = b.factor;
        window = b.window;
        warmup = b.warmup;
        floor = b.floor;
        recent = new ArrayDeque<>(window);
    }

    /**
     * Creates a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Adds the value of the next batch and judges it against the median of the values before it.
     *
     * @param value the value
     * @return {@code null} when it is fine, else a one-line warning naming the quantity, the value,
     *     the median and the factor
     */
    public String observe(double value) {
        seen++;
        String warning = null;
        if (!Double.isFinite(value)) {
            if (!above) {
                warning = String.format(Locale.ROOT, "%s is %s at batch %d", name, value, seen);
                warnings++;
            }
            above = true;
            return warning;
        }
        if (recent.size() >= warmup) {
            double median = median();
            lastMedian = median;
            double bar = factor * Math.max(Math.abs(median), floor);
            if (value > bar) {
                if (!above) {
                    warnings++;
                    warning = String.format(Locale.ROOT,
                            "%s %.4g at batch %d is more than %.0fx its running median %.4g"
                                    + " (last %d batches): training may be diverging",
                            name, value, seen, factor, median, recent.size());
                }
                above = true;
            } else {
                above = false;
            }
        }
        if (recent.size() == window) {
            recent.removeFirst();
        }
        recent.addLast(value);
        return warning;
    }

    /**
     * Whether the last value was above the bar (or not finite).
     *
     * @return whether the quantity is blown up now
     */
    public boolean isDiverging() {
        return above;
    }

    /**
     * Returns the number of warnings given (each rise above the bar counts once).
     *
     * @return the warnings
     */
    public int getWarnings() {
        return warnings;
    }

    /**
     * Returns the median the last value was judged against ({@code NaN} during the warm-up).
     *
     * @return the median
     */
    public double getLastMedian() {
        return lastMedian;
    }

    /**
     * Returns the name of the quantity.
     *
     * @return the name
     */
    public String getName() {
        return name;
    }

    /**
     * The running median of the last values, before the newest one.
     *
     * @return the median, {@code NaN} when empty
     */
    public double median() {
        if (recent.isEmpty()) {
            return Double.NaN;
        }
        double[] v = new double[recent.size()];
        int i = 0;
        for (double d : recent) {
            v[i++] = d;
        }
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }

    /** The builder of {@link DivergenceMonitor}. */
    public static final class Builder {
        private String name;
        private double factor = 100;
        private int window = 100;
        private int warmup = 5;
        private double floor = 1e-6;

        Builder() {}

        /**
         * Sets the name of the quantity, used in the warning (required).
         *
         * @param name for example "loss"
         * @return this builder
         */
        public Builder setName(String name) {
            this.name = name;
            return this;
        }

        /**
         * Sets how many times the running median a value must exceed to warn (default 100).
         *
         * @param factor more than 1
         * @return this builder
         */
        public Builder optFactor(double factor) {
            this.factor = factor;
            return this;
        }

        /**
         * Sets how many recent values the median covers (default 100).
         *
         * @param window at least 1
         * @return this builder
         */
        public Builder optWindow(int window) {
            this.window = window;
            return this;
        }

        /**
         * Sets how many values are seen before any is judged (default 5).
         *
         * @param warmup at least 1
         * @return this builder
         */
        public Builder optWarmup(int warmup) {
            this.warmup = warmup;
            return this;
        }

        /**
         * Sets the smallest median the bar is computed from (default 1e-6), so that a quantity
         * near 0 does not warn on every small positive value.
         *
         * @param floor 0 or more
         * @return this builder
         */
        public Builder optFloor(double floor) {
            this.floor = floor;
            return this;
        }

        /**
         * Builds the monitor.
         *
         * @return the monitor
         * @throws IllegalArgumentException if a setting is out of range
         */
        public DivergenceMonitor build() {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("the monitored quantity needs a name");
            }
            if (!(factor > 1)) {
                throw new IllegalArgumentException("factor must be more than 1, got " + factor);
            }
            if (window < 1 || warmup < 1 || warmup > window) {
                throw new IllegalArgumentException("need 1 <= warmup <= window, got warmup "
                        + warmup + ", window " + window);
            }
            if (!(floor >= 0)) {
                throw new IllegalArgumentException("floor must be 0 or more, got " + floor);
            }
            return new DivergenceMonitor(this);
        }
    }
}
