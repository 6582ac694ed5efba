/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The panoptic labelling of one image: a map with one segment id per pixel (0 = void, pixels
 * that belong to no segment) and the segments it holds, each with its category, crowd flag, area
 * and box. This is one entry of a COCO panoptic file's {@code annotations} with its PNG, for
 * ground truth and predictions alike.
 *
 * <p>Every segment listed has at least one pixel in the map and every non-zero id in the map is
 * listed: {@link #of} checks both, as the COCO panoptic API does for predictions.
 */
public final class PanopticAnnotation {

    /** The segment id of void (unlabelled) pixels. */
    public static final int VOID = 0;
    /** The largest segment id a 24-bit RGB PNG can hold, {@code 256^3 - 1}. */
    public static final int MAX_ID = 0xffffff;

    private final long imageId;
    private final String fileName;
    private final int width;
    private final int height;
    private final int[] ids;
    private final List<PanopticSegment> segments;
    private final Map<Integer, PanopticSegment> byId;

    private PanopticAnnotation(long imageId, String fileName, int width, int height, int[] ids,
            List<PanopticSegment> segments) {
        this.imageId = imageId;
        this.fileName = fileName;
        this.width = width;
        this.height = height;
        this.ids = ids;
        this.segments = Collections.unmodifiableList(segments);
        Map<Integer, PanopticSegment> m = new HashMap<>();
        for (PanopticSegment s : segments) {
            m.put(s.id(), s);
        }
        this.byId = m;
    }

    /**
     * Builds an annotation from a map and the labels of its segments, measuring each segment's
     * area and box on the map. Segments keep the labels' order.
     *
     * @param imageId the image id
     * @param fileName the PNG's file name ({@code annotations[].file_name})
     * @param width the map's width
     * @param height the map's height
     * @param ids row-major segment ids, {@code width * height} of them (copied)
     * @param labels the segments
     * @return the annotation
     * @throws IllegalArgumentException (one line naming the image and the segment) if the sizes
     *     disagree, an id is out of range or repeated, a listed segment has no pixel, or a
     *     non-zero id of the map is not listed
     */
    public static PanopticAnnotation of(long imageId, String fileName, int width, int height,
            int[] ids, List<SegmentLabel> labels) {
        Objects.requireNonNull(fileName, "fileName");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image " + imageId + ": size must be positive, got "
                    + width + "x" + height);
        }
        if (ids.length != width * height) {
            throw new IllegalArgumentException("image " + imageId + ": map has " + ids.length
                    + " pixels, expected " + width + "x" + height);
        }
        Map<Integer, Integer> index = new LinkedHashMap<>();
        for (int k = 0; k < labels.size(); k++) {
            SegmentLabel l = labels.get(k);
            if (l.id() <= 0 || l.id() > MAX_ID) {
                throw new IllegalArgumentException("image " + imageId + ": segment id " + l.id()
                        + " is out of range 1.." + MAX_ID);
            }
            if (index.put(l.id(), k) != null) {
                throw new IllegalArgumentException("image " + imageId + ": segment " + l.id()
                        + " is listed twice");
            }
        }
        int n = labels.size();
        int[] area = new int[n];
        int[] x0 = new int[n];
        int[] y0 = new int[n];
        int[] x1 = new int[n];
        int[] y1 = new int[n];
        Arrays.fill(x0, Integer.MAX_VALUE);
        Arrays.fill(y0, Integer.MAX_VALUE);
        Arrays.fill(x1, -1);
        Arrays.fill(y1, -1);
        int[] copy = ids.clone();
        for (int p = 0; p < copy.length; p++) {
            int id = copy[p];
            if (id == VOID) {
                continue;
            }
            Integer k = index.get(id);
            if (k == null) {
                throw new IllegalArgumentException("image " + imageId + ": segment id " + id
                        + " (at pixel (" + (p % width) + "," + (p / width) + "), R=" + (id & 0xff)
                        + " G=" + ((id >> 8) & 0xff) + " B=" + ((id >> 16) & 0xff)
                        + ") is in the map but not in segments_info");
            }
            int x = p % width;
            int y = p / width;
            area[k]++;
            x0[k] = Math.min(x0[k], x);
            y0[k] = Math.min(y0[k], y);
            x1[k] = Math.max(x1[k], x);
            y1[k] = Math.max(y1[k], y);
        }
        List<PanopticSegment> segs = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            SegmentLabel l = labels.get(k);
            if (area[k] == 0) {
                throw new IllegalArgumentException("image " + imageId + ": segment " + l.id()
                        + " is in segments_info but has no pixel in the map");
            }
            segs.add(new PanopticSegment(l.id(), l.categoryId(), l.crowd(), area[k], x0[k], y0[k],
                    x1[k] - x0[k] + 1, y1[k] - y0[k] + 1));
        }
        return new PanopticAnnotation(imageId, fileName, width, height, copy, segs);
    }

    /**
     * Returns the image id.
     *
     * @return the image id
     */
    public long getImageId() {
        return imageId;
    }

    /**
     * Returns the PNG's file name.
     *
     * @return the file name ({@code annotations[].file_name})
     */
    public String getFileName() {
        return fileName;
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
     * Returns the segment id of every pixel (0 = void), row-major. The array is shared: do not
     * change it.
     *
     * @return the map
     */
    public int[] getIds() {
        return ids;
    }

    /**
     * Returns the segments, in the order they were listed.
     *
     * @return the segments (unmodifiable)
     */
    public List<PanopticSegment> getSegments() {
        return segments;
    }

    /**
     * Returns a segment by id.
     *
     * @param id the segment id
     * @return the segment, or {@code null} if there is none with that id
     */
    public PanopticSegment segment(int id) {
        return byId.get(id);
    }

    /**
     * Returns the binary mask of one segment.
     *
     * @param id the segment id
     * @return row-major values, 1 on the segment, 0 elsewhere
     */
    public byte[] mask(int id) {
        byte[] m = new byte[ids.length];
        for (int p = 0; p < ids.length; p++) {
            if (ids[p] == id) {
                m[p] = 1;
            }
        }
        return m;
    }

    /**
     * Returns this annotation under another image id and file name (the map and segments are
     * shared), for writing predictions named after their ground truth.
     *
     * @param newImageId the image id
     * @param newFileName the PNG's file name
     * @return the renamed annotation
     */
    public PanopticAnnotation renamed(long newImageId, String newFileName) {
        return new PanopticAnnotation(newImageId, Objects.requireNonNull(newFileName), width,
                height, ids, new ArrayList<>(segments));
    }
}
