/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;

import org.crbp.core.RecurrentNet;
import org.crbp.examples.analysis.Charts;
import org.crbp.models.instances.InstanceSegmentationModel;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The instances task's pictures (the paper's Fig. 3c and 4 at CPU scale): the recurrent mask
 * head's probability step by step ({@value #TIME_COURSE}) and panoptic maps, true and predicted
 * ({@value #PANOPTIC}).
 */
public final class PanopticPictures {

    /** The recurrent head's masks step by step. */
    public static final String TIME_COURSE = "timecourse.png";
    /** Images, ground-truth and predicted panoptic maps. */
    public static final String PANOPTIC = "panoptic.png";
    /** The most rows (instances or images) of a picture. */
    public static final int ROWS = 4;
    /** The most step columns of the time course. */
    public static final int MAX_STEPS = 12;
    /** The side of a time course's tile in pixels (a box's crop or mask, resampled). */
    public static final int MASK_TILE = 64;
    /** The gap between tiles and around them, in pixels. */
    public static final int GAP = 4;
    /** The height of the title and the column labels, in pixels. */
    public static final int TOP = 44;

    /** Colours of thing segments, by their place among the image's thing segments. */
    private static final int[] PALETTE = {
        0xe6194b, 0x3cb44b, 0xffe119, 0x4363d8, 0xf58231, 0x911eb4, 0x46f0f0, 0xf032e6,
        0xbcf60c, 0xfabebe, 0x008080, 0xe6beff, 0x9a6324, 0xfffac8, 0x800000, 0xaaffc3
    };
    /** Stuff colours when a category has none (black, void's colour). */
    private static final int[] STUFF_PALETTE = {0x808080, 0x6b8e23, 0x4682b4, 0xd2b48c};

    private PanopticPictures() {}

    /**
     * Returns the steps a time course shows: all of 1..T when T is at most {@value #MAX_STEPS},
     * else {@value #MAX_STEPS} evenly spaced ones from 1 to T.
     *
     * @param trained T
     * @return the steps, increasing, the last T
     */
    public static int[] steps(int trained) {
        int n = Math.min(trained, MAX_STEPS);
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = n == 1 ? trained : 1 + (int) Math.round((double) i * (trained - 1) / (n - 1));
        }
        return s;
    }

    /**
     * Returns the pixel size of a time course of some rows and step columns.
     *
     * @param rows the instances shown
     * @param steps the step columns
     * @return {width, height}
     */
    public static int[] timeCourseSize(int rows, int steps) {
        return new int[] {GAP + (steps + 2) * (MASK_TILE + GAP), TOP + rows * (MASK_TILE + GAP)};
    }

    /**
     * Returns the scale of a panoptic picture's tiles for images of a side.
     *
     * @param side the image side
     * @return the enlargement, at least 1
     */
    public static int panopticScale(int side) {
        return Math.max(1, 128 / side);
    }

    /**
     * Returns the pixel size of a panoptic picture.
     *
     * @param rows the images shown
     * @param width the image width
     * @param height the image height
     * @return {width, height}
     */
    public static int[] panopticSize(int rows, int width, int height) {
        int scale = panopticScale(Math.max(width, height));
        return new int[] {GAP + 3 * (width * scale + GAP), TOP + rows * (height * scale + GAP)};
    }

    /**
     * Draws the recurrent head's mask probability (the sigmoid of the box class's logit) after
     * the chosen steps for the first instances of the images: a row per instance, the box's
     * crop, the steps, the ground-truth mask.
     *
     * @param model the trained model, with a recurrent mask head
     * @param manager a manager
     * @param samples the images (their first boxes are shown)
     * @param categories the categories
     * @param title the picture's title
     * @param file the PNG file
     * @return the number of instances drawn (0: none in the images, nothing written)
     * @throws IOException if writing fails
     */
    public static int timeCourse(InstanceSegmentationModel model, NDManager manager,
            List<PanopticSample> samples, PanopticCategories categories, String title,
            Path file) throws IOException {
        RecurrentNet head = model.getMaskNet();
        int[] steps = steps(head.getSteps());
        try (NDManager scope = manager.newSubManager()) {
            NDList[] b = InstancesTask.batch(scope, samples, categories);
            NDArray boxes = b[0].get(1);
            int rows = (int) Math.min(ROWS, boxes.getShape().get(0));
            if (rows == 0) {
                return 0;
            }
            NDIndex first = new NDIndex("0:" + rows);
            NDList data = new NDList(b[0].get(0), boxes.get(first), b[0].get(2).get(first));
            float[] box = data.get(1).toFloatArray();
            int[] image = data.get(2).toType(DataType.INT32, false).toIntArray();
            int[] cls = b[1].get(2).get(first).toType(DataType.INT32, false).toIntArray();
            float[] target = b[1].get(1).get(first).toFloatArray();
            int m = InstancesTask.MASK_SIZE;
            // every step's readout, kept only at the chosen steps
            List<float[]> perStep = new ArrayList<>();
            int[] next = {0};
            head.visitSteps(new ParameterStore(scope, false), data, head.getSteps(),
                    (t, state, store) -> {
                        if (next[0] < steps.length && steps[next[0]] == t) {
                            NDArray logits = head.readout(store, state, false).head();
                            perStep.add(Activation.sigmoid(logits).toType(DataType.FLOAT32,
                                    false).toFloatArray());
                            next[0]++;
                        }
                    });
            int k = categories.things().size();
            int tile = MASK_TILE;
            int[] size = timeCourseSize(rows, steps.length);
            BufferedImage img = canvas(size, title);
            Graphics2D g = img.createGraphics();
            labels(g);
            for (int c = 0; c < steps.length + 2; c++) {
                String label = c == 0 ? "box" : c == steps.length + 1 ? "truth"
                        : "t = " + steps[c - 1];
                g.drawString(label, GAP + c * (tile + GAP) + 2, TOP - 6);
            }
            g.dispose();
            for (int r = 0; r < rows; r++) {
                int y0 = TOP + r * (tile + GAP);
                PanopticSample s = samples.get(image[r]);
                crop(img, s, box, r, GAP, y0, tile);
                for (int i = 0; i < steps.length; i++) {
                    float[] p = perStep.get(i);
                    int from = (r * k + cls[r]) * m * m;
                    grey(img, p, from, m, GAP + (i + 1) * (tile + GAP), y0, tile);
                }
                grey(img, target, r * m * m, m, GAP + (steps.length + 1) * (tile + GAP), y0,
                        tile);
            }
            Charts.write(img, file);
            return rows;
        }
    }

    /**
     * Draws images beside their ground-truth and predicted panoptic maps: thing segments in a
     * fixed palette by their place among the image's things, stuff in its category's colour,
     * void black.
     *
     * @param samples the images
     * @param predicted their predictions, in the same order
     * @param categories the categories
     * @param title the picture's title
     * @param file the PNG file
     * @throws IOException if writing fails
     */
    public static void panoptic(List<PanopticSample> samples, List<PanopticAnnotation> predicted,
            PanopticCategories categories, String title, Path file) throws IOException {
        int rows = Math.min(ROWS, samples.size());
        int w = samples.get(0).getWidth();
        int h = samples.get(0).getHeight();
        int scale = panopticScale(Math.max(w, h));
        BufferedImage img = canvas(panopticSize(rows, w, h), title);
        Graphics2D g = img.createGraphics();
        labels(g);
        String[] names = {"image", "truth", "prediction"};
        for (int c = 0; c < 3; c++) {
            g.drawString(names[c], GAP + c * (w * scale + GAP) + 2, TOP - 6);
        }
        g.dispose();
        for (int r = 0; r < rows; r++) {
            PanopticSample s = samples.get(r);
            int y0 = TOP + r * (h * scale + GAP);
            float[] pixels = s.getImage();
            int[] colours = new int[w * h];
            for (int i = 0; i < w * h; i++) {
                colours[i] = rgb(pixels[i], pixels[w * h + i], pixels[2 * w * h + i]);
            }
            paint(img, colours, w, h, scale, GAP, y0);
            paint(img, colours(s.getAnnotation(), categories), w, h, scale,
                    GAP + (w * scale + GAP), y0);
            paint(img, colours(predicted.get(r), categories), w, h, scale,
                    GAP + 2 * (w * scale + GAP), y0);
        }
        Charts.write(img, file);
    }

    /** A segment map's colours: things by their place, stuff by category, void black. */
    static int[] colours(PanopticAnnotation a, PanopticCategories categories) {
        Map<Integer, Integer> colourOf = new HashMap<>();
        int things = 0;
        for (PanopticSegment s : a.getSegments()) {
            PanopticCategory c = categories.get(s.categoryId());
            int colour;
            if (c != null && c.thing()) {
                colour = PALETTE[things++ % PALETTE.length];
            } else {
                int place = c == null ? 0 : categories.stuff().indexOf(c);
                colour = c != null && c.color() != 0 ? c.color()
                        : STUFF_PALETTE[Math.max(0, place) % STUFF_PALETTE.length];
            }
            colourOf.put(s.id(), colour);
        }
        int[] ids = a.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = ids[i] == PanopticAnnotation.VOID ? 0 : colourOf.getOrDefault(ids[i], 0);
        }
        return out;
    }

    private static BufferedImage canvas(int[] size, String title) {
        BufferedImage img = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
                RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, size[0], size[1]);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(title, GAP, 16);
        g.dispose();
        return img;
    }

    private static void labels(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
                RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    }

    private static int rgb(float r, float g, float b) {
        return (channel(r) << 16) | (channel(g) << 8) | channel(b);
    }

    private static int channel(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255)));
    }

    private static void paint(BufferedImage img, int[] colours, int w, int h, int scale, int x0,
            int y0) {
        for (int y = 0; y < h * scale; y++) {
            for (int x = 0; x < w * scale; x++) {
                img.setRGB(x0 + x, y0 + y, colours[(y / scale) * w + x / scale]);
            }
        }
    }

    /** An M x M map (from {@code from} in {@code values}) as grey, nearest cell per pixel. */
    private static void grey(BufferedImage img, float[] values, int from, int m, int x0, int y0,
            int tile) {
        for (int y = 0; y < tile; y++) {
            for (int x = 0; x < tile; x++) {
                int v = channel(values[from + (y * m / tile) * m + x * m / tile]);
                img.setRGB(x0 + x, y0 + y, (v << 16) | (v << 8) | v);
            }
        }
    }

    /** A box's crop of the image, the pixel under each tile pixel's centre. */
    private static void crop(BufferedImage img, PanopticSample s, float[] box, int r, int x0,
            int y0, int tile) {
        int w = s.getWidth();
        int h = s.getHeight();
        float[] pixels = s.getImage();
        float x1 = box[4 * r];
        float y1 = box[4 * r + 1];
        float x2 = box[4 * r + 2];
        float y2 = box[4 * r + 3];
        for (int y = 0; y < tile; y++) {
            int py = Math.min(h - 1, Math.max(0, (int) Math.floor(y1 + (y + 0.5) * (y2 - y1)
                    / tile)));
            for (int x = 0; x < tile; x++) {
                int px = Math.min(w - 1, Math.max(0, (int) Math.floor(x1 + (x + 0.5) * (x2 - x1)
                        / tile)));
                int i = py * w + px;
                img.setRGB(x0 + x, y0 + y, rgb(pixels[i], pixels[w * h + i],
                        pixels[2 * w * h + i]));
            }
        }
    }
}
