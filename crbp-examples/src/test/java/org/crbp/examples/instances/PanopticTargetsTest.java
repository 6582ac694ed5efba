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
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

import java.util.List;

/** Training targets worked by hand on a small map, and their batch. */
class PanopticTargetsTest {

    /**
     * 6 x 6: an L-shaped thing A (category a) in rows 0-3, a thing B (category b) of 2 x 2, a
     * crowd region C (category a), stuff s and void.
     */
    private static final String[] ROWS = {
        "Ass...",
        "Ass.BB",
        "AssCBB",
        "AAAAss",
        "ssssss",
        "ssssss",
    };

    private static PanopticAnnotation annotation() {
        return Strips.map(9, ROWS, seg('A', THING_A), seg('s', STUFF), seg('B', THING_B),
                crowd('C', THING_A));
    }

    @Test
    void semanticTargetMarksThingsStuffAndVoid() {
        PanopticTargets t = PanopticTargets.of(annotation(), CATEGORIES, 2);
        int i = PanopticTargets.IGNORE;
        // thing (A, B and the crowd C) -> 0, stuff s (first stuff category) -> 1, void -> -1
        assertArrayEquals(new int[] {
            0, 1, 1, i, i, i,
            0, 1, 1, i, 0, 0,
            0, 1, 1, 0, 0, 0,
            0, 0, 0, 0, 1, 1,
            1, 1, 1, 1, 1, 1,
            1, 1, 1, 1, 1, 1,
        }, t.getSemantic());
        assertEquals(2, CATEGORIES.semanticClassCount());
    }

    /**
     * A covers columns 0-3, rows 0-3: box (0, 0, 4, 4). With M = 4 the samples fall at pixel
     * centres, so its mask target is the L itself. B covers columns 4-5, rows 1-2: box (4, 1, 6,
     * 3); with M = 4, cell (i, j) samples (4 + (j + 0.5) / 2, 1 + (i + 0.5) / 2), pixel (4 +
     * floor((j + 0.5) / 2), 1 + floor((i + 0.5) / 2)): all inside B, all 1. The crowd region is
     * no instance. Classes: a is thing class 0, b class 1.
     */
    @Test
    void instancesHaveBoxesClassesAndMasks() {
        PanopticTargets t = PanopticTargets.of(annotation(), CATEGORIES, 4);
        assertEquals(2, t.instanceCount());
        assertArrayEquals(new float[] {0, 0, 4, 4, 4, 1, 6, 3}, t.getBoxes());
        assertArrayEquals(new int[] {0, 1}, t.getClasses());
        float[] masks = t.getMasks();
        float[] expectedA = {
            1, 0, 0, 0,
            1, 0, 0, 0,
            1, 0, 0, 0,
            1, 1, 1, 1,
        };
        float[] a = java.util.Arrays.copyOfRange(masks, 0, 16);
        float[] b = java.util.Arrays.copyOfRange(masks, 16, 32);
        assertArrayEquals(expectedA, a);
        float[] ones = new float[16];
        java.util.Arrays.fill(ones, 1f);
        assertArrayEquals(ones, b);
    }

    /**
     * M = 2 over A's 4 x 4 box: cell (i, j) samples (0 + (j + 0.5) * 2, (i + 0.5) * 2) = pixel
     * (2j + 1, 2i + 1): (1, 1) is s -> 0, (3, 1) void -> 0, (1, 3) A -> 1, (3, 3) A -> 1.
     */
    @Test
    void coarseMaskSamplesPixelCentresOfTheBox() {
        PanopticTargets t = PanopticTargets.of(annotation(), CATEGORIES, 2);
        assertArrayEquals(new float[] {0, 0, 1, 1},
                java.util.Arrays.copyOfRange(t.getMasks(), 0, 4));
    }

    @Test
    void batchHasTheTrainingLoopsShapes() {
        PanopticAnnotation a = annotation();
        PanopticSample s1 = new PanopticSample("a.png", ramp(a), a);
        PanopticAnnotation empty = Strips.map(10, new String[] {
            "ssssss", "ssssss", "ssssss", "ssssss", "ssssss", "......"}, seg('s', STUFF));
        PanopticSample s2 = new PanopticSample("b.png", ramp(empty), empty);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList batch = PanopticTargets.batch(manager, List.of(s2, s1), CATEGORIES, 4);
            assertEquals(6, batch.size());
            assertEquals(new Shape(2, 3, 6, 6), batch.get(0).getShape());
            assertEquals(DataType.FLOAT32, batch.get(0).getDataType());
            assertEquals(new Shape(2, 6, 6), batch.get(1).getShape());
            assertEquals(DataType.INT32, batch.get(1).getDataType());
            assertEquals(new Shape(2, 4), batch.get(2).getShape());
            assertEquals(new Shape(2), batch.get(3).getShape());
            assertEquals(new Shape(2), batch.get(4).getShape());
            assertEquals(new Shape(2, 4, 4), batch.get(5).getShape());
            // both instances are the second sample's
            assertArrayEquals(new int[] {1, 1}, batch.get(3).toIntArray());
            assertArrayEquals(new int[] {0, 1}, batch.get(4).toIntArray());
            assertArrayEquals(new float[] {0, 0, 4, 4, 4, 1, 6, 3}, batch.get(2).toFloatArray());
            assertArrayEquals(s1.getImage(), java.util.Arrays.copyOfRange(
                    batch.get(0).toFloatArray(), 3 * 36, 6 * 36));
            assertEquals(-1, batch.get(1).toIntArray()[30]);
            assertEquals("maskTargets", batch.get(5).getName());

            // a batch without instances still has (0, 4) boxes and (0, M, M) masks
            NDList none = PanopticTargets.batch(manager, List.of(s2), CATEGORIES, 4);
            assertEquals(new Shape(0, 4), none.get(2).getShape());
            assertEquals(new Shape(0, 4, 4), none.get(5).getShape());

            PanopticAnnotation small = Strips.map(11, new String[] {"ss", "ss"}, seg('s', STUFF));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PanopticTargets.batch(manager, List.of(s1,
                            new PanopticSample("c.png", ramp(small), small)), CATEGORIES, 4));
            assertEquals("image 11 is 2x2, the batch's first is 6x6; a batch needs one size",
                    e.getMessage());
        }
    }

    private static float[] ramp(PanopticAnnotation a) {
        float[] im = new float[3 * a.getWidth() * a.getHeight()];
        for (int i = 0; i < im.length; i++) {
            im[i] = (i % 256) / 255f;
        }
        return im;
    }
}
