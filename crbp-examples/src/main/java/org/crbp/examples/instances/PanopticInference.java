/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a model's outputs for one image into a panoptic map.
 *
 * <ol>
 *   <li><b>Stuff</b>: every pixel takes the semantic head's argmax; a stuff class gives that
 *       stuff category, the thing class leaves the pixel void unless a mask covers it.
 *   <li><b>Things</b>: each (ground-truth) box's {@code M x M} logits of its own class are
 *       resampled bilinearly to the box's pixels (pixel centres, clamped at the border), and a
 *       pixel is the instance's where the sigmoid is above 0.5. Masks are pasted over the stuff.
 *   <li><b>Overlaps</b>: a pixel claimed by several masks goes to the one with the highest
 *       probability there (the earlier box on a tie).
 *   <li>Segments of fewer than {@link #MIN_AREA} pixels become void.
 * </ol>
 *
 * <p>Segment ids: things {@code 1..R} in box order, stuff {@code 1000 + k} for the {@code k}-th
 * stuff category; both below the 24-bit limit of a panoptic PNG.
 */
public final class PanopticInference {

    /** Segments smaller than this many pixels are dropped (made void). */
    public static final int MIN_AREA = 4;
    /** The first segment id of the stuff segments. */
    static final int STUFF_ID_BASE = 1000;

    private PanopticInference() {}

    /**
     * Builds one image's panoptic annotation.
     *
     * @param categories the categories
     * @param imageId the image id
     * @param fileName the segment map's file name
     * @param width the image width
     * @param height the image height
     * @param semanticLogits {@code C * H * W} logits (class 0: thing, {@code 1 + k}: stuff
     *     {@code k}), channels first
     * @param masks per box, {@code M * M} logits of the box's class, row-major
     * @param maskSize {@code M}
     * @param boxes per box {@code (x1, y1, x2, y2)} in pixels
     * @param thingClasses per box its thing class (position among the thing categories)
     * @return the annotation
     */
    public static PanopticAnnotation predict(PanopticCategories categories, long imageId,
            String fileName, int width, int height, float[] semanticLogits, List<float[]> masks,
            int maskSize, List<float[]> boxes, int[] thingClasses) {
        int hw = width * height;
        int classes = semanticLogits.length / hw;
        int[] ids = new int[hw];
        for (int p = 0; p < hw; p++) {
            int best = 0;
            float bestValue = semanticLogits[p];
            for (int k = 1; k < classes; k++) {
                float v = semanticLogits[k * hw + p];
                if (v > bestValue) {
                    best = k;
                    bestValue = v;
                }
            }
            ids[p] = best == 0 ? PanopticAnnotation.VOID : STUFF_ID_BASE + best - 1;
        }
        float[] confidence = new float[hw];
        for (int r = 0; r < boxes.size(); r++) {
            paste(ids, confidence, width, height, masks.get(r), maskSize, boxes.get(r), r + 1);
        }
        int[] area = new int[STUFF_ID_BASE + classes];
        for (int id : ids) {
            area[id]++;
        }
        List<SegmentLabel> labels = new ArrayList<>();
        for (int p = 0; p < hw; p++) {
            if (ids[p] != PanopticAnnotation.VOID && area[ids[p]] < MIN_AREA) {
                ids[p] = PanopticAnnotation.VOID;
            }
        }
        List<PanopticCategory> things = categories.things();
        List<PanopticCategory> stuff = categories.stuff();
        for (int r = 0; r < boxes.size(); r++) {
            if (area[r + 1] >= MIN_AREA) {
                labels.add(new SegmentLabel(r + 1, things.get(thingClasses[r]).id(), false));
            }
        }
        for (int k = 0; k + 1 < classes; k++) {
            if (area[STUFF_ID_BASE + k] >= MIN_AREA) {
                labels.add(new SegmentLabel(STUFF_ID_BASE + k, stuff.get(k).id(), false));
            }
        }
        return PanopticAnnotation.of(imageId, fileName, width, height, ids, labels);
    }

    /** Pastes one mask into the map where it is above 0.5 and more confident than others. */
    private static void paste(int[] ids, float[] confidence, int width, int height,
            float[] logits, int m, float[] box, int id) {
        double x1 = box[0];
        double y1 = box[1];
        double bw = Math.max(1e-6, box[2] - box[0]);
        double bh = Math.max(1e-6, box[3] - box[1]);
        int px0 = Math.max(0, (int) Math.floor(x1));
        int py0 = Math.max(0, (int) Math.floor(y1));
        int px1 = Math.min(width, (int) Math.ceil(box[2]));
        int py1 = Math.min(height, (int) Math.ceil(box[3]));
        for (int y = py0; y < py1; y++) {
            double v = (y + 0.5 - y1) / bh * m - 0.5;
            for (int x = px0; x < px1; x++) {
                double u = (x + 0.5 - x1) / bw * m - 0.5;
                float p = (float) (1 / (1 + Math.exp(-bilinear(logits, m, u, v))));
                int at = y * width + x;
                if (p > 0.5f && p > confidence[at]) {
                    confidence[at] = p;
                    ids[at] = id;
                }
            }
        }
    }

    /** Bilinear interpolation of an {@code m x m} grid at (u, v), clamped to the grid. */
    static double bilinear(float[] grid, int m, double u, double v) {
        double cu = Math.min(m - 1, Math.max(0, u));
        double cv = Math.min(m - 1, Math.max(0, v));
        int u0 = (int) Math.floor(cu);
        int v0 = (int) Math.floor(cv);
        int u1 = Math.min(m - 1, u0 + 1);
        int v1 = Math.min(m - 1, v0 + 1);
        double fu = cu - u0;
        double fv = cv - v0;
        double top = grid[v0 * m + u0] * (1 - fu) + grid[v0 * m + u1] * fu;
        double bottom = grid[v1 * m + u0] * (1 - fu) + grid[v1 * m + u1] * fu;
        return top * (1 - fv) + bottom * fv;
    }
}
