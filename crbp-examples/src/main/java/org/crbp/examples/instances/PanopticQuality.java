/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Panoptic Quality (Kirillov et al., 2019) accumulated over images, computed as the COCO
 * panoptic API's {@code pq_compute} does.
 *
 * <p>Per image, with areas counted on the maps:
 *
 * <ol>
 *   <li>a ground-truth segment and a predicted segment of the same category are matched (a true
 *       positive) when their IoU exceeds 0.5, where the union leaves out the predicted
 *       segment's pixels that are void in the ground truth: {@code IoU = |g & p| / (|g| + |p| -
 *       |g & p| - |void & p|)}; crowd ground-truth segments are never matched. (Above 0.5 a
 *       segment can match at most one other, so the matching is unique.)
 *   <li>an unmatched, non-crowd ground-truth segment is a false negative of its category;
 *   <li>an unmatched predicted segment is a false positive of its category unless more than half
 *       of its pixels are void or in the image's crowd region of that category. As in the COCO
 *       API, an image keeps one crowd region per category: the last crowd segment of that
 *       category in the ground truth's list.
 * </ol>
 *
 * <p>Per category, over all images: {@code PQ = SQ x RQ} with {@code SQ = sum of matched IoUs
 * / TP} (0 without a TP) and {@code RQ = TP / (TP + FP/2 + FN/2)}. The averages (all, things,
 * stuff) are plain means over the categories with {@code TP + FP + FN > 0}; with none the average
 * is NaN (the COCO API fails there).
 */
public final class PanopticQuality {

    /** Key offset of the (ground truth, prediction) pair counts: ids are below {@code 2^24}. */
    private static final long OFFSET = 1L << 24;

    private final PanopticCategories categories;
    private final Map<Integer, Tally> tallies = new LinkedHashMap<>();
    private int images;

    /** A category's running counts. */
    private static final class Tally {
        int tp;
        int fp;
        int fn;
        double iou;
    }

    /**
     * A category's counts and scores.
     *
     * @param categoryId the category id
     * @param tp matched pairs
     * @param fp false positives
     * @param fn false negatives
     * @param iouSum the sum of the matched pairs' IoUs
     */
    public record CategoryScore(int categoryId, int tp, int fp, int fn, double iouSum) {

        /**
         * Returns whether the category counts in the averages ({@code TP + FP + FN > 0}).
         *
         * @return whether it counts
         */
        public boolean counted() {
            return tp + fp + fn > 0;
        }

        /**
         * Returns PQ, {@code iouSum / (TP + FP/2 + FN/2)}; 0 if the category does not count.
         *
         * @return PQ
         */
        public double pq() {
            return counted() ? iouSum / (tp + 0.5 * fp + 0.5 * fn) : 0;
        }

        /**
         * Returns SQ, {@code iouSum / TP}; 0 without a TP.
         *
         * @return SQ
         */
        public double sq() {
            return tp != 0 ? iouSum / tp : 0;
        }

        /**
         * Returns RQ, {@code TP / (TP + FP/2 + FN/2)}; 0 if the category does not count.
         *
         * @return RQ
         */
        public double rq() {
            return counted() ? tp / (tp + 0.5 * fp + 0.5 * fn) : 0;
        }
    }

    /**
     * The means of PQ, SQ and RQ over the categories that count.
     *
     * @param pq mean PQ (NaN if {@code n = 0})
     * @param sq mean SQ (NaN if {@code n = 0})
     * @param rq mean RQ (NaN if {@code n = 0})
     * @param n how many categories count
     */
    public record Average(double pq, double sq, double rq, int n) {}

    /**
     * The scores over all images added.
     *
     * @param all the average over every category
     * @param things the average over thing categories
     * @param stuff the average over stuff categories
     * @param perCategory every category's score, in category order
     * @param images how many images were added
     */
    public record Result(Average all, Average things, Average stuff,
            Map<Integer, CategoryScore> perCategory, int images) {

        /**
         * Returns the table the COCO panoptic API prints: PQ, SQ, RQ in percent and N, for all,
         * things and stuff.
         *
         * @return the table, lines separated by {@code \n}
         */
        public String table() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "%-10s| %5s  %5s  %5s %5s%n", "", "PQ", "SQ", "RQ", "N"));
            sb.append("-".repeat(38)).append('\n');
            row(sb, "All", all);
            row(sb, "Things", things);
            row(sb, "Stuff", stuff);
            return sb.toString().replace(System.lineSeparator(), "\n");
        }

        private static void row(StringBuilder sb, String name, Average a) {
            sb.append(String.format(Locale.ROOT, "%-10s| %5.1f  %5.1f  %5.1f %5d%n", name,
                    100 * a.pq(), 100 * a.sq(), 100 * a.rq(), a.n()));
        }
    }

    /**
     * Creates an empty accumulator.
     *
     * @param categories the ground truth's categories; predictions must use them too
     */
    public PanopticQuality(PanopticCategories categories) {
        this.categories = categories;
        for (PanopticCategory c : categories.all()) {
            tallies.put(c.id(), new Tally());
        }
    }

    /**
     * Scores every ground-truth image against the prediction of the same image id.
     *
     * @param categories the ground truth's categories
     * @param groundTruth the ground truth, one annotation per image
     * @param predictions the predictions (extra images are ignored, as in the COCO API)
     * @return the scores
     * @throws IllegalArgumentException (one line naming the image) if an image has no
     *     prediction, or see {@link #add}
     */
    public static Result evaluate(PanopticCategories categories,
            List<PanopticAnnotation> groundTruth, List<PanopticAnnotation> predictions) {
        Map<Long, PanopticAnnotation> byImage = new HashMap<>();
        for (PanopticAnnotation p : predictions) {
            byImage.put(p.getImageId(), p);
        }
        PanopticQuality pq = new PanopticQuality(categories);
        for (PanopticAnnotation g : groundTruth) {
            PanopticAnnotation p = byImage.get(g.getImageId());
            if (p == null) {
                throw new IllegalArgumentException("no prediction for image " + g.getImageId());
            }
            pq.add(g, p);
        }
        return pq.result();
    }

    /**
     * Adds one image.
     *
     * @param groundTruth the ground truth
     * @param prediction the prediction of the same image
     * @throws IllegalArgumentException (one line naming the image and the segment) if the sizes
     *     differ or a segment's category is unknown
     */
    public void add(PanopticAnnotation groundTruth, PanopticAnnotation prediction) {
        long image = groundTruth.getImageId();
        if (groundTruth.getWidth() != prediction.getWidth()
                || groundTruth.getHeight() != prediction.getHeight()) {
            throw new IllegalArgumentException("image " + image + ": the prediction is "
                    + prediction.getWidth() + "x" + prediction.getHeight() + ", the ground truth "
                    + groundTruth.getWidth() + "x" + groundTruth.getHeight());
        }
        for (PanopticSegment s : groundTruth.getSegments()) {
            if (!categories.contains(s.categoryId())) {
                throw new IllegalArgumentException("image " + image + " ground-truth segment "
                        + s.id() + ": unknown category_id " + s.categoryId());
            }
        }
        for (PanopticSegment s : prediction.getSegments()) {
            if (!categories.contains(s.categoryId())) {
                throw new IllegalArgumentException("image " + image + " predicted segment "
                        + s.id() + ": unknown category_id " + s.categoryId());
            }
        }
        // pixel counts of every (ground truth, prediction) pair, void included
        int[] g = groundTruth.getIds();
        int[] p = prediction.getIds();
        Map<Long, Integer> pairs = new HashMap<>();
        for (int i = 0; i < g.length; i++) {
            pairs.merge(g[i] * OFFSET + p[i], 1, Integer::sum);
        }
        Set<Integer> gtMatched = new HashSet<>();
        Set<Integer> predMatched = new HashSet<>();
        for (Map.Entry<Long, Integer> e : pairs.entrySet()) {
            PanopticSegment gs = groundTruth.segment((int) (e.getKey() / OFFSET));
            PanopticSegment ps = prediction.segment((int) (e.getKey() % OFFSET));
            if (gs == null || ps == null || gs.crowd() || gs.categoryId() != ps.categoryId()) {
                continue;
            }
            int intersection = e.getValue();
            int union = ps.area() + gs.area() - intersection
                    - pairs.getOrDefault(PanopticAnnotation.VOID * OFFSET + ps.id(), 0);
            double iou = intersection / (double) union;
            if (iou > 0.5) {
                Tally t = tallies.get(gs.categoryId());
                t.tp++;
                t.iou += iou;
                gtMatched.add(gs.id());
                predMatched.add(ps.id());
            }
        }
        Map<Integer, Integer> crowdOf = new HashMap<>();
        for (PanopticSegment gs : groundTruth.getSegments()) {
            if (gtMatched.contains(gs.id())) {
                continue;
            }
            if (gs.crowd()) {
                crowdOf.put(gs.categoryId(), gs.id()); // the last one listed wins, as in the API
                continue;
            }
            tallies.get(gs.categoryId()).fn++;
        }
        for (PanopticSegment ps : prediction.getSegments()) {
            if (predMatched.contains(ps.id())) {
                continue;
            }
            int ignored = pairs.getOrDefault(PanopticAnnotation.VOID * OFFSET + ps.id(), 0);
            Integer crowd = crowdOf.get(ps.categoryId());
            if (crowd != null) {
                ignored += pairs.getOrDefault(crowd * OFFSET + ps.id(), 0);
            }
            if (ignored / (double) ps.area() > 0.5) {
                continue;
            }
            tallies.get(ps.categoryId()).fp++;
        }
        images++;
    }

    /**
     * Returns the scores of the images added so far.
     *
     * @return the scores
     */
    public Result result() {
        Map<Integer, CategoryScore> per = new LinkedHashMap<>();
        for (Map.Entry<Integer, Tally> e : tallies.entrySet()) {
            Tally t = e.getValue();
            per.put(e.getKey(), new CategoryScore(e.getKey(), t.tp, t.fp, t.fn, t.iou));
        }
        return new Result(average(per, null), average(per, true), average(per, false),
                Collections.unmodifiableMap(per), images);
    }

    private Average average(Map<Integer, CategoryScore> per, Boolean thing) {
        double pq = 0;
        double sq = 0;
        double rq = 0;
        int n = 0;
        for (CategoryScore s : per.values()) {
            if (thing != null && categories.get(s.categoryId()).thing() != thing) {
                continue;
            }
            if (!s.counted()) {
                continue;
            }
            n++;
            pq += s.pq();
            sq += s.sq();
            rq += s.rq();
        }
        return n == 0 ? new Average(Double.NaN, Double.NaN, Double.NaN, 0)
                : new Average(pq / n, sq / n, rq / n, n);
    }
}
