/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.analysis;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import javax.imageio.ImageIO;

/**
 * Every chart draws from made-up data. Set {@code -Dcrbp.charts.dir=DIR} to keep the pictures
 * for a look.
 */
class ChartsTest {

    @Test
    void epochAxisLabelsWholeNumbersOnly() {
        assertEquals("3", Charts.wholeNumber(3.0));
        assertEquals("12", Charts.wholeNumber(12.0000000001));
        assertEquals("", Charts.wholeNumber(1.5));
    }

    @Test
    void everyChartDraws(@TempDir Path tmp) throws Exception {
        String keep = System.getProperty("crbp.charts.dir");
        Path dir = keep == null ? tmp : Path.of(keep);
        Random random = new Random(1);
        double[] epoch = new double[8];
        double[] loss = new double[8];
        double[] penalty = new double[8];
        double[] trainF1 = new double[8];
        double[] validationF1 = new double[8];
        for (int e = 1; e <= 8; e++) {
            epoch[e - 1] = e;
            loss[e - 1] = 0.2 / e;
            penalty[e - 1] = 1e-3 * Math.pow(0.3, e);
            trainF1[e - 1] = 1 - 1.0 / (e + 1);
            validationF1[e - 1] = trainF1[e - 1] - 0.05;
        }
        Charts.trainingCurves(epoch, loss, penalty, trainF1, validationF1, "test",
                dir.resolve("training-curves.png"));

        double[] a = new double[64];
        double[] b = new double[64];
        for (int i = 0; i < a.length; i++) {
            a[i] = 0.03 + 0.01 * random.nextDouble();
            b[i] = 0.05 + 0.02 * random.nextDouble();
        }
        Charts.distances(a, "late", b, "early", 12, 24, dir.resolve("distances.png"));

        Map<String, double[]> byLength = new LinkedHashMap<>();
        byLength.put("BPTT (6)", new double[] {0.45, 0.36, 0.32});
        byLength.put("C-BPTT (6)", new double[] {0.44, 0.05, 0.29});
        byLength.put("C-RBP (20/30/80)", new double[] {0.43, 0.31, 0.11});
        byLength.put("FF control", new double[] {0.59, 0.44, 0.35});
        Charts.byLength(new double[] {14, 20, 25}, byLength, "IoU by contour length",
                dir.resolve("reproduction.png"));

        int w = 16;
        List<float[]> inputs = new ArrayList<>();
        List<List<float[]>> readouts = new ArrayList<>();
        List<float[]> targets = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            float[] img = new float[w * w];
            for (int i = 0; i < img.length; i++) {
                img[i] = random.nextFloat();
            }
            inputs.add(img);
            targets.add(img);
            readouts.add(List.of(img, img, img));
        }
        Charts.timeCourse(inputs, readouts, targets, new int[] {1, 6, 12}, w, w, "time course",
                dir.resolve("timecourse.png"));

        for (String name : new String[] {"training-curves.png", "distances.png",
            "reproduction.png", "timecourse.png"}) {
            BufferedImage image = ImageIO.read(dir.resolve(name).toFile());
            assertTrue(image.getWidth() > 100 && image.getHeight() > 100, name);
        }
        // the time course has its grey scale right of the grid: white at the top, black below
        BufferedImage course = ImageIO.read(dir.resolve("timecourse.png").toFile());
        int gridWidth = 5 * (w * 6 + 4) + 4;
        int x = gridWidth + 6 + 7;
        assertTrue((course.getRGB(x, 44 + 1) & 0xff) > 245, "white at the top");
        assertTrue((course.getRGB(x, 44 + 118) & 0xff) < 10, "black at the bottom");
        assertTrue(Files.size(dir.resolve("timecourse.png")) > 0);
    }
}
