/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;

import org.crbp.examples.config.EpochTally;
import org.crbp.core.StepResult;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** The epoch tally and the divergence watch over a stream of batch results. */
class TrainingWatchTest {

    private static StepResult batch(float loss, float penalty) {
        return StepResult.builder().setPredictions(new NDList()).setLoss(loss)
                .optPenalty(penalty).optAdjoint(3, Float.NaN, false, false).optResidual(0.5f)
                .optMaxJacobianColumnSum(0.8f).build();
    }

    @Test
    void aTallySplitByACheckpointEqualsTheWholeOne() {
        TrainingWatch whole = new TrainingWatch(StopSignal.none(), false, s -> { });
        TrainingWatch first = new TrainingWatch(StopSignal.none(), false, s -> { });
        float[] losses = {0.31f, 0.27f, 0.22f, 0.25f, 0.19f, 0.2f};
        for (int i = 0; i < losses.length; i++) {
            whole.onGradientStep(null, null, List.of(batch(losses[i], 0.01f * i)));
            if (i < 2) {
                first.onGradientStep(null, null, List.of(batch(losses[i], 0.01f * i)));
            }
        }
        // what a checkpoint after batch 2 stores, read back by a new process
        EpochTally stored = first.tally().copy();
        TrainingWatch resumed = new TrainingWatch(StopSignal.none(), false, s -> { });
        resumed.restore(stored);
        for (int i = 2; i < losses.length; i++) {
            resumed.onGradientStep(null, null, List.of(batch(losses[i], 0.01f * i)));
        }
        EpochTally a = whole.finishEpoch();
        EpochTally b = resumed.finishEpoch();
        assertEquals(6, b.batches);
        assertEquals(a.meanLoss(), b.meanLoss(), 0);
        assertEquals(a.meanPenalty(), b.meanPenalty(), 0);
        assertEquals(a.meanNeumannTerms(), b.meanNeumannTerms(), 0);
        assertEquals(a.meanResidual(), b.meanResidual(), 0);
        assertEquals(0.8, b.maxColumnSum, 1e-7);
        assertEquals(0, resumed.tally().batches, "a new epoch starts empty");
    }

    @Test
    void aBlowUpWarnsAndStopsWhenAsked() {
        List<String> lines = new ArrayList<>();
        StopSignal stop = StopSignal.none();
        // the command line's spelling of the settings, as crbp train passes it
        TrainingWatch w = new TrainingWatch(stop, true, TrainingWatch.MEAN_PENALTY_FLOOR,
                key -> "--" + key, lines::add);
        for (int i = 0; i < 10; i++) {
            w.onGradientStep(null, null, List.of(batch(0.1f, 0f)));
        }
        assertFalse(stop.shouldStop());
        w.onGradientStep(null, null, List.of(batch(1e6f, 1e26f)));
        assertTrue(stop.shouldStop());
        assertEquals(StopSignal.Reason.DIVERGENCE, stop.getReason());
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("Warning: loss 1.000e+06 at batch 11 is more than 100x"),
                lines.get(0));
        assertTrue(lines.get(1).contains("penalty 1.000e+26") && lines.get(1).endsWith(
                "; stopping (--stop-on-divergence)"), lines.get(1));
    }

    @Test
    void withoutStopOnDivergenceItOnlyWarns() {
        List<String> lines = new ArrayList<>();
        StopSignal stop = StopSignal.none();
        TrainingWatch w = new TrainingWatch(stop, false, lines::add);
        for (int i = 0; i < 10; i++) {
            w.onGradientStep(null, null, List.of(batch(0.1f, 0f)));
        }
        w.onGradientStep(null, null, List.of(batch(50f, 0f)));
        assertEquals(1, lines.size());
        assertFalse(stop.shouldStop());
    }
}
