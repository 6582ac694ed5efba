/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.crbp.core.RecurrentNet;
import org.crbp.examples.pathfinder.PathfinderDataset;
import org.crbp.examples.pathfinder.PathfinderPreset;
import org.crbp.models.PathfinderModels;
import org.junit.jupiter.api.Test;

/**
 * The time budget bounds evaluation: past its deadline an evaluation stops between batches,
 * after at least one, and its scores say how many images they cover.
 */
class EvaluationDeadlineTest {

    @Test
    void aPassedDeadlineStopsAfterTheFirstBatchAndSaysSo() throws Exception {
        PathfinderDataset set = PathfinderDataset.builder()
                .optPreset(PathfinderPreset.byName("pf-mini-14"))
                .setSize(12)
                .setSampling(4, false, false)
                .build();
        set.prepare();
        RecurrentNet net = PathfinderModels.hgru(3, 2, 2);
        try (NDManager manager = NDManager.newBaseManager()) {
            net.initialize(manager, DataType.FLOAT32, new Shape(4, 1, 64, 64));
            Scores all = Evaluation.evaluate(net, manager, set, 2, null, null,
                    Evaluation.NO_DEADLINE);
            assertEquals(12, all.images());
            assertFalse(all.stoppedEarly());
            Scores cut = Evaluation.evaluate(net, manager, set, 2, null, null,
                    System.nanoTime() - 1);
            assertEquals(4, cut.images(), "one batch, then the deadline");
            assertTrue(cut.stoppedEarly());
        }
    }
}
