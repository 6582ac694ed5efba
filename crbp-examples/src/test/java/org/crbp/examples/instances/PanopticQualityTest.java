/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import static org.crbp.examples.instances.Strips.CATEGORIES;
import static org.crbp.examples.instances.Strips.STUFF;
import static org.crbp.examples.instances.Strips.THING_A;
import static org.crbp.examples.instances.Strips.THING_B;
import static org.crbp.examples.instances.Strips.crowd;
import static org.crbp.examples.instances.Strips.seg;
import static org.crbp.examples.instances.Strips.strip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * Panoptic Quality on hand-worked one-row maps (only pixel counts matter to PQ). Categories:
 * things a (1) and b (2), stuff s (3). In the strings, '.' is void; each other letter is one
 * segment.
 */
class PanopticQualityTest {

    private static final double TOL = 1e-12;

    private static PanopticQuality.Result score(PanopticAnnotation gt, PanopticAnnotation pred) {
        PanopticQuality pq = new PanopticQuality(CATEGORIES);
        pq.add(gt, pred);
        return pq.result();
    }

    private static void assertCounts(PanopticQuality.Result r, int category, int tp, int fp,
            int fn, double iouSum) {
        PanopticQuality.CategoryScore s = r.perCategory().get(category);
        assertEquals(tp, s.tp(), "TP of " + category);
        assertEquals(fp, s.fp(), "FP of " + category);
        assertEquals(fn, s.fn(), "FN of " + category);
        assertEquals(iouSum, s.iouSum(), TOL, "IoU sum of " + category);
    }

    @Test
    void perfectPredictionScoresOne() {
        PanopticAnnotation gt = strip(1, "AABBBss..s", seg('A', THING_A), seg('B', THING_B),
                seg('s', STUFF));
        PanopticQuality.Result r = score(gt, gt);
        assertEquals(1, r.all().pq(), TOL);
        assertEquals(1, r.all().sq(), TOL);
        assertEquals(1, r.all().rq(), TOL);
        assertEquals(3, r.all().n());
        assertEquals(2, r.things().n());
        assertEquals(1, r.stuff().n());
        assertEquals(1, r.things().pq(), TOL);
        assertEquals(1, r.stuff().pq(), TOL);
    }

    /**
     * Ground truth: thing A (0-3), thing B (4-7), both category a; stuff (8-11). The prediction
     * has A exactly, nothing (void) on 4-7, the stuff exactly. Category a: TP 1 (IoU 1), FN 1:
     * PQ = 1 / (1 + 0.5) = 2/3, SQ = 1, RQ = 2/3. Stuff: PQ 1. All: (2/3 + 1) / 2 = 5/6.
     */
    @Test
    void missedSegmentIsAFalseNegative() {
        PanopticAnnotation gt = strip(1, "AAAABBBBssss", seg('A', THING_A), seg('B', THING_A),
                seg('s', STUFF));
        PanopticAnnotation pred = strip(1, "AAAA....ssss", seg('A', THING_A), seg('s', STUFF));
        PanopticQuality.Result r = score(gt, pred);
        assertCounts(r, THING_A, 1, 0, 1, 1.0);
        PanopticQuality.CategoryScore a = r.perCategory().get(THING_A);
        assertEquals(2.0 / 3, a.pq(), TOL);
        assertEquals(1.0, a.sq(), TOL);
        assertEquals(2.0 / 3, a.rq(), TOL);
        assertEquals(5.0 / 6, r.all().pq(), TOL);
        assertEquals(2, r.all().n()); // category b has no TP, FP or FN: left out
    }

    /**
     * Ground truth: thing A (0-3), stuff (4-11). Prediction: A exactly, a second thing B of
     * category a on 4-5, stuff on 6-11. B overlaps only ground-truth stuff (another category)
     * and no void: a false positive. Stuff: |g & p| = 6, union 8 + 6 - 6 = 8, IoU 0.75, matched.
     * Category a: TP 1 (IoU 1), FP 1: PQ = 1 / 1.5 = 2/3. Stuff: PQ = SQ = 0.75, RQ 1.
     */
    @Test
    void extraSegmentIsAFalsePositive() {
        PanopticAnnotation gt = strip(1, "AAAAssssssss", seg('A', THING_A), seg('s', STUFF));
        PanopticAnnotation pred = strip(1, "AAAABBssssss", seg('A', THING_A), seg('B', THING_A),
                seg('s', STUFF));
        PanopticQuality.Result r = score(gt, pred);
        assertCounts(r, THING_A, 1, 1, 0, 1.0);
        assertCounts(r, STUFF, 1, 0, 0, 0.75);
        assertEquals(2.0 / 3, r.things().pq(), TOL);
        assertEquals(0.75, r.stuff().pq(), TOL);
        assertEquals((2.0 / 3 + 0.75) / 2, r.all().pq(), TOL);
    }

    /**
     * Ground truth: void (0-3), thing A (4-7), stuff (8-11). Prediction: a thing B of category b
     * on 0-1 (all void: ignored, not a false positive), thing A on 2-7 (its 2 void pixels leave
     * the union: 6 + 4 - 4 - 2 = 4, IoU 4/4 = 1), stuff exactly. PQ 1 over categories a and s;
     * category b does not count.
     */
    @Test
    void predictionOverVoidIsNotPenalised() {
        PanopticAnnotation gt = strip(1, "....AAAAssss", seg('A', THING_A), seg('s', STUFF));
        PanopticAnnotation pred = strip(1, "BBAAAAAAssss", seg('B', THING_B), seg('A', THING_A),
                seg('s', STUFF));
        PanopticQuality.Result r = score(gt, pred);
        assertCounts(r, THING_A, 1, 0, 0, 1.0);
        assertCounts(r, THING_B, 0, 0, 0, 0.0);
        assertEquals(1, r.all().pq(), TOL);
        assertEquals(2, r.all().n());
    }

    /**
     * An unmatched prediction half on void is still a false positive: the API ignores it only
     * when more than half of it is void (here B covers one void and one stuff pixel).
     */
    @Test
    void predictionHalfOnVoidIsAFalsePositive() {
        PanopticAnnotation gt = strip(1, ".sssssss", seg('s', STUFF));
        PanopticAnnotation pred = strip(1, "BBssssss", seg('B', THING_B), seg('s', STUFF));
        PanopticQuality.Result r = score(gt, pred);
        assertCounts(r, THING_B, 0, 1, 0, 0.0);
        // stuff: 6 / (6 + 7 - 6) = 6/7
        assertCounts(r, STUFF, 1, 0, 0, 6.0 / 7);
    }

    /**
     * Ground truth: a crowd region C of category a (0-5), stuff (6-11). Prediction: thing A of
     * category a on 0-3 (all inside a's crowd region: ignored), thing B of category b on 4-5
     * (the crowd is a's, not b's: a false positive), stuff exactly. The crowd region itself is
     * never a false negative. Category a does not count; b: FP 1, PQ 0; stuff PQ 1. All: (0 + 1)
     * / 2.
     */
    @Test
    void crowdRegionIgnoresPredictionsOfItsCategory() {
        PanopticAnnotation gt = strip(1, "CCCCCCssssss", crowd('C', THING_A), seg('s', STUFF));
        PanopticAnnotation pred = strip(1, "AAAABBssssss", seg('A', THING_A), seg('B', THING_B),
                seg('s', STUFF));
        PanopticQuality.Result r = score(gt, pred);
        assertCounts(r, THING_A, 0, 0, 0, 0.0);
        assertCounts(r, THING_B, 0, 1, 0, 0.0);
        assertFalse(r.perCategory().get(THING_A).counted());
        assertEquals(0.5, r.all().pq(), TOL);
        assertEquals(2, r.all().n());
        assertEquals(0, r.things().pq(), TOL);
    }

    /**
     * Two crowd segments of one category: the API keeps only the last listed (D) as the image's
     * crowd region of that category. Prediction A covers C and D (2 + 2 pixels): only D's 2 of
     * its 4 pixels are ignored, not more than half, so A is a false positive.
     */
    @Test
    void onlyTheLastCrowdSegmentOfACategoryCounts() {
        PanopticAnnotation gt = strip(1, "CCDDssss", crowd('C', THING_A), crowd('D', THING_A),
                seg('s', STUFF));
        PanopticAnnotation pred = strip(1, "AAAAssss", seg('A', THING_A), seg('s', STUFF));
        assertCounts(score(gt, pred), THING_A, 0, 1, 0, 0.0);
    }

    /**
     * Ground truth: thing A (0-5), stuff (6-11). Prediction P1: A on 2-7 (|g & p| = 4, union
     * 6 + 6 - 4 = 8, IoU exactly 0.5: not matched, the test is IoU > 0.5): FN 1 and FP 1 for
     * category a. Prediction P2: A on 2-6 (|g & p| = 4, union 6 + 5 - 4 = 7, IoU 4/7 > 0.5):
     * matched, PQ = SQ = 4/7.
     */
    @Test
    void iouMustExceedOneHalf() {
        PanopticAnnotation gt = strip(1, "AAAAAAssssss", seg('A', THING_A), seg('s', STUFF));
        PanopticAnnotation atHalf = strip(1, "ssAAAAAAssss", seg('A', THING_A), seg('s', STUFF));
        PanopticQuality.Result r = score(gt, atHalf);
        assertCounts(r, THING_A, 0, 1, 1, 0.0);
        assertEquals(0, r.things().pq(), TOL);

        PanopticAnnotation above = strip(1, "ssAAAAAsssss", seg('A', THING_A), seg('s', STUFF));
        r = score(gt, above);
        assertCounts(r, THING_A, 1, 0, 0, 4.0 / 7);
        assertEquals(4.0 / 7, r.things().pq(), TOL);
        assertEquals(4.0 / 7, r.things().sq(), TOL);
        assertEquals(1, r.things().rq(), TOL);
    }

    /**
     * Two images accumulated, two categories averaged. Image 1 is the missed-segment case
     * (category a: TP 1, IoU 1, FN 1; stuff: TP 1, IoU 1), image 2 the false-positive case
     * (a: TP 1, IoU 1, FP 1; stuff: TP 1, IoU 0.75). Category a: TP 2, IoU sum 2, FP 1, FN 1:
     * PQ = 2 / (2 + 0.5 + 0.5) = 2/3, SQ 1, RQ 2/3. Stuff: TP 2, IoU sum 1.75: PQ = SQ = 0.875,
     * RQ 1. All: PQ (2/3 + 0.875) / 2 = 0.7708..., SQ (1 + 0.875) / 2 = 0.9375, RQ (2/3 + 1) / 2
     * = 5/6; n = 2 (b does not count).
     */
    @Test
    void twoCategoryAverageOverTwoImages() {
        PanopticAnnotation gt1 = strip(1, "AAAABBBBssss", seg('A', THING_A), seg('B', THING_A),
                seg('s', STUFF));
        PanopticAnnotation pred1 = strip(1, "AAAA....ssss", seg('A', THING_A), seg('s', STUFF));
        PanopticAnnotation gt2 = strip(2, "AAAAssssssss", seg('A', THING_A), seg('s', STUFF));
        PanopticAnnotation pred2 = strip(2, "AAAABBssssss", seg('A', THING_A), seg('B', THING_A),
                seg('s', STUFF));
        PanopticQuality.Result r = PanopticQuality.evaluate(CATEGORIES, List.of(gt1, gt2),
                List.of(pred2, pred1));
        assertCounts(r, THING_A, 2, 1, 1, 2.0);
        assertCounts(r, STUFF, 2, 0, 0, 1.75);
        assertEquals((2.0 / 3 + 0.875) / 2, r.all().pq(), TOL);
        assertEquals(0.9375, r.all().sq(), TOL);
        assertEquals(5.0 / 6, r.all().rq(), TOL);
        assertEquals(2, r.all().n());
        assertEquals(2.0 / 3, r.things().pq(), TOL);
        assertEquals(0.875, r.stuff().pq(), TOL);
        assertEquals(2, r.images());
        assertTrue(r.table().contains("All       |  77.1   93.8   83.3     2"), r.table());
    }

    @Test
    void noCountedCategoryAveragesToNaN() {
        PanopticAnnotation gt = strip(1, "ssss", seg('s', STUFF));
        PanopticQuality.Result r = score(gt, gt);
        assertTrue(Double.isNaN(r.things().pq()));
        assertEquals(0, r.things().n());
    }

    @Test
    void refusesMissingPredictionsAndUnknownCategories() {
        PanopticAnnotation gt = strip(7, "ssss", seg('s', STUFF));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PanopticQuality.evaluate(CATEGORIES, List.of(gt), List.of()));
        assertEquals("no prediction for image 7", e.getMessage());
        PanopticAnnotation bad = strip(7, "ssss", seg('s', 99));
        e = assertThrows(IllegalArgumentException.class,
                () -> new PanopticQuality(CATEGORIES).add(gt, bad));
        assertTrue(e.getMessage().contains("image 7 predicted segment")
                && e.getMessage().contains("unknown category_id 99"), e.getMessage());
    }
}
