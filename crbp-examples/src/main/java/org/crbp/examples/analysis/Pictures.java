/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;

import org.crbp.core.RecurrentNet;
import org.crbp.examples.pathfinder.PathfinderDataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pictures of a run: training curves, time course, extrapolation, state space. */
public final class Pictures {

    /** The file of the training curves. */
    public static final String CURVES = "training-curves.png";
    /** The file of the time course of the readout. */
    public static final String TIME_COURSE = "timecourse.png";
    /** The file of the readout's F1 at every step. */
    public static final String EXTRAPOLATION = "extrapolation.png";
    /** The file of the state trajectories on their principal components. */
    public static final String STATE_SPACE = "state-space.png";

    private Pictures() {}

    /**
     * The default last step of the analyses: twice the trained steps, at least 10 more.
     *
     * @param steps the trained steps
     * @return the last step to analyse
     */
    public static int defaultAnalysisSteps(int steps) {
        return Math.max(2 * steps, steps + 10);
    }

    /**
     * Scores the readout after every step from 1 to {@code last} and draws the curve.
     *
     * @param net the trained network
     * @param manager the manager of the arrays
     * @param set the images
     * @param last the last step
     * @return the report's extrapolation block
     */
    public static Map<String, Object> extrapolation(RecurrentNet net, NDManager manager,
            PathfinderDataset set, int last) {
        Scores[] perStep = Analysis.perStepScores(net, manager, set, last);
        double[] steps = new double[last];
        double[] f1 = new double[last];
        for (int i = 0; i < last; i++) {
            steps[i] = i + 1;
            f1[i] = perStep[i].f1();
        }
        Map<String, Object> ex = new LinkedHashMap<>();
        ex.put("images", set.size());
        ex.put("steps", steps);
        ex.put("f1", f1);
        int best = 0;
        for (int i = 1; i < last; i++) {
            if (f1[i] > f1[best]) {
                best = i;
            }
        }
        ex.put("bestStep", best + 1);
        ex.put("bestF1", f1[best]);
        return ex;
    }

    /**
     * Draws the time course of the readout and the state trajectories of a few images.
     *
     * @param net the trained network
     * @param manager the manager of the arrays
     * @param trainedSteps the steps it was trained with
     * @param set the images
     * @param last the last step drawn
     * @param name the run's name, for the titles
     * @param out the folder the pictures go to
     * @param report the report, which gains the state-space block
     * @throws IOException if a picture cannot be written
     */
    public static void timeCourseAndStateSpace(RecurrentNet net, NDManager manager,
            int trainedSteps, PathfinderDataset set, int last, String name, Path out,
            Map<String, Object> report) throws IOException {
        int[] steps = chooseSteps(trainedSteps);
        int width = set.getWidth();
        int height = set.getHeight();
        IOException[] failure = new IOException[1];
        try (NDManager scope = manager.newSubManager()) {
            Analysis.forEachBatch(set, scope, 1, batch -> {
                try {
                    drawBatch(net, scope, batch, steps, width, height, last, trainedSteps, name,
                            out, report);
                } catch (IOException e) {
                    failure[0] = e;
                }
            });
        }
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    private static void drawBatch(RecurrentNet net, NDManager manager, Batch batch, int[] steps,
            int width, int height, int last, int trainedSteps, String name, Path out,
            Map<String, Object> report) throws IOException {
        int images = 4;
        List<List<float[]>> readouts =
                Analysis.readoutTimeCourse(net, manager, batch, images, steps);
        List<float[]> inputs = new ArrayList<>();
        List<float[]> targets = new ArrayList<>();
        NDArray x = batch.getData().head();
        NDArray y = batch.getLabels().head();
        for (int i = 0; i < readouts.size(); i++) {
            inputs.add(x.get(i).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                    .toFloatArray());
            targets.add(y.get(i).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                    .toFloatArray());
        }
        Charts.timeCourse(inputs, readouts, targets, steps, width, height,
                name + ": P(contour) at step t",
                out.resolve(TIME_COURSE));
        List<double[][]> trajectories =
                Analysis.stateTrajectories(net, manager, batch, 4, last);
        List<double[][]> projected = new ArrayList<>();
        Stats.Pca pca = Analysis.project(trajectories, projected);
        Charts.stateSpace(projected, trainedSteps, pca.explained,
                "State trajectories, steps 1.." + last + ", top 2 PCs (" + name + ")",
                out.resolve(STATE_SPACE));
        Map<String, Object> ss = new LinkedHashMap<>();
        ss.put("images", projected.size());
        ss.put("steps", last);
        ss.put("explainedVariance", pca.explained);
        report.put("stateSpace", ss);
    }

    /** Up to 8 steps from 1 to T, evenly spread, always including 1 and T. */
    static int[] chooseSteps(int trained) {
        int n = Math.min(trained, 8);
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = n == 1 ? trained : 1 + (int) Math.round((double) i * (trained - 1) / (n - 1));
        }
        return s;
    }
}
