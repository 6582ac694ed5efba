/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;

import org.crbp.examples.config.RunConfig;
import org.crbp.core.RecurrentNet;
import org.crbp.examples.analysis.Charts;
import org.crbp.examples.analysis.Pictures;
import org.crbp.examples.pathfinder.PathfinderDataset;
import org.crbp.examples.pathfinder.PathfinderPreset;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pictures at the end of a training run, drawn with the analysis package's pictures. */
final class RunPictures {

    private RunPictures() {}

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
    static void forRun(Block block, NDManager manager, RunConfig c, Checkpoints.State state,
            PathfinderDataset test, Path out, int analysisSteps, Map<String, Object> report,
            PrintWriter console) throws IOException {
        List<String> written = new ArrayList<>();
        String name = c.preset + ", " + c.model + " " + c.methodLabel()
                + (c.recurrent() ? " T=" + c.steps : "");
        if (!state.history.isEmpty()) {
            int n = state.history.size();
            double[][] curves = new double[5][n];
            for (int i = 0; i < n; i++) {
                Checkpoints.EpochRecord r = state.history.get(i);
                curves[0][i] = r.epoch;
                curves[1][i] = r.loss;
                curves[2][i] = r.penalty;
                curves[3][i] = r.trainF1;
                curves[4][i] = r.validationF1;
            }
            Charts.trainingCurves(curves[0], curves[1], curves[2], curves[3], curves[4], name,
                    out.resolve(Pictures.CURVES));
            written.add(Pictures.CURVES);
        }
        if (block instanceof RecurrentNet) {
            RecurrentNet net = (RecurrentNet) block;
            int last = analysisSteps > 0 ? analysisSteps : Pictures.defaultAnalysisSteps(c.steps);
            PathfinderPreset preset = c.presetValue();
            PathfinderDataset small = Setup.evalSet(c, preset, PathfinderDataset.Split.TEST,
                    Math.min(c.testSize, 2 * c.batch));
            Map<String, Object> ex = Pictures.extrapolation(net, manager, small, last);
            Map<String, double[]> series = new LinkedHashMap<>();
            series.put(c.preset, (double[]) ex.get("f1"));
            Charts.extrapolation((double[]) ex.get("steps"), series, c.steps,
                    "Readout at every step (" + name + ")", out.resolve(Pictures.EXTRAPOLATION));
            report.put("extrapolation", ex);
            written.add(Pictures.EXTRAPOLATION);
            Pictures.timeCourseAndStateSpace(net, manager, c.steps, small, last, name, out,
                    report);
            written.add(Pictures.TIME_COURSE);
            written.add(Pictures.STATE_SPACE);
        }
        report.put("pictures", written);
        console.println("Pictures: " + String.join(", ", written) + " in " + out);
    }
}
