/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

/**
 * What a segment is, before its area and box are measured on a panoptic map (see {@link
 * PanopticAnnotation#of}).
 *
 * @param id the segment id, as coded in the map ({@code R + 256 G + 256^2 B}), 1 to
 *     {@code 2^24 - 1}
 * @param categoryId the category id
 * @param crowd whether it is a crowd region ({@code iscrowd = 1}: a group of things not told
 *     apart, ignored by Panoptic Quality)
 */
public record SegmentLabel(int id, int categoryId, boolean crowd) {}
