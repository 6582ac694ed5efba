/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The 100x-above-the-running-median rule, and the stop hook. */
class DivergenceMonitorTest {

    @Test
    void aFiniteBlowUpWarnsOnceWhenItStarts() {
        DivergenceMonitor m = DivergenceMonitor.builder().setName("loss").build();
        // a healthy run: noise around 0.1, one 50x spike that is not a blow-up
        double[] healthy = {0.12, 0.10, 0.11, 0.09, 0.10, 0.13, 5.0, 0.10, 0.08};
        for (double v : healthy) {
            assertNull(m.observe(v), "warned at " + v);
        }
        assertEquals(0.10, m.median(), 1e-12);
        // lr 100: the loss climbs to 1e6 and stays there
        String w = m.observe(20.0);
        assertNotNull(w);
        assertTrue(w.startsWith("loss 20.00 at batch 10 is more than 100x its running median"), w);
        assertTrue(m.isDiverging());
        assertNull(m.observe(1e6), "one warning per blow-up");
        assertNull(m.observe(3e5));
        assertEquals(1, m.getWarnings());
        // back to normal re-arms the monitor; the median has not moved much (robust to outliers)
        assertNull(m.observe(0.1));
        assertFalse(m.isDiverging());
        assertTrue(m.median() < 0.2, "median " + m.median());
        assertNotNull(m.observe(1e4));
        assertEquals(2, m.getWarnings());
    }

    @Test
    void theBarIsStrictlyMoreThanTheFactor() {
        DivergenceMonitor m = DivergenceMonitor.builder().setName("loss").optWindow(5).build();
        for (int i = 0; i < 5; i++) {
            assertNull(m.observe(1.0));
        }
        assertNull(m.observe(100.0), "exactly 100x is not more than 100x");
        assertNotNull(m.observe(100.5), "the window is now 1, 1, 1, 1, 100: median 1");
    }

    @Test
    void aPenaltyAtZeroIsJudgedAgainstTheFloor() {
        DivergenceMonitor p = DivergenceMonitor.builder().setName("penalty").optFloor(1e-3)
                .build();
        for (int i = 0; i < 20; i++) {
            assertNull(p.observe(0.0));
        }
        assertNull(p.observe(0.05), "small penalty is no blow-up");
        assertNotNull(p.observe(1e26));
    }

    @Test
    void notFiniteValuesWarnAtOnce() {
        DivergenceMonitor m = DivergenceMonitor.builder().setName("loss").build();
        String w = m.observe(Double.NaN);
        assertEquals("loss is NaN at batch 1", w);
        assertTrue(m.isDiverging());
    }

    @Test
    void theMedianCoversOnlyTheWindow() {
        DivergenceMonitor m = DivergenceMonitor.builder().setName("loss").optWindow(3)
                .optWarmup(3).build();
        for (double v : new double[] {1, 1, 1, 50, 60, 70}) {
            m.observe(v);
        }
        assertEquals(60, m.median(), 0);
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> DivergenceMonitor.builder().build());
        assertThrows(IllegalArgumentException.class,
                () -> DivergenceMonitor.builder().setName("x").optFactor(1).build());
        assertThrows(IllegalArgumentException.class,
                () -> DivergenceMonitor.builder().setName("x").optWindow(2).optWarmup(3).build());
    }

    @Test
    void theStopSignalKeepsTheFirstReason() throws InterruptedException {
        StopSignal none = StopSignal.none();
        assertFalse(none.shouldStop());
        none.check();
        StopSignal past = StopSignal.withDeadline(System.nanoTime() - 1);
        assertTrue(past.shouldStop());
        assertEquals(StopSignal.Reason.TIME_BUDGET, past.getReason());
        StopSignal s = StopSignal.none();
        s.request(StopSignal.Reason.DIVERGENCE, "loss 1e6 at batch 3");
        s.request(StopSignal.Reason.REQUESTED, "later");
        assertEquals(StopSignal.Reason.DIVERGENCE, s.getReason());
        assertEquals("loss 1e6 at batch 3", s.getDetail());
        StopSignal.StopException e = assertThrows(StopSignal.StopException.class, s::check);
        assertEquals(StopSignal.Reason.DIVERGENCE, e.getReason());
    }
}
