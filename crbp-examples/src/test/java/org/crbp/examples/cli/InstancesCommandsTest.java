/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;

import org.crbp.examples.instances.InstancesTask;
import org.crbp.examples.instances.PanopticAnnotation;
import org.crbp.examples.instances.PanopticData;
import org.crbp.examples.instances.PanopticFolder;
import org.crbp.examples.instances.PanopticPictures;
import org.crbp.examples.instances.PanopticSample;
import org.crbp.examples.instances.PanopticSegment;
import org.crbp.examples.instances.PanopticQuality;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

/**
 * The instances task through the program: generate tiny scenes, train and evaluate the
 * feedforward and the hGRU (C-RBP) mask heads, re-score the written predictions from their
 * files, and refuse a corrupt annotation file before training.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class InstancesCommandsTest {

    @TempDir static Path tmp;
    private Path data;

    private static final String[] SMALL = {
        "--task", "instances", "--channels", "4", "--batch", "2", "--train-size", "4",
        "--val-size", "2", "--test-size", "2", "--epochs", "1", "--lr", "0.01"
    };

    @BeforeAll
    void generate() {
        data = tmp.resolve("scenes");
        Cli g = Cli.run("generate", "--task", "instances", "--out", data.toString(), "--train",
                "4", "--val", "2", "--test", "2", "--size", "64", "--seed", "3");
        assertEquals(0, g.exitCode, g.toString());
        for (String split : new String[] {"train", "val", "test"}) {
            assertTrue(Files.isRegularFile(data.resolve(split).resolve("panoptic.json")), split);
        }
    }

    /**
     * Checks that the pictures of a train or evaluate folder exist, decode and have the layout's
     * size: the panoptic picture of the 2 test images, the time course (recurrent head only) of
     * the first instances at every step.
     */
    private void checkPictures(Path dir, int steps) throws IOException {
        PanopticData test = PanopticFolder.read(data.resolve("test"));
        int[] panoptic = PanopticPictures.panopticSize(2, 64, 64);
        // 128 px tiles of the 64 px images, three columns, two rows, title and labels above
        assertEquals(4 + 3 * (128 + 4), panoptic[0]);
        assertEquals(44 + 2 * (128 + 4), panoptic[1]);
        assertSize(dir.resolve(PanopticPictures.PANOPTIC), panoptic);
        Path timeCourse = dir.resolve(PanopticPictures.TIME_COURSE);
        if (steps == 0) {
            assertFalse(Files.exists(timeCourse));
            return;
        }
        int instances = 0;
        for (PanopticSample s : test.getSamples().subList(0, 2)) {
            for (PanopticSegment seg : s.getAnnotation().getSegments()) {
                if (test.getCategories().get(seg.categoryId()).thing() && !seg.crowd()) {
                    instances++;
                }
            }
        }
        int rows = Math.min(4, instances);
        assertTrue(rows > 0, "the test images hold no instance");
        assertSize(timeCourse, new int[] {4 + (steps + 2) * (64 + 4), 44 + rows * (64 + 4)});
    }

    private static void assertSize(Path png, int[] size) throws IOException {
        assertTrue(Files.isRegularFile(png), png + " is missing");
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, png + " does not decode");
        assertEquals(size[0], img.getWidth(), png.toString());
        assertEquals(size[1], img.getHeight(), png.toString());
    }

    private void trainAndEvaluate(String name, String... head) throws IOException {
        Path run = tmp.resolve(name);
        Cli t = Cli.run(Cli.concat(Cli.concat(new String[] {"train", "--out", run.toString(),
            "--data", data.toString()}, SMALL), head));
        assertEquals(0, t.exitCode, t.toString());
        // the console names the data folder, not a Pathfinder preset
        assertTrue(t.out.contains("on " + data), t.out);
        assertFalse(t.out.contains("pf-mini"), t.out);
        JsonObject trained = CommandsEndToEndTest.json(run.resolve("report.json"));
        for (String key : new String[] {"pq", "sq", "rq", "things", "stuff", "boxes",
            "history"}) {
            assertTrue(trained.has(key), "train's report.json lacks " + key);
        }
        Path eval = tmp.resolve(name + "-eval");
        Cli e = Cli.run("evaluate", "--task", "instances", "--checkpoint", run.toString(),
                "--data", data.toString(), "--out", eval.toString());
        assertEquals(0, e.exitCode, e.toString());
        JsonObject r = CommandsEndToEndTest.json(eval.resolve("report.json"));
        for (String key : new String[] {"pq", "sq", "rq", "things", "stuff", "parameters",
            "peakMemoryBytes", "steps", "head", "method", "boxes"}) {
            assertTrue(r.has(key), "evaluate's report.json lacks " + key);
        }
        assertEquals("ground truth", r.get("boxes").getAsString());
        int steps = r.get("steps").getAsInt();
        checkPictures(run, steps);
        checkPictures(eval, steps);
        double pq = r.get("pq").getAsDouble();
        assertTrue(pq >= 0 && pq <= 1, "PQ " + pq);
        for (String part : new String[] {"things", "stuff"}) {
            assertTrue(r.getAsJsonObject(part).has("pq"), part);
        }
        // the written predictions, scored again from their files, give the report's numbers
        PanopticData truth = PanopticFolder.read(data.resolve("test"));
        List<PanopticAnnotation> predicted = PanopticFolder.readPredictions(
                eval.resolve(InstancesTask.PREDICTIONS_DIR), truth.getCategories());
        PanopticQuality.Result again = PanopticQuality.evaluate(truth.getCategories(),
                truth.annotations(), predicted);
        assertEquals(again.all().pq(), pq, 1e-12);
        assertEquals(again.all().sq(), r.get("sq").getAsDouble(), 1e-12);
        assertEquals(again.all().rq(), r.get("rq").getAsDouble(), 1e-12);
        assertEquals(again.things().pq(), r.getAsJsonObject("things").get("pq").getAsDouble(),
                1e-12);
        assertEquals(again.stuff().pq(), r.getAsJsonObject("stuff").get("pq").getAsDouble(),
                1e-12);
        // the test of training and the evaluation score the same images the same way
        assertEquals(trained.get("pq").getAsDouble(), pq, 1e-9);
    }

    @Test
    void feedforwardHeadTrainsAndEvaluates() throws IOException {
        trainAndEvaluate("ff", "--head", "ff");
    }

    @Test
    void recurrentHeadTrainsWithCrbpAndEvaluates() throws IOException {
        trainAndEvaluate("hgru", "--head", "hgru", "--method", "crbp", "--steps", "2",
                "--neumann-terms", "2");
        // analyze studies Pathfinder dynamics: another task's checkpoint is one line, exit 2
        Cli a = Cli.run("analyze", "--checkpoint", tmp.resolve("hgru").toString());
        assertEquals(2, a.exitCode, a.toString());
        assertTrue(a.err.contains("instances task") && a.err.contains(tmp.resolve("hgru")
                .toString()), a.err);
    }

    @Test
    void compareUsesTheTasksMetricAndRefusesMixedTasks() throws IOException {
        Path run = tmp.resolve("cmp-ff");
        Cli t = Cli.run(Cli.concat(new String[] {"train", "--out", run.toString(), "--data",
            data.toString(), "--head", "ff", "--no-pictures"}, SMALL));
        assertEquals(0, t.exitCode, t.toString());
        // Pathfinder's evaluation options would change nothing here: refused, one line each
        for (String[] option : new String[][] {{"--tol", "1e-3"}, {"--preset", "pf-mini-20"},
            {"--seed", "5"}}) {
            Cli e = Cli.run("evaluate", "--checkpoint", run.toString(), option[0], option[1],
                    "--out", tmp.resolve("cmp-eval").toString());
            assertEquals(2, e.exitCode, e.toString());
            assertTrue(e.err.contains(option[0]) && e.err.contains("not for the instances task")
                    && e.err.strip().lines().count() == 1, e.err);
        }
        Path out = tmp.resolve("cmp-out");
        Cli c = Cli.run("compare", run.toString(), "--out", out.toString());
        assertEquals(0, c.exitCode, c.toString());
        assertTrue(Files.size(out.resolve("pq-vs-updates.png")) > 0);
        assertFalse(Files.exists(out.resolve("iou-vs-updates.png")));
        String table = Files.readString(out.resolve("compare.md"));
        assertTrue(table.contains("| last val PQ | best val PQ | test PQ |"), table);
        // the test column is the run's test PQ, as its report gives it
        double pq = CommandsEndToEndTest.json(run.resolve("report.json")).get("pq").getAsDouble();
        assertTrue(table.contains(String.format(java.util.Locale.ROOT, "| %.3f | - |", pq)),
                table + " (test PQ " + pq + ")");
        // a Pathfinder run beside it is another metric: refused in one line
        Path pathfinder = tmp.resolve("cmp-pathfinder");
        Cli p = Cli.run(Cli.concat(new String[] {"train", "--out", pathfinder.toString(),
            "--epochs", "1", "--no-pictures"}, Cli.TINY));
        assertEquals(0, p.exitCode, p.toString());
        Cli mixed = Cli.run("compare", run.toString(), pathfinder.toString(), "--out",
                tmp.resolve("cmp-mixed").toString());
        assertEquals(2, mixed.exitCode, mixed.toString());
        assertTrue(mixed.err.contains("of the pathfinder task") && mixed.err.contains(
                "compare runs of one task") && mixed.err.strip().lines().count() == 1, mixed.err);
    }

    @Test
    void hgruHeadHonoursKernel() throws IOException {
        long[] parameters = new long[2];
        int[] kernels = {3, 5};
        for (int i = 0; i < 2; i++) {
            Path run = tmp.resolve("kernel-" + kernels[i]);
            Cli t = Cli.run(Cli.concat(new String[] {"train", "--out", run.toString(), "--data",
                data.toString(), "--head", "hgru", "--method", "bptt", "--steps", "1",
                "--kernel", Integer.toString(kernels[i]), "--no-pictures"}, SMALL));
            assertEquals(0, t.exitCode, t.toString());
            JsonObject r = CommandsEndToEndTest.json(run.resolve("report.json"));
            parameters[i] = r.get("parameters").getAsLong();
        }
        // two horizontal C x C kernels of the hGRU: 2 * 4 * 4 * (25 - 9) more weights
        assertEquals(2 * 4 * 4 * (25 - 9), parameters[1] - parameters[0]);
        Cli ff = Cli.run(Cli.concat(new String[] {"train", "--out",
            tmp.resolve("ff-kernel").toString(), "--data", data.toString(), "--head", "ff",
            "--kernel", "5"}, SMALL));
        assertEquals(2, ff.exitCode, ff.toString());
        assertTrue(ff.err.contains("--kernel"), ff.err);
        assertEquals(1, ff.err.strip().lines().count(), ff.err);
    }

    @Test
    void corruptAnnotationFileIsRefusedBeforeTraining() throws IOException {
        Path bad = tmp.resolve("bad");
        for (String split : new String[] {"train", "val", "test"}) {
            copy(data.resolve(split), bad.resolve(split));
        }
        Path json = bad.resolve("val").resolve("panoptic.json");
        Files.writeString(json, Files.readString(json, StandardCharsets.UTF_8)
                .replaceFirst("\"category_id\": *\\d+", "\"category_id\": 99"));
        Path run = tmp.resolve("bad-run");
        Cli t = Cli.run(Cli.concat(new String[] {"train", "--out", run.toString(), "--data",
            bad.toString(), "--head", "ff"}, SMALL));
        assertEquals(2, t.exitCode, t.toString());
        assertTrue(t.err.contains("panoptic.json"), t.err);
        assertEquals(1, t.err.strip().lines().count(), t.err);
        assertFalse(Files.exists(run.resolve("report.json")));
    }

    @Test
    void missingDataIsOneLine() {
        Cli t = Cli.run(Cli.concat(new String[] {"train", "--out",
            tmp.resolve("no-data").toString(), "--head", "ff"}, SMALL));
        assertEquals(2, t.exitCode, t.toString());
        assertTrue(t.err.contains("--data"), t.err);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
