/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * The training targets of one image for a panoptic network with a semantic head and a
 * per-instance mask head.
 *
 * <ul>
 *   <li><b>semantic</b>, one class per pixel: {@link PanopticCategories#THING_SEMANTIC_CLASS}
 *       (0) on every thing pixel (crowd regions included), {@code 1 + k} on the {@code k}-th
 *       stuff category, {@link #IGNORE} on void pixels;
 *   <li>per non-crowd thing instance: its <b>box</b> {@code (x1, y1, x2, y2)} in continuous
 *       pixel coordinates (pixel {@code (x, y)} covers {@code [x, x+1) x [y, y+1)}, so {@code x1}
 *       is the first column and {@code x2} one past the last), its <b>class</b> (the category's
 *       position among the thing categories) and its <b>mask target</b>, {@code M x M} values
 *       in {0, 1} sampled inside the box.
 * </ul>
 *
 * <p>Mask sampling: cell {@code (i, j)} looks at the point {@code (x1 + (j + 0.5) (x2 - x1) / M,
 * y1 + (i + 0.5) (y2 - y1) / M)} and takes the <em>nearest</em> pixel, the one whose square
 * holds the point ({@code floor} of each coordinate), so that the target is 1 where that pixel
 * belongs to the instance. This is the pixel-centre convention of RoIAlign with {@code
 * aligned = true} (the feature of pixel {@code x} sits at {@code x + 0.5}) and one sample per
 * bin. The instance's pixels are its visible ones: where another segment covers it, the target
 * is 0.
 */
public final class PanopticTargets {

    /** The semantic target of void pixels, to be left out of the loss. */
    public static final int IGNORE = -1;

    private final int width;
    private final int height;
    private final int maskSize;
    private final int[] semantic;
    private final float[] boxes;
    private final int[] classes;
    private final int[] segmentIds;
    private final float[] masks;

    private PanopticTargets(int width, int height, int maskSize, int[] semantic, float[] boxes,
            int[] classes, int[] segmentIds, float[] masks) {
        this.width = width;
        this.height = height;
        this.maskSize = maskSize;
        this.semantic = semantic;
        this.boxes = boxes;
        this.classes = classes;
        this.segmentIds = segmentIds;
        this.masks = masks;
    }

    /**
     * Computes the targets of an annotation.
     *
     * @param annotation the panoptic ground truth
     * @param categories the categories (every segment's category must be one of them)
     * @param maskSize {@code M}, the side of the mask targets, at least 1
     * @return the targets; instances in the order of the annotation's segments
     * @throws IllegalArgumentException if a category is unknown or {@code maskSize < 1}
     */
    public static PanopticTargets of(PanopticAnnotation annotation, PanopticCategories categories,
            int maskSize) {
        if (maskSize < 1) {
            throw new IllegalArgumentException("maskSize must be at least 1, got " + maskSize);
        }
        int w = annotation.getWidth();
        int h = annotation.getHeight();
        int[] ids = annotation.getIds();
        java.util.Map<Integer, Integer> semanticOf = new java.util.HashMap<>();
        List<PanopticSegment> instances = new ArrayList<>();
        for (PanopticSegment s : annotation.getSegments()) {
            if (!categories.contains(s.categoryId())) {
                throw new IllegalArgumentException("image " + annotation.getImageId()
                        + " segment " + s.id() + ": unknown category_id " + s.categoryId());
            }
            semanticOf.put(s.id(), categories.semanticClass(s.categoryId()));
            if (categories.get(s.categoryId()).thing() && !s.crowd()) {
                instances.add(s);
            }
        }
        int[] semantic = new int[w * h];
        for (int p = 0; p < semantic.length; p++) {
            semantic[p] = ids[p] == PanopticAnnotation.VOID ? IGNORE : semanticOf.get(ids[p]);
        }
        int r = instances.size();
        int m = maskSize;
        float[] boxes = new float[4 * r];
        int[] classes = new int[r];
        int[] segIds = new int[r];
        float[] masks = new float[r * m * m];
        for (int k = 0; k < r; k++) {
            PanopticSegment s = instances.get(k);
            int x1 = s.x();
            int y1 = s.y();
            int x2 = s.x() + s.width();
            int y2 = s.y() + s.height();
            boxes[4 * k] = x1;
            boxes[4 * k + 1] = y1;
            boxes[4 * k + 2] = x2;
            boxes[4 * k + 3] = y2;
            classes[k] = categories.thingClass(s.categoryId());
            segIds[k] = s.id();
            for (int i = 0; i < m; i++) {
                double sy = y1 + (i + 0.5) * (y2 - y1) / m;
                int py = Math.min(y2 - 1, (int) Math.floor(sy));
                for (int j = 0; j < m; j++) {
                    double sx = x1 + (j + 0.5) * (x2 - x1) / m;
                    int px = Math.min(x2 - 1, (int) Math.floor(sx));
                    masks[(k * m + i) * m + j] = ids[py * w + px] == s.id() ? 1f : 0f;
                }
            }
        }
        return new PanopticTargets(w, h, m, semantic, boxes, classes, segIds, masks);
    }

    /**
     * Returns the width.
     *
     * @return the width in pixels
     */
    public int getWidth() {
        return width;
    }

    /**
     * Returns the height.
     *
     * @return the height in pixels
     */
    public int getHeight() {
        return height;
    }

    /**
     * Returns {@code M}, the mask targets' side.
     *
     * @return the mask size
     */
    public int getMaskSize() {
        return maskSize;
    }

    /**
     * Returns the number of instances {@code R}.
     *
     * @return the instance count
     */
    public int instanceCount() {
        return classes.length;
    }

    /**
     * Returns the semantic class of every pixel, row-major ({@link #IGNORE} on void).
     *
     * @return the semantic target (shared: do not change)
     */
    public int[] getSemantic() {
        return semantic;
    }

    /**
     * Returns the boxes, {@code (x1, y1, x2, y2)} per instance.
     *
     * @return {@code 4 R} values (shared: do not change)
     */
    public float[] getBoxes() {
        return boxes;
    }

    /**
     * Returns the thing class of every instance.
     *
     * @return {@code R} classes (shared: do not change)
     */
    public int[] getClasses() {
        return classes;
    }

    /**
     * Returns the segment id of every instance, to find it in the panoptic map.
     *
     * @return {@code R} ids (shared: do not change)
     */
    public int[] getSegmentIds() {
        return segmentIds;
    }

    /**
     * Returns the mask targets, instance by instance, row-major within each.
     *
     * @return {@code R M M} values in {0, 1} (shared: do not change)
     */
    public float[] getMasks() {
        return masks;
    }

    /**
     * Builds a batch of samples of one size as the training loop takes it, in this order:
     *
     * <ol>
     *   <li>{@code images}, float32 {@code (N, 3, H, W)}, values in [0, 1];
     *   <li>{@code semantic}, int32 {@code (N, H, W)}, {@link #IGNORE} on void;
     *   <li>{@code boxes}, float32 {@code (R, 4)}, {@code (x1, y1, x2, y2)} in pixels;
     *   <li>{@code boxBatchIndex}, int32 {@code (R)}, the sample each box belongs to;
     *   <li>{@code classes}, int32 {@code (R)}, thing classes;
     *   <li>{@code maskTargets}, float32 {@code (R, M, M)}, values in {0, 1};
     * </ol>
     *
     * <p>where {@code R} counts the non-crowd thing instances of all samples (it may be 0). The
     * arrays belong to {@code manager}: pass a per-batch sub-manager and close it after the step.
     *
     * @param manager the manager of the arrays
     * @param samples the samples, all of one size
     * @param categories the categories
     * @param maskSize {@code M}
     * @return the batch
     * @throws IllegalArgumentException if there is no sample or their sizes differ
     */
    public static NDList batch(NDManager manager, List<PanopticSample> samples,
            PanopticCategories categories, int maskSize) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one sample");
        }
        int w = samples.get(0).getWidth();
        int h = samples.get(0).getHeight();
        int n = samples.size();
        int hw = w * h;
        float[] images = new float[n * 3 * hw];
        int[] semantic = new int[n * hw];
        List<PanopticTargets> targets = new ArrayList<>(n);
        int r = 0;
        for (int b = 0; b < n; b++) {
            PanopticSample s = samples.get(b);
            if (s.getWidth() != w || s.getHeight() != h) {
                throw new IllegalArgumentException("image " + s.getImageId() + " is "
                        + s.getWidth() + "x" + s.getHeight() + ", the batch's first is " + w
                        + "x" + h + "; a batch needs one size");
            }
            PanopticTargets t = of(s.getAnnotation(), categories, maskSize);
            targets.add(t);
            System.arraycopy(s.getImage(), 0, images, b * 3 * hw, 3 * hw);
            System.arraycopy(t.semantic, 0, semantic, b * hw, hw);
            r += t.instanceCount();
        }
        int mm = maskSize * maskSize;
        float[] boxes = new float[4 * r];
        int[] batchIndex = new int[r];
        int[] classes = new int[r];
        float[] masks = new float[r * mm];
        int at = 0;
        for (int b = 0; b < n; b++) {
            PanopticTargets t = targets.get(b);
            int k = t.instanceCount();
            System.arraycopy(t.boxes, 0, boxes, 4 * at, 4 * k);
            System.arraycopy(t.classes, 0, classes, at, k);
            System.arraycopy(t.masks, 0, masks, at * mm, k * mm);
            java.util.Arrays.fill(batchIndex, at, at + k, b);
            at += k;
        }
        NDArray imagesNd = manager.create(images, new Shape(n, 3, h, w));
        imagesNd.setName("images");
        NDArray semanticNd = manager.create(semantic, new Shape(n, h, w));
        semanticNd.setName("semantic");
        NDArray boxesNd = manager.create(boxes, new Shape(r, 4));
        boxesNd.setName("boxes");
        NDArray indexNd = manager.create(batchIndex, new Shape(r));
        indexNd.setName("boxBatchIndex");
        NDArray classesNd = manager.create(classes, new Shape(r));
        classesNd.setName("classes");
        NDArray masksNd = manager.create(masks, new Shape(r, maskSize, maskSize));
        masksNd.setName("maskTargets");
        return new NDList(imagesNd, semanticNd, boxesNd, indexNd, classesNd, masksNd);
    }
}
