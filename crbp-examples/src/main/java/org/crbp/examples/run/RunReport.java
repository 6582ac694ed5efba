/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import ai.djl.Device;

import org.crbp.core.bench.ProcessMemory;
import org.crbp.examples.analysis.Evaluation;
import org.crbp.examples.analysis.Stats;
import org.crbp.examples.config.RunConfig;
import org.crbp.examples.config.SettingNames;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a finished run's {@code report.json} says: its settings, its scores, its costs. */
final class RunReport {

    private RunReport() {}

    /**
     * The bound of the test after training, and again of the test's contraction measurement:
     * a quarter of the time budget, at least two minutes, from now; none without a budget.
     */
    static long testDeadline(double budgetMinutes) {
        if (!(budgetMinutes > 0)) {
            return Evaluation.NO_DEADLINE;
        }
        double seconds = Math.max(120, budgetMinutes * 15);
        return System.nanoTime() + (long) (seconds * 1e9);
    }

    /**
     * The warnings of every epoch that left the contractive regime, rebuilt from the history so
     * that a resumed run reports its earlier epochs too.
     */
    static List<String> contractionWarnings(RunConfig c, Checkpoints.State state,
            SettingNames names) {
        List<String> regime = new ArrayList<>();
        for (Checkpoints.EpochRecord r : state.history) {
            String warning = TrainingLoop.contractionWarning(r, c, names);
            if (warning != null) {
                regime.add(warning);
            }
        }
        return regime;
    }

    /**
     * The report of a trained and tested run, before the test's contraction and pictures; the
     * test's metrics are the task's ({@code Task.testReport}).
     */
    static Map<String, Object> of(RunConfig c, Checkpoints.State state, long parameters,
            Map<String, Object> scores, Device device, Training.Options o) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("preset", c.preset);
        r.put("testPreset", c.preset);
        r.put("model", c.model);
        r.put("method", c.recurrent() ? c.method : "ff");
        r.put("steps", c.recurrent() ? c.steps : 0);
        r.put("neumannTerms", c.neumannTerms);
        if (c.recurrent() && c.method.rbpFamily()) {
            r.put("solver", solver(c, state));
        }
        r.put("lambda", c.lambda);
        r.put("penaltyWeight", c.penaltyWeight);
        r.put("penaltyReduction", c.penaltyReduction);
        r.put("penaltyProbe", c.penaltyProbe);
        if ("power".equals(c.penaltyProbe)) {
            r.put("penaltyIterations", c.penaltyIterations);
        }
        r.put("penaltyDifference", c.penaltyDifference);
        r.put("kernel", c.kernel);
        r.put("channels", c.channels);
        r.put("parameters", parameters);
        r.put("epochs", state.epoch);
        r.put("batchesInPartialEpoch", state.batchesInEpoch);
        r.put("epochsRequested", c.epochs);
        r.put("timeBudgetMinutes", o.timeBudgetMinutes);
        r.put("trainSize", c.trainSize);
        r.put("testSize", c.testSize);
        r.putAll(scores);
        costs(r, state);
        r.put("device", device.toString());
        r.put("seed", c.seed);
        provenance(r, c, device);
        r.put("config", c);
        r.put("commandLine", String.join(" ", o.commandLine));
        r.put("history", state.history);
        return r;
    }

    /** How the fixed point and the implicit gradient were reached, and at what cost. */
    private static Map<String, Object> solver(RunConfig c, Checkpoints.State state) {
        Map<String, Object> solver = new LinkedHashMap<>();
        solver.put("forward", Setup.forwardSolver(c).describe());
        solver.put("tolerance", c.tolerance);
        solver.put("maxSteps", c.steps);
        solver.put("backward", c.backward);
        if (c.backward.usesTolerance()) {
            solver.put("adjointTolerance", c.adjointTolerance);
        }
        if (!state.history.isEmpty()) {
            Checkpoints.EpochRecord last = state.history.get(state.history.size() - 1);
            solver.put("lastEpochMeanSteps", last.steps);
            solver.put("lastEpochMeanResidual", last.residual);
            solver.put("lastEpochMeanAdjointIterations", last.adjointIterations);
        }
        return solver;
    }

    /** Peak memory and time per iteration. */
    private static void costs(Map<String, Object> r, Checkpoints.State state) {
        r.put("peakMemoryBytes", ProcessMemory.peakResidentBytes());
        double[] secs = new double[state.batchSeconds.size()];
        for (int i = 0; i < secs.length; i++) {
            secs[i] = state.batchSeconds.get(i);
        }
        r.put("secondsPerIteration", Stats.median(secs));
        r.put("iterations", secs.length);
        r.put("trainingSeconds", state.trainingSeconds);
    }

    /** The versions the run was made with, the main ones at the top level too. */
    private static void provenance(Map<String, Object> r, RunConfig c, Device device) {
        Map<String, Object> prov = new LinkedHashMap<>(Provenance.collect(c.seed, device));
        r.put("crbpVersion", prov.get("crbpVersion"));
        r.put("gitCommit", prov.get("gitCommit"));
        r.put("djlVersion", prov.get("djlVersion"));
        r.put("pytorchVersion", prov.get("pytorchVersion"));
        r.put("provenance", prov);
    }
}
