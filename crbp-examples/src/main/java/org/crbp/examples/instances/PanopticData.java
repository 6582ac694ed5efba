/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A COCO panoptic split loaded and checked by {@link PanopticFolder#read}: its categories and
 * every image with its ground truth, in the order of the JSON file's {@code images}.
 */
public final class PanopticData {

    private final PanopticCategories categories;
    private final List<PanopticSample> samples;

    /**
     * Creates the data set.
     *
     * @param categories the categories
     * @param samples the samples
     */
    public PanopticData(PanopticCategories categories, List<PanopticSample> samples) {
        this.categories = categories;
        this.samples = Collections.unmodifiableList(new ArrayList<>(samples));
    }

    /**
     * Returns the categories.
     *
     * @return the categories
     */
    public PanopticCategories getCategories() {
        return categories;
    }

    /**
     * Returns the samples.
     *
     * @return the samples (unmodifiable)
     */
    public List<PanopticSample> getSamples() {
        return samples;
    }

    /**
     * Returns the ground-truth annotations, in sample order.
     *
     * @return the annotations
     */
    public List<PanopticAnnotation> annotations() {
        List<PanopticAnnotation> out = new ArrayList<>(samples.size());
        for (PanopticSample s : samples) {
            out.add(s.getAnnotation());
        }
        return out;
    }

    /**
     * Returns the number of images.
     *
     * @return the number of samples
     */
    public int size() {
        return samples.size();
    }
}
