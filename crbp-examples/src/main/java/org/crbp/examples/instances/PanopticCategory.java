/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import java.util.Objects;

/**
 * A category of a COCO panoptic file ({@code categories} entry).
 *
 * @param id the category id ({@code category_id} of the segments), positive
 * @param name the name
 * @param supercategory the super-category's name (may be empty)
 * @param thing whether it is a "thing" (countable objects, {@code isthing = 1}) rather than
 *     "stuff" (amorphous regions, one segment per image)
 * @param color the colour tools draw it in, {@code 0xRRGGBB}
 */
public record PanopticCategory(int id, String name, String supercategory, boolean thing,
        int color) {

    /**
     * Validates the category.
     *
     * @param id the category id
     * @param name the name
     * @param supercategory the super-category
     * @param thing whether it is a thing
     * @param color the colour, 0xRRGGBB
     * @throws IllegalArgumentException if the id is not positive, a name is missing or the colour
     *     is out of range
     */
    public PanopticCategory {
        if (id <= 0) {
            throw new IllegalArgumentException("category id must be positive, got " + id);
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(supercategory, "supercategory");
        if ((color & ~0xffffff) != 0) {
            throw new IllegalArgumentException("category " + id + ": colour must be 0xRRGGBB, got "
                    + Integer.toHexString(color));
        }
    }
}
