/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.crbp.examples.ExitCode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The solver options end to end: training with Anderson forward and adjoint solves reports their
 * statistics, evaluation at adaptive depth reports the steps used, analyze draws the residual
 * curves, bad combinations get one line, and the time budget stops inside a long batch.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SolverOptionsTest {

    /** {@link Cli#TINY} without its --steps, which these tests set themselves. */
    private static final String[] TINY_ANY_STEPS = {
        "--channels", "2", "--kernel", "3", "--neumann-terms", "4", "--batch", "4",
        "--train-size", "8", "--val-size", "4", "--test-size", "8"
    };

    @TempDir static Path tmp;
    private Path run;
    private Cli trained;

    @BeforeAll
    void train() {
        run = tmp.resolve("anderson");
        trained = Cli.run(Cli.concat(new String[] {"train", "--out", run.toString(),
            "--solver", "anderson", "--tol", "1e-3", "--max-steps", "6", "--backward",
            "anderson", "--adjoint-tol", "1e-2", "--window", "3", "--epochs", "1",
            "--no-pictures"}, TINY_ANY_STEPS));
        assertEquals(0, trained.exitCode, trained.toString());
    }

    @Test
    void trainingReportsSolverStatistics() throws IOException {
        JsonObject r = CommandsEndToEndTest.json(run.resolve("report.json"));
        assertEquals(6, r.get("steps").getAsInt());
        JsonObject solver = r.getAsJsonObject("solver");
        assertTrue(solver.get("forward").getAsString().startsWith("anderson"), solver.toString());
        assertEquals("anderson", solver.get("backward").getAsString());
        assertEquals(1e-3, solver.get("tolerance").getAsDouble(), 0);
        double steps = solver.get("lastEpochMeanSteps").getAsDouble();
        assertTrue(steps >= 1 && steps <= 6, "mean steps " + steps);
        double adjoint = solver.get("lastEpochMeanAdjointIterations").getAsDouble();
        assertTrue(adjoint >= 1 && adjoint <= 4, "mean adjoint iterations " + adjoint);
        JsonObject epoch = r.getAsJsonArray("history").get(0).getAsJsonObject();
        assertEquals(steps, epoch.get("steps").getAsDouble(), 1e-12);
        assertTrue(trained.out.matches("(?s).*Epoch 1/1: loss [^\\n]*, steps [0-9.]+, residual"
                + " [^\\n]*, adjoint [0-9.]+ \\(cut [0-9]+%[^\\n]*, training F1.*"), trained.out);
    }

    @Test
    void evaluateAtAdaptiveDepthReportsTheStepsUsed() throws IOException {
        Path out = tmp.resolve("adaptive");
        Cli c = Cli.run("evaluate", "--checkpoint", run.toString(), "--tol", "1e-2",
                "--max-steps", "30", "--out", out.toString());
        assertEquals(0, c.exitCode, c.toString());
        assertTrue(c.out.contains("Steps used: mean"), c.out);
        JsonObject depth = CommandsEndToEndTest.json(out.resolve("report.json"))
                .getAsJsonObject("adaptiveDepth");
        assertEquals(8, depth.get("samples").getAsInt());
        assertEquals(30, depth.get("maxSteps").getAsInt());
        int counted = depth.get("notConverged").getAsInt();
        for (Map.Entry<String, JsonElement> e : depth.getAsJsonObject("stepsHistogram")
                .entrySet()) {
            int steps = Integer.parseInt(e.getKey());
            assertTrue(steps >= 1 && steps <= 30, "steps " + steps);
            counted += e.getValue().getAsInt();
        }
        assertEquals(8, counted, "every image is in the histogram or not converged: " + depth);
    }

    @Test
    void analyzeDrawsResidualCurvesOfBothSolvers() throws IOException {
        Path out = tmp.resolve("analysis");
        Cli c = Cli.run("analyze", "--checkpoint", run.toString(), "--steps", "10", "--images",
                "4", "--power-iterations", "2", "--out", out.toString());
        assertEquals(0, c.exitCode, c.toString());
        CommandsEndToEndTest.assertPng(out.resolve(AnalyzeCommand.RESIDUALS));
        JsonObject residuals = CommandsEndToEndTest.json(out.resolve("analysis.json"))
                .getAsJsonObject("residuals");
        for (String solver : new String[] {"naive", "anderson"}) {
            JsonArray images = residuals.getAsJsonArray(solver);
            assertEquals(4, images.size(), solver);
            JsonArray first = images.get(0).getAsJsonArray();
            assertEquals(10, first.size(), solver + " evaluations");
            assertTrue(first.get(9).getAsDouble() < first.get(0).getAsDouble(),
                    solver + " residual should fall: " + first);
        }
    }

    @Test
    void badSolverOptionsAreOneLine() {
        String[][] bad = {
            {"--tol", "2"},
            {"--solver", "broyden"},
            {"--backward", "exact"},
            {"--adjoint-tol", "0"},
            {"--window", "0"},
            {"--method", "bptt", "--solver", "anderson"},
            {"--steps", "3", "--max-steps", "5"},
        };
        String[] expected = {"--tol", "--solver", "--backward", "--adjoint-tol", "--window",
            "rbp and crbp only", "disagree"};
        for (int i = 0; i < bad.length; i++) {
            Cli c = Cli.run(Cli.concat(Cli.concat(new String[] {"train", "--out",
                tmp.resolve("bad" + i).toString()}, TINY_ANY_STEPS), bad[i]));
            assertEquals(ExitCode.USAGE.code(), c.exitCode, String.join(" ", bad[i]) + ": " + c);
            assertTrue(c.err.contains(expected[i]), c.err);
            assertEquals(1, c.err.strip().lines().count(), "one line: " + c.err);
        }
        Cli e = Cli.run("evaluate", "--checkpoint", run.toString(), "--tol", "1e-3", "--steps",
                "4");
        assertEquals(ExitCode.USAGE.code(), e.exitCode, e.toString());
        assertTrue(e.err.contains("exclude"), e.err);
    }

    @Test
    void timeBudgetStopsInsideALongBatch() throws IOException {
        // one batch of 300 steps (several seconds) takes far longer than the 0.3 s budget: without
        // the check between steps the first batch would finish and the run would stop after it
        Path out = tmp.resolve("budget");
        Cli c = Cli.run(Cli.concat(new String[] {"train", "--out", out.toString(), "--method",
            "rbp", "--steps", "300", "--time-budget", "0.005", "--no-pictures",
            "--test-size", "4"}, "--channels", "2", "--kernel", "3", "--neumann-terms", "2",
                "--batch", "4", "--train-size", "8", "--val-size", "4"));
        assertEquals(0, c.exitCode, c.toString());
        assertTrue(c.out.contains("Time budget reached after 0 batches of epoch 1"), c.out);
        assertTrue(out.resolve("checkpoints").toFile().isDirectory(), c.out);
    }
}
