/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hand-made panoptic maps for tests, drawn as rows of letters: '.' is void, every other letter a
 * segment whose id is its position in the legend plus one.
 */
final class Strips {

    /** Thing category "a" (id 1). */
    static final int THING_A = 1;
    /** Thing category "b" (id 2). */
    static final int THING_B = 2;
    /** Stuff category "s" (id 3). */
    static final int STUFF = 3;

    static final PanopticCategories CATEGORIES = new PanopticCategories(List.of(
            new PanopticCategory(THING_A, "a", "thing", true, 0xff0000),
            new PanopticCategory(THING_B, "b", "thing", true, 0x00ff00),
            new PanopticCategory(STUFF, "s", "stuff", false, 0x0000ff)));

    private Strips() {}

    /** A segment of the legend: its letter, category and crowd flag. */
    record Letter(char letter, int categoryId, boolean crowd) {}

    static Letter seg(char letter, int categoryId) {
        return new Letter(letter, categoryId, false);
    }

    static Letter crowd(char letter, int categoryId) {
        return new Letter(letter, categoryId, true);
    }

    /**
     * Builds an annotation of image {@code imageId} from rows of letters.
     *
     * @param imageId the image id
     * @param rows the rows, all of one length
     * @param legend the segments, in the order they are listed
     */
    static PanopticAnnotation map(long imageId, String[] rows, Letter... legend) {
        Map<Character, Integer> idOf = new LinkedHashMap<>();
        List<SegmentLabel> labels = new ArrayList<>();
        for (int k = 0; k < legend.length; k++) {
            // ids that use all three colour channels, as the PNGs then do
            int id = (k + 1) * 0x010203;
            idOf.put(legend[k].letter(), id);
            labels.add(new SegmentLabel(id, legend[k].categoryId(), legend[k].crowd()));
        }
        int w = rows[0].length();
        int h = rows.length;
        int[] ids = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                char c = rows[y].charAt(x);
                ids[y * w + x] = c == '.' ? PanopticAnnotation.VOID : idOf.get(c);
            }
        }
        return PanopticAnnotation.of(imageId, String.format("%06d.png", imageId), w, h, ids,
                labels);
    }

    /** A one-row annotation. */
    static PanopticAnnotation strip(long imageId, String row, Letter... legend) {
        return map(imageId, new String[] {row}, legend);
    }
}
