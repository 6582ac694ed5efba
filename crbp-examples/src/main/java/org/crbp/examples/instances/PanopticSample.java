/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import java.util.Objects;

/**
 * One image with its panoptic ground truth: the RGB image as floats in [0, 1], channels first
 * ({@code (3, H, W)}, the layout of the network's input), and its {@link PanopticAnnotation}.
 */
public final class PanopticSample {

    private final String imageFileName;
    private final float[] image;
    private final PanopticAnnotation annotation;

    /**
     * Creates a sample.
     *
     * @param imageFileName the image's file name ({@code images[].file_name})
     * @param image the image, {@code 3 * H * W} values in [0, 1], channels first (kept, not
     *     copied)
     * @param annotation the panoptic labelling, of the image's size
     * @throws IllegalArgumentException if the image's length is not {@code 3 * H * W}
     */
    public PanopticSample(String imageFileName, float[] image, PanopticAnnotation annotation) {
        this.imageFileName = Objects.requireNonNull(imageFileName, "imageFileName");
        this.annotation = Objects.requireNonNull(annotation, "annotation");
        int n = 3 * annotation.getWidth() * annotation.getHeight();
        if (image.length != n) {
            throw new IllegalArgumentException("image " + annotation.getImageId() + ": "
                    + image.length + " values, expected 3x" + annotation.getHeight() + "x"
                    + annotation.getWidth());
        }
        this.image = image;
    }

    /**
     * Returns the image's file name.
     *
     * @return the file name
     */
    public String getImageFileName() {
        return imageFileName;
    }

    /**
     * Returns the image: channels first ({@code c * H * W + y * W + x}), values in [0, 1]. The
     * array is shared: do not change it.
     *
     * @return the image
     */
    public float[] getImage() {
        return image;
    }

    /**
     * Returns the panoptic labelling.
     *
     * @return the annotation
     */
    public PanopticAnnotation getAnnotation() {
        return annotation;
    }

    /**
     * Returns the image id.
     *
     * @return the image id
     */
    public long getImageId() {
        return annotation.getImageId();
    }

    /**
     * Returns the width.
     *
     * @return the width in pixels
     */
    public int getWidth() {
        return annotation.getWidth();
    }

    /**
     * Returns the height.
     *
     * @return the height in pixels
     */
    public int getHeight() {
        return annotation.getHeight();
    }
}
