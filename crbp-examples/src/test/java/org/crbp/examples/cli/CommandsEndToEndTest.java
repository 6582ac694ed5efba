/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.ExitCode;
import org.crbp.examples.analysis.Pictures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

/**
 * Every subcommand runs end to end on a tiny model and writes what it promises: reports with
 * their fields and PNG pictures that ImageIO reads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class CommandsEndToEndTest {

    @TempDir static Path tmp;
    private Path run;
    private Cli trained;

    @BeforeAll
    void train() {
        run = tmp.resolve("run");
        trained = Cli.run(Cli.concat(new String[] {"train", "--out", run.toString()},
                Cli.concat(Cli.TINY, "--epochs", "2", "--analysis-steps", "4")));
        assertEquals(0, trained.exitCode, trained.toString());
    }

    public static JsonObject json(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
                .getAsJsonObject();
    }

    static void assertPng(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), file + " missing");
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, file + " is not a readable image");
        assertTrue(img.getWidth() > 10 && img.getHeight() > 10, file + " is too small");
    }

    @Test
    void trainWritesReportCheckpointsAndPictures() throws IOException {
        JsonObject r = json(run.resolve("report.json"));
        for (String key : new String[] {"preset", "model", "method", "steps", "neumannTerms",
            "lambda", "parameters", "epochs", "trainSize", "f1", "iou", "foregroundIoU",
            "precision", "recall", "peakMemoryBytes", "secondsPerIteration", "device",
            "crbpVersion", "gitCommit", "djlVersion", "pytorchVersion", "seed", "config",
            "history", "extrapolation"}) {
            assertTrue(r.has(key), "report.json lacks " + key);
        }
        assertEquals("pf-mini-14", r.get("preset").getAsString());
        assertEquals("crbp", r.get("method").getAsString());
        assertEquals(2, r.get("epochs").getAsInt());
        double f1 = r.get("f1").getAsDouble();
        assertEquals(f1 / (2 - f1), r.get("iou").getAsDouble(), 1e-9);
        assertTrue(r.get("parameters").getAsLong() > 0);
        assertTrue(r.get("peakMemoryBytes").getAsLong() > 0);
        assertEquals(2, r.getAsJsonArray("history").size());
        for (String png : new String[] {Pictures.CURVES, Pictures.TIME_COURSE,
            Pictures.EXTRAPOLATION, Pictures.STATE_SPACE}) {
            assertPng(run.resolve(png));
        }
        assertTrue(Files.isDirectory(run.resolve("checkpoints/epoch-001")));
        assertTrue(Files.isRegularFile(run.resolve("checkpoints/epoch-002/crbp-0002.params")));
        assertTrue(trained.out.contains("Epoch 2/2"), trained.out);
    }

    @Test
    void evaluateOnAnotherPresetWithMoreSteps() throws IOException {
        Path out = tmp.resolve("eval");
        Cli c = Cli.run("evaluate", "--checkpoint", run.toString(), "--preset", "pf-mini-20",
                "--steps", "4", "--test-size", "4", "--out", out.toString());
        assertEquals(0, c.exitCode, c.toString());
        JsonObject r = json(out.resolve("report.json"));
        assertEquals("pf-mini-14", r.get("preset").getAsString());
        assertEquals("pf-mini-20", r.get("testPreset").getAsString());
        assertEquals(4, r.get("steps").getAsInt());
        assertEquals(2, r.get("trainedSteps").getAsInt());
        assertTrue(r.has("iou") && r.has("f1") && r.has("precision") && r.has("recall"));
        assertPng(out.resolve(Pictures.TIME_COURSE));
    }

    @Test
    void analyzeWritesCurvesKsTestProjectionAndSigma() throws IOException {
        Path out = tmp.resolve("analysis");
        Cli c = Cli.run("analyze", "--checkpoint", run.toString(), "--steps", "4", "--images",
                "4", "--power-iterations", "3", "--out", out.toString());
        assertEquals(0, c.exitCode, c.toString());
        JsonObject r = json(out.resolve("analysis.json"));
        assertEquals(4, r.getAsJsonObject("extrapolation").getAsJsonArray("f1").size());
        JsonObject d = r.getAsJsonObject("distances");
        assertTrue(d.has("ksStatistic") && d.has("ksPValue"), d.toString());
        double sigma = r.getAsJsonObject("jacobian").get("sigmaMax").getAsDouble();
        assertTrue(sigma > 0 && Double.isFinite(sigma), "sigma_max " + sigma);
        for (String png : new String[] {Pictures.EXTRAPOLATION, "distances.png",
            Pictures.TIME_COURSE, Pictures.STATE_SPACE}) {
            assertPng(out.resolve(png));
        }
    }

    @Test
    void generateWritesSplitsThatTrainReads() throws IOException {
        Path data = tmp.resolve("data");
        Cli g = Cli.run("generate", "--out", data.toString(), "--train-size", "8",
                "--val-size", "4", "--test-size", "8");
        assertEquals(0, g.exitCode, g.toString());
        for (String split : new String[] {"train", "validation", "test"}) {
            assertTrue(Files.isRegularFile(data.resolve(split).resolve("metadata.json")));
            assertPng(data.resolve(split).resolve("images/000000.png"));
        }
        Path out = tmp.resolve("from-folder");
        Cli t = Cli.run(Cli.concat(new String[] {"train", "--out", out.toString(), "--data",
            data.toString(), "--epochs", "1", "--no-pictures"}, Cli.TINY));
        assertEquals(0, t.exitCode, t.toString());
        assertTrue(Files.isRegularFile(out.resolve("report.json")));
        Cli bad = Cli.run(Cli.concat(new String[] {"train", "--out",
            tmp.resolve("bad").toString(), "--data", data.toString(), "--preset", "pf-mini-20",
            "--epochs", "1"}, Cli.TINY));
        assertEquals(ExitCode.USAGE.code(), bad.exitCode, bad.toString());
        assertTrue(bad.err.startsWith("crbp: error: ") && bad.err.contains("pf-mini-14"),
                bad.err);
        assertTrue(!bad.err.contains("\tat "), "stack trace in " + bad.err);
    }

    @Test
    void corruptCheckpointIsOneLine() throws IOException {
        Path copy = tmp.resolve("corrupt/checkpoints/epoch-001");
        Files.createDirectories(copy);
        Path src = run.resolve("checkpoints/epoch-001");
        Files.copy(src.resolve("state.json"), copy.resolve("state.json"));
        byte[] params = Files.readAllBytes(src.resolve("crbp-0001.params"));
        Files.write(copy.resolve("crbp-0001.params"),
                java.util.Arrays.copyOf(params, params.length / 2));
        Cli c = Cli.run("evaluate", "--checkpoint", tmp.resolve("corrupt").toString());
        assertEquals(ExitCode.USAGE.code(), c.exitCode, c.toString());
        assertTrue(c.err.startsWith("crbp: error: checkpoint ") && c.err.contains("is corrupt"),
                c.err);
        assertEquals(1, c.err.strip().split("\n").length, c.err);
    }

    @Test
    void benchmarkWritesTableAndJson() throws IOException {
        Path out = tmp.resolve("bench");
        Cli c = Cli.run("benchmark", "--steps", "2", "--methods", "bptt,crbp", "--channels",
                "2", "--kernel", "3", "--batch", "2", "--neumann-terms", "2", "--iterations", "1",
                "--out", out.toString());
        assertEquals(0, c.exitCode, c.toString());
        assertTrue(c.out.contains("| crbp | 2 |"), c.out);
        JsonObject r = json(out.resolve("benchmark.json"));
        assertEquals(2, r.getAsJsonArray("results").size());
        assertTrue(r.getAsJsonArray("results").get(0).getAsJsonObject().get("peakBytes")
                .getAsDouble() > 0);
        assertPng(out.resolve("benchmark.png"));
    }

    @Test
    void reproduceWritesTableAndPlot() throws IOException {
        Path out = tmp.resolve("repro");
        Path results = tmp.resolve("results");
        Cli c = Cli.run("reproduce", "--lengths", "14,20", "--methods", "crbp,ff", "--budget",
                "10", "--per-run", "0.05", "--epochs", "1", "--train-size", "8", "--val-size",
                "4", "--test-size", "4", "--batch", "4", "--channels", "2", "--kernel", "3",
                "--neumann-terms", "2", "--max-steps", "2", "--extrapolation-steps", "3",
                "--out", out.toString(), "--results", results.toString());
        assertEquals(0, c.exitCode, c.toString());
        String table = Files.readString(results.resolve("reproduction.md"));
        assertTrue(table.contains("| C-RBP |") && table.contains("(T=2)")
                && table.contains("| FF control |")
                && table.contains("14 → 20"), table);
        assertTrue(!table.contains("not run"), table);
        JsonObject r = json(results.resolve("reproduction.json"));
        assertTrue(r.getAsJsonObject("cells").getAsJsonObject("crbp@14")
                .getAsJsonObject("generalization").has("pf-mini-20"), r.toString());
        assertPng(results.resolve("reproduction.png"));
        // every run folder says how to run it again
        JsonObject settings = json(out.resolve("pf-mini-14-ff/config.json"));
        assertEquals("ff", settings.get("model").getAsString());
        assertEquals(2, settings.get("channels").getAsInt());
        // the readout of the recurrent model trained on 14 at steps 1..3 (Fig. 2c)
        assertTrue(r.getAsJsonObject("cells").getAsJsonObject("crbp@14")
                .getAsJsonObject("extrapolation").getAsJsonArray("f1").size() == 3, r.toString());
        assertPng(results.resolve("extrapolation.png"));
    }
}
