/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.crbp.examples.config.EpochTally;
import org.crbp.examples.config.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * An epoch's record and an epoch's tally as the crbp before named metrics wrote them (fixed
 * Pathfinder fields) read into named metrics and write back byte for byte, so old checkpoints
 * resume and a Pathfinder run's state.json and report.json keep their keys and order.
 */
class NamedMetricsFormatTest {

    /** A record of a state.json written before named metrics (its first epoch). */
    private static final String OLD_RECORD = """
            {
              "epoch": 1,
              "loss": 1.1590255498886108,
              "penalty": 0.026867012803753216,
              "trainF1": 0.01726827498639579,
              "validationF1": 0.3425076452599388,
              "validationIoU": 0.20664206642066418,
              "validationLoss": 1.0440276265144348,
              "neumannTerms": 7.666666666666667,
              "steps": 12.0,
              "adjointIterations": 7.666666666666667,
              "diverged": 0,
              "residual": 0.011712123484661182,
              "maxColumnSum": 0.9632927775382996,
              "adjointCutFraction": 0.0,
              "adjointCutGrowth": 0.0,
              "adjointCutNormCap": 0.0,
              "adjointCutBudget": 0.0,
              "adjointCutExploded": 0.0,
              "contractionImages": 16,
              "contractingFraction": 0.0,
              "convergedFraction": 0.0,
              "spectralRadiusMedian": 0.9553544873825619,
              "driftMedian": 0.11593091224118728,
              "seconds": 9.699513807,
              "updates": 6,
              "validationImages": null,
              "cpuSeconds": 9.42,
              "lr": 0.0057115741074085236
            }""";

    /** A mid-epoch tally with the fixed confusion counts, NaN where nothing was measured. */
    private static final String OLD_TALLY = """
            {
              "batches": 1,
              "loss": 1.25,
              "penaltyBatches": 1,
              "penalty": 0.5,
              "neumannTerms": 2.0,
              "steps": 2.0,
              "adjointIterations": 2.0,
              "diverged": 0,
              "adjointSolves": 1,
              "cutGrowth": 0,
              "cutNormCap": 0,
              "cutBudget": 1,
              "cutExploded": 0,
              "residual": 0.125,
              "maxColumnSum": NaN,
              "tp": 12,
              "fp": 30,
              "fn": 4,
              "tn": 16338,
              "seconds": 0.75
            }""";

    @Test
    void oldRecordReadsIntoNamedMetricsAndWritesBackUnchanged() {
        Checkpoints.EpochRecord r = Json.GSON.fromJson(OLD_RECORD, Checkpoints.EpochRecord.class);
        assertEquals(List.of("trainF1", "validationF1", "validationIoU", "validationLoss"),
                r.metrics().names());
        assertEquals(0.20664206642066418, r.metric("validationIoU"), 0.0);
        assertEquals(0.9632927775382996, r.maxColumnSum, 0.0);
        assertEquals(OLD_RECORD, Json.GSON.toJson(r));
    }

    @Test
    void oldTallyReadsIntoTaskSumsAndWritesBackUnchanged() {
        EpochTally t = Json.GSON.fromJson(OLD_TALLY, EpochTally.class);
        assertEquals(List.of("tp", "fp", "fn", "tn"), List.copyOf(t.taskSums.keySet()));
        assertEquals(16338L, t.taskSums.get("tn"));
        assertEquals(OLD_TALLY, Json.GSON.toJson(t.copy()));
    }
}
