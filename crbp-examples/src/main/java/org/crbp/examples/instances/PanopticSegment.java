/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

/**
 * One segment of a panoptic map ({@code segments_info} entry), measured on the map: its area in
 * pixels and its box {@code [x, y, width, height]} (COCO's {@code bbox}: the smallest rectangle of
 * whole pixels holding the segment, {@code x, y} its top-left pixel).
 *
 * @param id the segment id, as coded in the map ({@code R + 256 G + 256^2 B})
 * @param categoryId the category id
 * @param crowd whether it is a crowd region ({@code iscrowd = 1})
 * @param area the number of pixels
 * @param x the box's first column
 * @param y the box's first row
 * @param width the box's width in pixels
 * @param height the box's height in pixels
 */
public record PanopticSegment(int id, int categoryId, boolean crowd, int area, int x, int y,
        int width, int height) {

    /**
     * Returns the box as COCO writes it.
     *
     * @return {@code [x, y, width, height]}
     */
    public int[] bbox() {
        return new int[] {x, y, width, height};
    }
}
