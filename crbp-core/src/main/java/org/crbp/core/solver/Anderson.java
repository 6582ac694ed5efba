/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.solver;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Locale;

/**
 * Anderson acceleration (type II, as in torchdeq and Walker and Ni 2011): the next iterate mixes
 * the last {@code m} evaluations, {@code z_(k+1) = sum_i a_i (F(z_i) - (1 - beta) (F(z_i) -
 * z_i))}, with weights {@code a} (summing to 1) that minimise {@code ||sum_i a_i (F(z_i) -
 * z_i)||}.
 *
 * <p>The weights are solved per sample by default (each image has its own small least-squares
 * problem, as torchdeq does); {@link Builder#optPerSample(boolean) optPerSample(false)} uses one
 * set of weights for the whole batch, which is the exact Anderson method for a map that couples
 * samples (batch statistics). <b>Safeguard:</b> when an evaluation's batch residual is larger
 * than the one before, the history is dropped and the next step is a plain one.
 *
 * <p>Memory: {@code 2m} copies of the state (the last evaluations and their residuals), plus the
 * current iterate; constant in the number of iterations. Works for states of several tensors
 * (they are flattened and concatenated per sample).
 *
 * <pre>{@code
 * FixedPointSolver solver = Anderson.builder().optWindow(5).optTolerance(1e-3).build();
 * }</pre>
 */
public final class Anderson implements FixedPointSolver {

    private final int window;
    private final double beta;
    private final double tolerance;
    private final Residual.StopRule stopRule;
    private final boolean perSample;
    private final boolean safeguard;
    private final double regularization;

    private Anderson(Builder builder) {
        window = builder.window;
        beta = builder.beta;
        tolerance = builder.tolerance;
        stopRule = builder.stopRule;
        perSample = builder.perSample;
        safeguard = builder.safeguard;
        regularization = builder.regularization;
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
     * Returns the window {@code m}: how many past evaluations are mixed.
     *
     * @return the window
     */
    public int getWindow() {
        return window;
    }

    /**
     * Returns the tolerance on the relative residual.
     *
     * @return the tolerance
     */
    public double getTolerance() {
        return tolerance;
    }

    /** {@inheritDoc} */
    @Override
    public FixedPointResult solve(FixedPointMap map, NDList initial, int maxEvaluations) {
        Solvers.checkBudget(maxEvaluations);
        if (maxEvaluations == 0) {
            return FixedPointResult.builder().setState(initial).build();
        }
        NDManager outer = initial.head().getManager();
        Shape[] shapes = initial.getShapes();
        DataType type = initial.head().getDataType();
        int batch = Math.toIntExact(shapes[0].get(0));
        double[] history = new double[maxEvaluations];
        double[] samples = new double[0];
        int evaluations = 0;
        int restarts = 0;
        boolean converged = false;
        boolean diverged = false;
        double previous = Double.POSITIVE_INFINITY;
        NDList last;
        try (NDManager work = outer.newSubManager()) {
            long size = 0;
            for (Shape shape : shapes) {
                size += shape.size() / batch;
            }
            Window ring = new Window(window, batch, size, type, work);
            NDList x = initial;
            // the current iterate, flattened per sample: (batch, size)
            NDArray xFlat = States.flatten(initial, work);
            while (true) {
                NDList f = map.apply(x, outer);
                evaluations++;
                try (NDManager step = work.newSubManager()) {
                    NDArray fFlat = States.flatten(f, step);
                    NDArray g = fFlat.sub(xFlat);
                    g.attach(step);
                    Residual residual = Residual.ofFlat(g, fFlat);
                    history[evaluations - 1] = residual.batch();
                    samples = residual.samples();
                    boolean stop = evaluations >= maxEvaluations;
                    if (!residual.isFinite()) {
                        diverged = true;
                        stop = true;
                    } else if (residual.meets(tolerance, stopRule)) {
                        converged = true;
                        stop = true;
                    }
                    if (stop) {
                        if (x != initial) {
                            States.closeExcept(x, f);
                        }
                        last = f;
                        break;
                    }
                    if (safeguard && residual.batch() > previous && ring.size() > 0) {
                        ring.clear();
                        restarts++;
                    }
                    previous = residual.batch();
                    ring.push(fFlat, g, step);
                    NDArray mixed = ring.size() == 1 ? fFlat : mix(ring, type, step);
                    mixed.attach(work);
                    NDList next = States.unflatten(mixed, shapes, outer);
                    xFlat.close();
                    xFlat = mixed;
                    if (x != initial) {
                        States.closeExcept(x, f);
                    }
                    f.close();
                    x = next;
                }
            }
        }
        return FixedPointResult.builder()
                .setState(last)
                .optHistory(evaluations, Arrays.copyOf(history, evaluations))
                .optSampleResiduals(samples)
                .optOutcome(converged, diverged)
                .optRestarts(restarts)
                .build();
    }

    /**
     * Returns {@code sum_i a_i (F_i - (1 - beta) G_i)} with the least-squares weights: one batched
     * product of the weights with the window per term, {@code (batch, 1, m) x (batch, m, size)}.
     */
    private NDArray mix(Window ring, DataType type, NDManager step) {
        int n = ring.size();
        int batch = ring.batch;
        int m = ring.capacity;
        Integer[] slots = ring.slots();
        // the weights at the slots' positions; empty slots get 0
        double[] weights = new double[batch * m];
        if (perSample) {
            for (int b = 0; b < batch; b++) {
                double[] a = weights(ring.gram(b));
                for (int i = 0; i < n; i++) {
                    weights[b * m + slots[i]] = a[i];
                }
            }
        } else {
            double[][] total = new double[n][n];
            for (int b = 0; b < batch; b++) {
                double[][] h = ring.gram(b);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        total[i][j] += h[i][j];
                    }
                }
            }
            double[] a = weights(total);
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < n; i++) {
                    weights[b * m + slots[i]] = a[i];
                }
            }
        }
        NDArray a = step.create(weights, new Shape(batch, 1, m)).toType(type, false);
        NDArray sum = a.matMul(ring.fs).reshape(batch, -1);
        if (beta != 1) {
            NDArray scaled = a.mul(1 - beta);
            NDArray damped = scaled.matMul(ring.gs).reshape(batch, -1);
            sum = sum.sub(damped);
        }
        return sum;
    }

    /** Solves {@code min ||sum a_i g_i||} subject to {@code sum a_i = 1} from the Gram matrix. */
    private double[] weights(double[][] gram) {
        int n = gram.length;
        double scale = 0;
        for (int i = 0; i < n; i++) {
            scale = Math.max(scale, gram[i][i]);
        }
        double[][] a = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            System.arraycopy(gram[i], 0, a[i], 0, n);
            a[i][i] += regularization * scale + Double.MIN_NORMAL;
            a[i][n] = 1;
        }
        double[] y = solve(a);
        double total = 0;
        for (double v : y) {
            total += v;
        }
        double[] weights = new double[n];
        if (!(Double.isFinite(total) && Math.abs(total) > 0)) {
            weights[n - 1] = 1; // fall back to the plain step
            return weights;
        }
        for (int i = 0; i < n; i++) {
            weights[i] = y[i] / total;
        }
        return weights;
    }

    /** Gaussian elimination with partial pivoting on an augmented matrix. */
    private static double[] solve(double[][] a) {
        int n = a.length;
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
                    pivot = r;
                }
            }
            double[] t = a[c];
            a[c] = a[pivot];
            a[pivot] = t;
            for (int r = c + 1; r < n; r++) {
                double factor = a[r][c] / a[c][c];
                for (int k = c; k <= n; k++) {
                    a[r][k] -= factor * a[c][k];
                }
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = a[r][n];
            for (int k = r + 1; k < n; k++) {
                s -= a[r][k] * x[k];
            }
            x[r] = s / a[r][r];
        }
        return x;
    }

    /** {@inheritDoc} */
    @Override
    public String describe() {
        return String.format(Locale.ROOT, "anderson(m=%d, beta=%.3g, tol=%.3g, %s%s)", window,
                beta, tolerance, stopRule, perSample ? "" : ", batch weights");
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return describe();
    }

    /**
     * The last {@code m} evaluations and their residuals, as two {@code (batch, m, size)} arrays
     * written slot by slot, and the per-sample Gram matrices of the residuals.
     */
    private static final class Window {
        final int capacity;
        final int batch;
        final NDArray fs;
        final NDArray gs;
        final double[][][] gram;
        final Deque<Integer> order = new ArrayDeque<>();

        Window(int capacity, int batch, long size, DataType type, NDManager manager) {
            this.capacity = capacity;
            this.batch = batch;
            fs = manager.zeros(new Shape(batch, capacity, size), type);
            gs = manager.zeros(new Shape(batch, capacity, size), type);
            gram = new double[batch][capacity][capacity];
        }

        int size() {
            return order.size();
        }

        /** The slots in insertion order. */
        Integer[] slots() {
            return order.toArray(new Integer[0]);
        }

        /** Adds an evaluation (copied in), dropping the oldest when full. */
        void push(NDArray f, NDArray g, NDManager step) {
            int slot;
            if (order.size() == capacity) {
                slot = order.removeFirst();
            } else {
                slot = 0;
                while (order.contains(slot)) {
                    slot++;
                }
            }
            NDIndex at = new NDIndex(":, {}", slot);
            fs.set(at, f);
            gs.set(at, g);
            order.addLast(slot);
            // every slot's inner product with g in one batched product: (batch, m, size) x
            // (batch, size, 1); empty slots hold zeros and are not read
            NDArray column = g.reshape(batch, -1, 1);
            column.attach(step);
            NDArray products = gs.matMul(column);
            products.attach(step);
            NDArray asDouble = products.toType(DataType.FLOAT64, false);
            asDouble.attach(step);
            double[] values = asDouble.toDoubleArray();
            for (int other : order) {
                for (int s = 0; s < batch; s++) {
                    double v = values[s * capacity + other];
                    gram[s][slot][other] = v;
                    gram[s][other][slot] = v;
                }
            }
        }

        /** The Gram matrix of sample {@code b} in insertion order. */
        double[][] gram(int b) {
            int n = order.size();
            double[][] h = new double[n][n];
            Integer[] slots = slots();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    h[i][j] = gram[b][slots[i]][slots[j]];
                }
            }
            return h;
        }

        /** Forgets the history (the arrays keep their memory; stale slots are never read). */
        void clear() {
            order.clear();
        }
    }

    /** The builder for {@link Anderson}. */
    public static final class Builder {
        private int window = 5;
        private double beta = 1.0;
        private double tolerance;
        private Residual.StopRule stopRule = Residual.StopRule.BATCH;
        private boolean perSample = true;
        private boolean safeguard = true;
        private double regularization = 1e-8;

        Builder() {}

        /**
         * Sets the window {@code m}, the number of past evaluations mixed (default 5).
         *
         * @param window the window, at least 1 (1 is plain iteration)
         * @return this builder
         */
        public Builder optWindow(int window) {
            this.window = window;
            return this;
        }

        /**
         * Sets the mixing {@code beta} (default 1: mix the evaluations only).
         *
         * @param beta the mixing, in (0, 1]
         * @return this builder
         */
        public Builder optBeta(double beta) {
            this.beta = beta;
            return this;
        }

        /**
         * Stops when the relative residual is at most {@code tolerance} (default 0: run the whole
         * budget).
         *
         * @param tolerance the tolerance, 0 or more
         * @return this builder
         */
        public Builder optTolerance(double tolerance) {
            this.tolerance = tolerance;
            return this;
        }

        /**
         * Chooses which residual stops the solve (default {@link Residual.StopRule#BATCH}).
         *
         * @param rule the rule
         * @return this builder
         */
        public Builder optStopRule(Residual.StopRule rule) {
            this.stopRule = rule;
            return this;
        }

        /**
         * Solves the mixing weights per sample (default) or once for the whole batch.
         *
         * @param perSample whether every sample gets its own weights
         * @return this builder
         */
        public Builder optPerSample(boolean perSample) {
            this.perSample = perSample;
            return this;
        }

        /**
         * Falls back to a plain step, dropping the history, when a residual grows (default on).
         *
         * @param safeguard whether to safeguard
         * @return this builder
         */
        public Builder optSafeguard(boolean safeguard) {
            this.safeguard = safeguard;
            return this;
        }

        /**
         * Sets the Tikhonov regularisation of the least-squares weights, relative to the largest
         * residual norm squared (default 1e-8).
         *
         * @param regularization the relative regularisation, 0 or more
         * @return this builder
         */
        public Builder optRegularization(double regularization) {
            this.regularization = regularization;
            return this;
        }

        /**
         * Builds the solver.
         *
         * @return the solver
         * @throws IllegalArgumentException if a value is out of range
         */
        public Anderson build() {
            Solvers.checkPositive(window, "The Anderson window");
            if (!(beta > 0 && beta <= 1)) {
                throw new IllegalArgumentException("The Anderson mixing beta must be in (0, 1], got "
                        + beta);
            }
            Solvers.checkTolerance(tolerance);
            Solvers.checkTolerance(regularization);
            Solvers.checkNotNull(stopRule, "stop rule");
            return new Anderson(this);
        }
    }
}
