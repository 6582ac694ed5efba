/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import org.crbp.core.solver.FixedPointMap;
import org.crbp.core.solver.Residual;
import org.crbp.core.solver.States;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Whether a trained network's dynamics contract, measured per image: the question behind every
 * implicit gradient. For a batch it runs the plain iteration {@code h_(t+1) = F(x, h_t)} from the
 * cell's initial state for {@code H = horizon x N} steps ({@code N} the network's trained
 * steps) and reports, per image:
 *
 * <ul>
 *   <li>the relative residual {@code ||h_N - h_(N-1)|| / ||h_N||} after the trained steps;
 *   <li>the solve to a tolerance: the first step at which the residual is at most {@code tol}
 *       (converged), or {@code H} (not converged), and the residual there;
 *   <li>the drift {@code ||h_H - h_N|| / ||h_N||}: how far the state still moves after N;
 *   <li>at the end state {@code h_H}: the spectral radius of the step's Jacobian {@code J = dF/dh}
 *       (power iteration on vector-Jacobian products {@code u -> J^T u}, whose spectrum is
 *       {@code J}'s), and {@code max_i (J^T 1)_i} over the image's elements, the quantity the
 *       Lipschitz penalty bounds.
 * </ul>
 *
 * <p>An image <em>contracts</em> when its solve converged and the spectral radius at its end
 * state is below 1: the fixed point exists, is reached, and is locally attracting, so recurrent
 * back-propagation's adjoint series converges there. Nothing here changes the model or the
 * engine's random state. Cells that normalise with batch statistics couple the images of a
 * batch; the per-image figures are then those of the image's block of the batch's Jacobian.
 *
 * <pre>{@code
 * ContractionAnalysis analysis = ContractionAnalysis.builder().optTolerance(1e-3).build();
 * ContractionAnalysis.Summary summary = new ContractionAnalysis.Summary(analysis);
 * for (Batch batch : testSet.getData(manager)) {
 *     summary.add(analysis.measure(net, parameterStore, batch.getData()));
 *     batch.close();
 * }
 * System.out.println(summary);
 * }</pre>
 */
public final class ContractionAnalysis {

    private final double tolerance;
    private final int horizon;
    private final int powerIterations;
    private final long seed;

    private ContractionAnalysis(Builder builder) {
        tolerance = builder.tolerance;
        horizon = builder.horizon;
        powerIterations = builder.powerIterations;
        seed = builder.seed;
    }

    /**
     * Creates a builder: tolerance 1e-3, horizon 4 (so {@code 4N} steps), 20 power iterations.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the relative residual at which an image's solve counts as converged.
     *
     * @return the tolerance
     */
    public double getTolerance() {
        return tolerance;
    }

    /**
     * Returns the horizon factor: the solve's budget and the drift's late step are this times
     * the network's steps.
     *
     * @return the factor, at least 2
     */
    public int getHorizon() {
        return horizon;
    }

    /**
     * Returns the number of power iterations for the spectral radius.
     *
     * @return the number of iterations
     */
    public int getPowerIterations() {
        return powerIterations;
    }

    /**
     * Measures every image of one batch. The batch's arrays are left as they were; everything
     * this creates is freed before it returns.
     *
     * @param net the trained network (its steps are {@code N})
     * @param parameterStore the parameter store
     * @param inputs the network's inputs for one batch
     * @return one measurement per image, in the batch's order
     */
    public List<Image> measure(RecurrentNet net, ParameterStore parameterStore, NDList inputs) {
        int trained = net.getSteps();
        int last = horizon * trained;
        NDManager outer = inputs.head().getManager();
        try (NDManager scope = outer.newSubManager()) {
            inputs.tempAttach(scope);
            ScopedParameterStore detached = new ScopedParameterStore(parameterStore, scope, true);
            NDArray drive = net.drive(detached, inputs, false).stopGradient();
            drive.attach(scope);
            int images = Math.toIntExact(drive.getShape().get(0));
            double[] residualAtSteps = new double[images];
            double[] residualAtEnd = new double[images];
            int[] solveSteps = new int[images];
            boolean[] converged = new boolean[images];
            Arrays.fill(residualAtSteps, Double.NaN);

            FixedPointMap map = net.stepMap(parameterStore, drive, false);
            NDList state = net.getCell().initialState(drive);
            NDList atSteps = null;
            double[] residual = new double[images];
            for (int t = 1; t <= last; t++) {
                NDList next = map.apply(state, scope);
                residual = Residual.of(next, state).samples();
                for (int b = 0; b < images; b++) {
                    if (!converged[b] && residual[b] <= tolerance) {
                        converged[b] = true;
                        solveSteps[b] = t;
                        residualAtEnd[b] = residual[b];
                    }
                }
                if (t == trained) {
                    residualAtSteps = residual.clone();
                    atSteps = next;
                }
                if (state != atSteps) {
                    States.closeExcept(state, next);
                }
                state = next;
            }
            for (int b = 0; b < images; b++) {
                if (!converged[b]) {
                    solveSteps[b] = last;
                    residualAtEnd[b] = residual[b];
                }
            }
            // ||h_H - h_N|| / ||h_N||: the residual of h_N against h_H
            double[] drift = Residual.of(atSteps, state).samples();

            double[] radius;
            double[] maxColumnSum;
            // the step's graph reaches only detached copies of the state: no parameter gradient
            try (GradientCollector collector = outer.getEngine().newGradientCollector();
                    AbstractGradientMethod.AuxiliaryStep aux = AbstractGradientMethod.auxiliaryStep(
                            net, parameterStore, drive, state, scope)) {
                maxColumnSum = perImageMaxColumnSums(aux);
                radius = spectralRadii(aux, images);
            }
            List<Image> result = new ArrayList<>(images);
            for (int b = 0; b < images; b++) {
                result.add(new Image(residualAtSteps[b], residualAtEnd[b], solveSteps[b],
                        converged[b], radius[b], maxColumnSum[b], drift[b]));
            }
            return result;
        }
    }

    /** Per image, the largest element of {@code J^T 1} over every state tensor. */
    private static double[] perImageMaxColumnSums(AbstractGradientMethod.AuxiliaryStep aux) {
        NDList sums = Jacobians.columnSums(aux.outputs, aux.leaves, aux.manager);
        double[] max = null;
        for (NDArray u : sums) {
            long images = u.getShape().get(0);
            try (NDArray flat = u.reshape(images, -1);
                    NDArray wide = flat.toType(DataType.FLOAT64, false);
                    NDArray m = wide.max(new int[] {1})) {
                double[] part = m.toDoubleArray();
                if (max == null) {
                    max = part;
                } else {
                    for (int j = 0; j < max.length; j++) {
                        max[j] = Math.max(max[j], part[j]);
                    }
                }
            }
        }
        sums.close();
        return max;
    }

    /**
     * Per image, the spectral radius of {@code J} by power iteration on {@code J^T}: each image's
     * block of the vector is normalised after every product, and the estimate is the geometric
     * mean of the growth factors over the second half of the iterations (robust to a dominant
     * complex pair, whose single-step ratios oscillate).
     */
    private double[] spectralRadii(AbstractGradientMethod.AuxiliaryStep aux, int images) {
        Random random = new Random(seed);
        NDList u = new NDList(aux.leaves.size());
        for (NDArray leaf : aux.leaves) {
            Shape shape = leaf.getShape();
            float[] values = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            NDArray start = aux.manager.create(values, shape).toType(leaf.getDataType(), false);
            u.add(start);
        }
        u = Jacobians.normalisePerImage(u, Jacobians.perImageNorms(u), aux.manager);
        double[] logSum = new double[images];
        int counted = 0;
        int from = powerIterations / 2;
        for (int k = 0; k < powerIterations; k++) {
            NDList w;
            try (NDManager termScope = aux.manager.newSubManager()) {
                aux.outputs.tempAttach(termScope);
                w = Jacobians.vjp(aux.outputs, u, aux.leaves, termScope);
                w.attach(aux.manager);
            }
            u.close();
            double[] gain = Jacobians.perImageNorms(w);
            if (k >= from) {
                for (int b = 0; b < images; b++) {
                    logSum[b] += Math.log(gain[b]);
                }
                counted++;
            }
            u = Jacobians.normalisePerImage(w, gain, aux.manager);
            w.close();
        }
        u.close();
        double[] radius = new double[images];
        for (int b = 0; b < images; b++) {
            radius[b] = Math.exp(logSum[b] / counted);
        }
        return radius;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "ContractionAnalysis(tol " + tolerance + ", horizon " + horizon + "N, "
                + powerIterations + " power iterations)";
    }

    /** What was measured on one image. */
    public static final class Image {
        private final double residualAtSteps;
        private final double residualAtEnd;
        private final int solveSteps;
        private final boolean converged;
        private final double spectralRadius;
        private final double maxColumnSum;
        private final double drift;

        Image(double residualAtSteps, double residualAtEnd, int solveSteps, boolean converged,
                double spectralRadius, double maxColumnSum, double drift) {
            this.residualAtSteps = residualAtSteps;
            this.residualAtEnd = residualAtEnd;
            this.solveSteps = solveSteps;
            this.converged = converged;
            this.spectralRadius = spectralRadius;
            this.maxColumnSum = maxColumnSum;
            this.drift = drift;
        }

        /**
         * Returns {@code ||h_N - h_(N-1)|| / ||h_N||}, the residual after the trained steps.
         *
         * @return the residual
         */
        public double residualAtSteps() {
            return residualAtSteps;
        }

        /**
         * Returns the residual where the solve stopped (at convergence, or at the horizon).
         *
         * @return the residual
         */
        public double residualAtEnd() {
            return residualAtEnd;
        }

        /**
         * Returns the steps the solve took: the first step with a residual at most the
         * tolerance, or the horizon {@code H} when none had.
         *
         * @return the number of steps
         */
        public int solveSteps() {
            return solveSteps;
        }

        /**
         * Returns whether the residual reached the tolerance within the horizon.
         *
         * @return whether the solve converged
         */
        public boolean converged() {
            return converged;
        }

        /**
         * Returns the spectral radius of the step's Jacobian at the end state {@code h_H}.
         *
         * @return the estimate (NaN or infinite if the state was not finite)
         */
        public double spectralRadius() {
            return spectralRadius;
        }

        /**
         * Returns {@code max_i (J^T 1)_i} over this image's elements at the end state.
         *
         * @return the largest column sum
         */
        public double maxColumnSum() {
            return maxColumnSum;
        }

        /**
         * Returns {@code ||h_H - h_N|| / ||h_N||}.
         *
         * @return the drift after the trained steps
         */
        public double drift() {
            return drift;
        }

        /**
         * Whether the image contracts: its solve converged and the spectral radius at its end
         * state is below 1.
         *
         * @return whether the dynamics contract on this image
         */
        public boolean contracts() {
            return converged && spectralRadius < 1;
        }

        /** {@inheritDoc} */
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "Image[residual at N %.3g, %s in %d steps"
                    + " (residual %.3g), spectral radius %.4f, max J^T 1 %.4f, drift %.4g]",
                    residualAtSteps, converged ? "converged" : "not converged", solveSteps,
                    residualAtEnd, spectralRadius, maxColumnSum, drift);
        }
    }

    /** Per-image measurements gathered over batches, and their statistics. */
    public static final class Summary {
        private final ContractionAnalysis analysis;
        private final List<Image> images = new ArrayList<>();

        /**
         * Creates an empty summary of an analysis's measurements.
         *
         * @param analysis the analysis whose settings the summary reports
         */
        public Summary(ContractionAnalysis analysis) {
            this.analysis = analysis;
        }

        /**
         * Adds the measurements of a batch.
         *
         * @param batch the images of one call of {@link ContractionAnalysis#measure}
         * @return this summary
         */
        public Summary add(List<Image> batch) {
            images.addAll(batch);
            return this;
        }

        /**
         * Returns the images measured so far.
         *
         * @return an unmodifiable view
         */
        public List<Image> images() {
            return Collections.unmodifiableList(images);
        }

        /**
         * Returns the fraction of images whose solve converged within the horizon.
         *
         * @return the fraction, NaN when empty
         */
        public double convergedFraction() {
            return fraction(true);
        }

        /**
         * Returns the fraction of images that contract (converged, spectral radius below 1).
         *
         * @return the fraction, NaN when empty
         */
        public double contractingFraction() {
            return fraction(false);
        }

        private double fraction(boolean convergedOnly) {
            if (images.isEmpty()) {
                return Double.NaN;
            }
            int n = 0;
            for (Image i : images) {
                n += (convergedOnly ? i.converged() : i.contracts()) ? 1 : 0;
            }
            return (double) n / images.size();
        }

        /**
         * Returns a quantile of a per-image figure (NaN sorts above every number, so a
         * non-finite image counts as the worst).
         *
         * @param figure the figure, e.g. {@code Image::spectralRadius}
         * @param q the quantile, in [0, 1]
         * @return the nearest-rank quantile, NaN when empty
         */
        public double quantile(java.util.function.ToDoubleFunction<Image> figure, double q) {
            if (images.isEmpty()) {
                return Double.NaN;
            }
            double[] values = new double[images.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = figure.applyAsDouble(images.get(i));
            }
            Arrays.sort(values);
            int rank = (int) Math.ceil(q * values.length) - 1;
            return values[Math.max(0, Math.min(values.length - 1, rank))];
        }

        /**
         * Returns the statistics by name, for reports: {@code images}, {@code tol}, {@code
         * horizonSteps}, {@code convergedFraction}, {@code contractingFraction}, the median and
         * 95th percentile of the spectral radius, of {@code max J^T 1}, of the drift, of the
         * residual after N steps and of the solve's steps.
         *
         * @param trainedSteps the network's N, for {@code horizonSteps}
         * @return the statistics, in a fixed order
         */
        public Map<String, Object> toMap(int trainedSteps) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("images", images.size());
            m.put("tol", analysis.getTolerance());
            m.put("trainedSteps", trainedSteps);
            m.put("horizonSteps", analysis.getHorizon() * trainedSteps);
            m.put("convergedFraction", convergedFraction());
            m.put("contractingFraction", contractingFraction());
            m.put("spectralRadiusMedian", quantile(Image::spectralRadius, 0.5));
            m.put("spectralRadiusP95", quantile(Image::spectralRadius, 0.95));
            m.put("spectralRadiusMax", quantile(Image::spectralRadius, 1));
            m.put("maxColumnSumMedian", quantile(Image::maxColumnSum, 0.5));
            m.put("maxColumnSumP95", quantile(Image::maxColumnSum, 0.95));
            m.put("driftMedian", quantile(Image::drift, 0.5));
            m.put("driftP95", quantile(Image::drift, 0.95));
            m.put("residualAtStepsMedian", quantile(Image::residualAtSteps, 0.5));
            m.put("solveStepsMedian", quantile(i -> i.solveSteps(), 0.5));
            m.put("solveStepsP95", quantile(i -> i.solveSteps(), 0.95));
            return m;
        }

        /**
         * Returns one line for people: how many images contract and the figures behind it.
         *
         * @return the line
         */
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "contraction on %d images: %.1f%% contract"
                    + " (%.1f%% converge to %.0e within %dN steps), spectral radius median %.3f,"
                    + " p95 %.3f; drift ||h_%dN - h_N||/||h_N|| median %.3g; max J^T 1 median"
                    + " %.3f", images.size(), 100 * contractingFraction(),
                    100 * convergedFraction(), analysis.getTolerance(), analysis.getHorizon(),
                    quantile(Image::spectralRadius, 0.5), quantile(Image::spectralRadius, 0.95),
                    analysis.getHorizon(), quantile(Image::drift, 0.5),
                    quantile(Image::maxColumnSum, 0.5));
        }
    }

    /** The builder for {@link ContractionAnalysis}. */
    public static final class Builder {
        private double tolerance = 1e-3;
        private int horizon = 4;
        private int powerIterations = 20;
        private long seed = 7;

        Builder() {}

        /**
         * Sets the relative residual at which an image's solve counts as converged (default
         * 1e-3).
         *
         * @param tolerance the tolerance, in (0, 1)
         * @return this builder
         */
        public Builder optTolerance(double tolerance) {
            this.tolerance = tolerance;
            return this;
        }

        /**
         * Sets the horizon factor (default 4): the solve runs {@code factor x N} steps, and the
         * drift compares that step with step {@code N}.
         *
         * @param factor the factor, at least 2
         * @return this builder
         */
        public Builder optHorizon(int factor) {
            this.horizon = factor;
            return this;
        }

        /**
         * Sets the number of power iterations for the spectral radius (default 20; the estimate
         * averages the second half).
         *
         * @param iterations the number, at least 2
         * @return this builder
         */
        public Builder optPowerIterations(int iterations) {
            this.powerIterations = iterations;
            return this;
        }

        /**
         * Sets the seed of the power iteration's start vector (default 7); the engine's random
         * state is not used.
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Builds the analysis.
         *
         * @return the analysis
         * @throws IllegalArgumentException if a value is out of range
         */
        public ContractionAnalysis build() {
            if (!(tolerance > 0 && tolerance < 1)) {
                throw new IllegalArgumentException(
                        "The contraction tolerance must be in (0, 1), got " + tolerance);
            }
            if (horizon < 2) {
                throw new IllegalArgumentException(
                        "The contraction horizon must be at least 2 (x N steps), got " + horizon);
            }
            if (powerIterations < 2) {
                throw new IllegalArgumentException(
                        "The number of power iterations must be at least 2, got "
                                + powerIterations);
            }
            return new ContractionAnalysis(this);
        }
    }
}
