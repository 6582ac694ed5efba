/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.analysis;

import org.crbp.examples.CliException;
import org.crbp.examples.ExitCode;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.translate.TranslateException;

import org.crbp.core.RecurrentNet;
import org.crbp.core.ScopedParameterStore;
import org.crbp.core.solver.Anderson;
import org.crbp.core.solver.FixedPointMap;
import org.crbp.core.solver.FixedPointSolver;
import org.crbp.core.solver.NaiveIteration;
import org.crbp.core.solver.Residual;
import org.crbp.models.SegmentationEvaluator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The analyses of a trained recurrent network (the paper's Fig. 1 and 2c): the readout at every
 * step, distances between states, the state-space projection, the time course of the
 * segmentation, and the largest singular value of the step's Jacobian at the last state.
 */
public final class Analysis {

    private Analysis() {}

    /**
     * Calls {@code action} with every batch of a dataset, closing each batch afterwards.
     *
     * @param set the dataset
     * @param manager the manager the batches are read into
     * @param maxBatches the most batches to visit (0 or less: all)
     * @param action what to do with each batch
     */
    public static void forEachBatch(Dataset set, NDManager manager, int maxBatches,
            Consumer<Batch> action) {
        int n = 0;
        try {
            for (Batch batch : set.getData(manager)) {
                try {
                    if (maxBatches <= 0 || n < maxBatches) {
                        action.accept(batch);
                    }
                    n++;
                } finally {
                    batch.close();
                }
            }
        } catch (IOException | TranslateException e) {
            throw new CliException("cannot read the data: " + e.getMessage(), ExitCode.FAILURE,
                    e);
        }
    }

    /**
     * Scores of the readout applied after every step 1..maxSteps (the extrapolation curve).
     *
     * @param net the network
     * @param manager the manager
     * @param set the data
     * @param maxSteps the last step
     * @return one Scores per step (index 0 = step 1)
     */
    static Scores[] perStepScores(RecurrentNet net, NDManager manager, Dataset set,
            int maxSteps) {
        Scores[] scores = new Scores[maxSteps];
        for (int i = 0; i < maxSteps; i++) {
            scores[i] = new Scores();
        }
        ParameterStore ps = new ParameterStore(manager, false);
        try (NDManager scope = manager.newSubManager()) {
            forEachBatch(set, scope, 0, batch -> {
                NDList labels = batch.getLabels();
                net.visitSteps(ps, batch.getData(), maxSteps, (t, state, stepStore) -> {
                    NDList pred = net.readout(stepStore, state, false);
                    scores[t - 1].add(SegmentationEvaluator.confusion(labels, pred));
                });
            });
        }
        return scores;
    }

    /**
     * Per image, the relative distance {@code ||h_T - h_N|| / ||h_N||} between the state after
     * the trained number of steps N and a late step T.
     *
     * @param net the network
     * @param manager the manager
     * @param set the data
     * @param trainedSteps N
     * @param lateStep T, more than N
     * @return one distance per image
     */
    public static double[] stateDistances(RecurrentNet net, NDManager manager, Dataset set,
            int trainedSteps, int lateStep) {
        List<Double> out = new ArrayList<>();
        ParameterStore ps = new ParameterStore(manager, false);
        try (NDManager scope = manager.newSubManager()) {
            forEachBatch(set, scope, 0, batch -> {
                NDManager bm = batch.getManager();
                NDArray[] kept = new NDArray[1];
                net.visitSteps(ps, batch.getData(), lateStep, (t, state, stepStore) -> {
                    NDArray h = flatState(state);
                    if (t == trainedSteps) {
                        kept[0] = h.duplicate();
                        kept[0].attach(bm);
                    }
                    if (t == lateStep) {
                        NDArray diff = h.sub(kept[0]).square().sum(new int[] {1}).sqrt();
                        NDArray ref = kept[0].square().sum(new int[] {1}).sqrt().add(1e-12f);
                        for (float v : diff.div(ref).toFloatArray()) {
                            out.add((double) v);
                        }
                    }
                });
            });
        }
        double[] d = new double[out.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = out.get(i);
        }
        return d;
    }

    /** Flattens a (possibly multi-array) state to {@code (N, D)}. */
    static NDArray flatState(NDList state) {
        NDList parts = new NDList(state.size());
        for (NDArray a : state) {
            parts.add(a.reshape(a.getShape().get(0), -1));
        }
        return parts.size() == 1 ? parts.head() : NDArrays.concat(parts, 1);
    }

    /** Per image, the flattened state after every step, for the state-space projection. */
    static List<double[][]> stateTrajectories(RecurrentNet net, NDManager manager, Batch batch,
            int images, int maxSteps) {
        ParameterStore ps = new ParameterStore(manager, false);
        List<double[][]> perImage = new ArrayList<>();
        int n = (int) Math.min(images, batch.getData().head().getShape().get(0));
        for (int i = 0; i < n; i++) {
            perImage.add(new double[maxSteps][]);
        }
        net.visitSteps(ps, batch.getData(), maxSteps, (t, state, stepStore) -> {
            NDArray h = flatState(state);
            for (int i = 0; i < n; i++) {
                float[] v = h.get(i).toFloatArray();
                double[] d = new double[v.length];
                for (int j = 0; j < v.length; j++) {
                    d[j] = v[j];
                }
                perImage.get(i)[t - 1] = d;
            }
        });
        return perImage;
    }

    /** Projects per-image trajectories (each centred) on the top two principal components. */
    static Stats.Pca project(List<double[][]> trajectories, List<double[][]> projected) {
        // each image's trajectory is centred on its own mean: the picture shows how states move,
        // not how far apart the images are
        List<double[]> rows = new ArrayList<>();
        for (double[][] t : trajectories) {
            int d = t[0].length;
            double[] mean = new double[d];
            for (double[] r : t) {
                for (int j = 0; j < d; j++) {
                    mean[j] += r[j] / t.length;
                }
            }
            for (double[] r : t) {
                double[] c = new double[d];
                for (int j = 0; j < d; j++) {
                    c[j] = r[j] - mean[j];
                }
                rows.add(c);
            }
        }
        Stats.Pca pca = Stats.pca(rows.toArray(new double[0][]), 2);
        int k = 0;
        for (double[][] t : trajectories) {
            double[][] p = new double[t.length][];
            for (int i = 0; i < t.length; i++) {
                p[i] = pca.projection[k++];
            }
            projected.add(p);
        }
        return pca;
    }

    /** The foreground probability of the readout at chosen steps, for the time course. */
    static List<List<float[]>> readoutTimeCourse(RecurrentNet net, NDManager manager,
            Batch batch, int images, int[] steps) {
        ParameterStore ps = new ParameterStore(manager, false);
        int n = (int) Math.min(images, batch.getData().head().getShape().get(0));
        List<List<float[]>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ArrayList<>());
        }
        int last = steps[steps.length - 1];
        net.visitSteps(ps, batch.getData(), last, (t, state, stepStore) -> {
            boolean wanted = false;
            for (int s : steps) {
                wanted |= s == t;
            }
            if (!wanted) {
                return;
            }
            NDArray logits = net.readout(stepStore, state, false).head();
            NDArray p = logits.softmax(1).get(":, 1");
            for (int i = 0; i < n; i++) {
                out.get(i).add(p.get(i).toFloatArray());
            }
        });
        return out;
    }

    /** The result of the Jacobian analysis at the last state. */
    public static final class JacobianEstimate {
        /** The largest singular value of the step's Jacobian. */
        public double sigmaMax;
        /** The power iterations its estimate took. */
        public int sigmaIterations;
        /** The spectral radius of the step's Jacobian. */
        public double spectralRadius;
        /** The power iterations its estimate took. */
        public int radiusIterations;
        /** The largest column sum {@code max(J^T 1)}. */
        public double maxColumnSum;
    }

    /**
     * The forward solve's convergence on one batch: the relative residual of every image after
     * each cell evaluation, for plain iteration and for Anderson acceleration from the same start
     * {@code h = 0}, each run for the whole budget (tolerance 0).
     *
     * @param net the model
     * @param manager the manager
     * @param batchData the images
     * @param evaluations the number of cell evaluations of each solver
     * @param window Anderson's window
     * @return per solver ("naive", "anderson"), per image, the residual after each evaluation
     */
    public static java.util.Map<String, List<double[]>> residualCurves(RecurrentNet net,
            NDManager manager, NDList batchData, int evaluations, int window) {
        java.util.Map<String, List<double[]>> curves = new java.util.LinkedHashMap<>();
        ParameterStore ps = new ParameterStore(manager, false);
        java.util.Map<String, FixedPointSolver> solvers = new java.util.LinkedHashMap<>();
        solvers.put("naive", NaiveIteration.builder().build());
        solvers.put("anderson", Anderson.builder().optWindow(window).build());
        for (java.util.Map.Entry<String, FixedPointSolver> e : solvers.entrySet()) {
            try (NDManager scope = manager.newSubManager()) {
                batchData.tempAttach(scope);
                NDArray drive = net.drive(ps, batchData, false).stopGradient();
                drive.attach(scope);
                int images = Math.toIntExact(drive.getShape().get(0));
                double[][] history = new double[images][evaluations];
                int[] done = new int[1];
                FixedPointMap map = net.stepMap(ps, drive, false);
                e.getValue().solve((z, target) -> {
                    NDList next = map.apply(z, target);
                    double[] r = Residual.of(next, z).samples();
                    for (int b = 0; b < images; b++) {
                        history[b][done[0]] = r[b];
                    }
                    done[0]++;
                    return next;
                }, net.getCell().initialState(drive), evaluations);
                List<double[]> perImage = new ArrayList<>();
                for (double[] h : history) {
                    perImage.add(java.util.Arrays.copyOf(h, done[0]));
                }
                curves.put(e.getKey(), perImage);
            }
        }
        return curves;
    }

    /**
     * Estimates, at the state after {@code steps} steps of one batch, the largest singular value
     * of the step's Jacobian {@code J = dF/dh} (power iteration on {@code J^T J}, with {@code J^T
     * u} from DJL's gradient collector and {@code J v} by central differences), the spectral
     * radius (power iteration on {@code J^T}) and {@code max(J^T 1)}. The map is the whole
     * batch's, as the cells normalise over the batch.
     *
     * @param net the network
     * @param manager the manager
     * @param batchData the batch's inputs
     * @param steps the number of steps to the analysed state
     * @param iterations the largest number of power iterations
     * @return the estimates
     */
    public static JacobianEstimate jacobian(RecurrentNet net, NDManager manager, NDList batchData,
            int steps, int iterations) {
        ParameterStore base = new ParameterStore(manager, false);
        JacobianEstimate result = new JacobianEstimate();
        try (NDManager scope = manager.newSubManager()) {
            NDList data = batchData;
            data.tempAttach(scope);
            ScopedParameterStore detached = new ScopedParameterStore(base, scope, true);
            NDArray drive = net.drive(detached, data, false).stopGradient();
            NDList state = net.getCell().initialState(drive);
            NDList last = net.advance(base, drive, state, steps, true, false, null);
            NDList h = new NDList();
            for (NDArray a : last) {
                NDArray c = a.stopGradient().duplicate();
                h.add(c);
            }
            Shape[] shapes = h.getShapes();
            int total = 0;
            for (Shape s : shapes) {
                total += (int) s.size();
            }
            final int size = total;
            double scale = 0;
            for (NDArray a : h) {
                scale += a.square().sum().getFloat();
            }
            double hNorm = Math.sqrt(scale);
            java.util.function.UnaryOperator<double[]> vjp = u -> {
                try (NDManager s = scope.newSubManager()) {
                    NDList leaf = new NDList();
                    for (NDArray a : h) {
                        NDArray l = a.duplicate();
                        l.attach(s);
                        l.setRequiresGradient(true);
                        leaf.add(l);
                    }
                    NDArray d = drive.duplicate();
                    d.attach(s);
                    ScopedParameterStore ps = new ScopedParameterStore(base, s, true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDList out = net.step(ps, d, leaf, false);
                        NDList cot = split(s, u, shapes);
                        NDArray target = null;
                        for (int i = 0; i < out.size(); i++) {
                            NDArray term = out.get(i).mul(cot.get(i)).sum();
                            target = target == null ? term : target.add(term);
                        }
                        gc.backward(target);
                    }
                    return join(leaf, true, size);
                }
            };
            java.util.function.UnaryOperator<double[]> jvp = v -> {
                double eps = 1e-3 * Math.max(hNorm, 1e-3) / Math.max(Stats.norm(v), 1e-30);
                try (NDManager s = scope.newSubManager()) {
                    NDList dv = split(s, v, shapes);
                    NDList plus = new NDList();
                    NDList minus = new NDList();
                    for (int i = 0; i < h.size(); i++) {
                        NDArray step = dv.get(i).mul((float) eps);
                        plus.add(step.add(h.get(i)));
                        minus.add(step.neg().add(h.get(i)));
                    }
                    ScopedParameterStore ps = new ScopedParameterStore(base, s, true);
                    NDArray d = drive.duplicate();
                    d.attach(s);
                    NDList fp = net.step(ps, d, plus, false);
                    NDList fm = net.step(ps, d, minus, false);
                    NDList diff = new NDList();
                    for (int i = 0; i < fp.size(); i++) {
                        diff.add(fp.get(i).toType(DataType.FLOAT64, false)
                                .sub(fm.get(i).toType(DataType.FLOAT64, false))
                                .div(2 * eps));
                    }
                    return join(diff, false, size);
                }
            };
            java.util.Random random = new java.util.Random(7);
            double[] start = new double[size];
            for (int i = 0; i < size; i++) {
                start[i] = random.nextGaussian();
            }
            Stats.PowerResult sigma = Stats.largestSingularValue(jvp, vjp, start, iterations,
                    1e-3);
            result.sigmaMax = sigma.value;
            result.sigmaIterations = sigma.iterations;
            Stats.PowerResult rho = Stats.spectralRadius(vjp, start, iterations, 1e-3);
            result.spectralRadius = rho.value;
            result.radiusIterations = rho.iterations;
            double[] ones = new double[size];
            java.util.Arrays.fill(ones, 1.0);
            double max = Double.NEGATIVE_INFINITY;
            for (double v : vjp.apply(ones)) {
                max = Math.max(max, v);
            }
            result.maxColumnSum = max;
        }
        return result;
    }

    private static NDList split(NDManager m, double[] flat, Shape[] shapes) {
        NDList out = new NDList();
        int off = 0;
        for (Shape s : shapes) {
            int n = (int) s.size();
            float[] part = new float[n];
            for (int i = 0; i < n; i++) {
                part[i] = (float) flat[off + i];
            }
            off += n;
            out.add(m.create(part, s));
        }
        return out;
    }

    private static double[] join(NDList arrays, boolean gradients, int size) {
        double[] out = new double[size];
        int off = 0;
        for (NDArray a : arrays) {
            NDArray v = gradients ? a.getGradient() : a;
            double[] d = v.toType(DataType.FLOAT64, false).toDoubleArray();
            System.arraycopy(d, 0, out, off, d.length);
            off += d.length;
        }
        return out;
    }
}
