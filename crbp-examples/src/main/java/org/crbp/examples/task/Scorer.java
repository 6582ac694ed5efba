/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.task;

import ai.djl.ndarray.NDList;

import java.util.Map;

/**
 * A task's evaluator over many batches: it sums what its metrics need (confusion counts,
 * matched segments) batch by batch. Its sums are plain numbers, so that a checkpoint taken
 * inside an epoch stores them and a resumed run continues them.
 */
public interface Scorer {

    /**
     * Adds one batch.
     *
     * @param labels the batch's labels
     * @param predictions the model's outputs on it
     */
    void add(NDList labels, NDList predictions);

    /**
     * Returns the running sums, in a fixed order (what a checkpoint stores).
     *
     * @return the sums by name
     */
    Map<String, Number> sums();

    /**
     * Continues from stored sums; names it does not know are ignored and missing ones are 0.
     *
     * @param sums the sums by name
     */
    void restore(Map<String, Number> sums);
}
