/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.dataset.Batch;

import org.crbp.core.RecurrentNet;
import org.crbp.examples.pathfinder.PathfinderDataset;
import org.crbp.examples.pathfinder.PathfinderPreset;
import org.crbp.examples.run.Checkpoints;
import org.crbp.examples.run.RunConfig;
import org.crbp.examples.run.Setup;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pictures of a run: training curves, time course, extrapolation, state space. */
public final class Pictures {

    public static final String CURVES = "training-curves.png";
    public static final String TIME_COURSE = "timecourse.png";
    public static final String EXTRAPOLATION = "extrapolation.png";
    public static final String STATE_SPACE = "state-space.png";

    private Pictures() {}

    /** The default last step of the analyses: twice the trained steps, at least 10 more. */
    public static int defaultAnalysisSteps(int steps) {
        return Math.max(2 * steps, steps + 10);
    }

    /**
     * Draws every picture of a training run and adds the analyses' numbers to the report.
     *
     * @param block the trained model
     * @param manager a manager
     * @param c the configuration
     * @param state the checkpoint state (history)
     * @param test the test set
     * @param out the run folder
     * @param analysisSteps the last step of the analyses (0: the default)
     * @param report the report to extend
     * @param console progress lines
     * @throws IOException if writing fails
     */
    public static void forRun(Block block, NDManager manager, RunConfig c, Checkpoints.State state,
            PathfinderDataset test, Path out, int analysisSteps, Map<String, Object> report,
            PrintWriter console) throws IOException {
        List<String> written = new ArrayList<>();
        String name = c.preset + ", " + c.model + " " + c.methodLabel()
                + (c.recurrent() ? " T=" + c.steps : "");
        if (!state.history.isEmpty()) {
            Charts.trainingCurves(state.history, name, out.resolve(CURVES));
            written.add(CURVES);
        }
        if (block instanceof RecurrentNet) {
            RecurrentNet net = (RecurrentNet) block;
            int last = analysisSteps > 0 ? analysisSteps : defaultAnalysisSteps(c.steps);
            PathfinderPreset preset = c.presetValue();
            PathfinderDataset small = Setup.evalSet(c, preset, PathfinderDataset.Split.TEST,
                    Math.min(c.testSize, 2 * c.batch));
            Map<String, Object> ex = extrapolation(net, manager, small, last);
            Map<String, double[]> series = new LinkedHashMap<>();
            series.put(c.preset, (double[]) ex.get("f1"));
            Charts.extrapolation((double[]) ex.get("steps"), series, c.steps,
                    "Readout at every step (" + name + ")", out.resolve(EXTRAPOLATION));
            report.put("extrapolation", ex);
            written.add(EXTRAPOLATION);
            timeCourseAndStateSpace(net, manager, c, small, last, name, out, report);
            written.add(TIME_COURSE);
            written.add(STATE_SPACE);
        }
        report.put("pictures", written);
        console.println("Pictures: " + String.join(", ", written) + " in " + out);
    }

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

    public static void timeCourseAndStateSpace(RecurrentNet net, NDManager manager, RunConfig c,
            PathfinderDataset set, int last, String name, Path out, Map<String, Object> report)
            throws IOException {
        int[] steps = chooseSteps(c.steps);
        int width = set.getWidth();
        int height = set.getHeight();
        IOException[] failure = new IOException[1];
        try (NDManager scope = manager.newSubManager()) {
            Analysis.forEachBatch(set, scope, 1, batch -> {
                try {
                    drawBatch(net, scope, batch, steps, width, height, last, c, name, out,
                            report);
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
            int width, int height, int last, RunConfig c, String name, Path out,
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
        Charts.stateSpace(projected, c.steps, pca.explained,
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
