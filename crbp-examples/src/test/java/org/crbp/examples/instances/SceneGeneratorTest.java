/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The scene generator: determinism, settings, and scenes that need long-range grouping. */
class SceneGeneratorTest {

    private static final SceneConfig SMALL = new SceneConfig(64, 4, 7, 3, 5);

    @Test
    void sameSeedAndIndexGiveTheSameScene() {
        PanopticSample a = new SceneGenerator(SMALL).generate(3);
        PanopticSample b = new SceneGenerator(SMALL).generate(3);
        assertArrayEquals(a.getImage(), b.getImage());
        assertArrayEquals(a.getAnnotation().getIds(), b.getAnnotation().getIds());
        assertEquals(a.getAnnotation().getSegments(), b.getAnnotation().getSegments());
        PanopticSample other = new SceneGenerator(SMALL).generate(4);
        assertFalse(java.util.Arrays.equals(a.getAnnotation().getIds(),
                other.getAnnotation().getIds()));
        PanopticSample otherSeed = new SceneGenerator(SMALL.withSeed(6)).generate(3);
        assertFalse(java.util.Arrays.equals(a.getImage(), otherSeed.getImage()));
    }

    @Test
    void settingsAreValidatedInOneLine() {
        assertEquals("scene size must be 64 to 128 pixels, got 32", assertThrows(
                IllegalArgumentException.class, () -> SMALL.withSize(32)).getMessage());
        assertEquals("maxInstances must be 4 (the minimum) to 16, got 3", assertThrows(
                IllegalArgumentException.class, () -> new SceneConfig(64, 4, 3, 3, 0))
                .getMessage());
        assertEquals("minInstances must be at least 1, got 0", assertThrows(
                IllegalArgumentException.class, () -> SMALL.withInstances(0, 2)).getMessage());
        assertEquals("thingClasses must be 1 to 3, got 4", assertThrows(
                IllegalArgumentException.class, () -> new SceneConfig(64, 1, 2, 4, 0))
                .getMessage());
        assertEquals(96, SceneConfig.defaults().size());
    }

    @Test
    void scenesAreWellFormed() {
        SceneGenerator gen = new SceneGenerator(SMALL);
        for (PanopticSample s : gen.generate(0, 6)) {
            PanopticAnnotation a = s.getAnnotation();
            assertEquals(64, a.getWidth());
            int labelled = 0;
            int things = 0;
            int stuff = 0;
            Set<Integer> stuffCategories = new HashSet<>();
            for (PanopticSegment seg : a.getSegments()) {
                labelled += seg.area();
                PanopticCategory c = gen.getCategories().get(seg.categoryId());
                if (c.thing()) {
                    things++;
                    assertTrue(seg.area() >= 10, "instance of " + seg.area() + " px");
                } else {
                    stuff++;
                    assertTrue(stuffCategories.add(c.id()), "one segment per stuff category");
                }
                assertFalse(seg.crowd());
            }
            int voids = 0;
            for (int id : a.getIds()) {
                voids += id == PanopticAnnotation.VOID ? 1 : 0;
            }
            assertEquals(64 * 64, labelled + voids);
            assertTrue(things <= 7, things + " things");
            assertTrue(stuff >= 1 && stuff <= 3, stuff + " stuff segments");
            for (float v : s.getImage()) {
                // 8-bit values, so the image reads back from its PNG unchanged
                assertEquals(Math.round(v * 255) / 255f, v, 0f);
                assertTrue(v >= 0 && v <= 1);
            }
        }
    }

    /**
     * What makes the scenes a grouping task: instances are thin or concave (they fill a small
     * part of their box), many touch another instance of the same class, and same-class
     * instances have the same mean colour.
     */
    @Test
    void instancesAreThinTouchingAndLookAlike() {
        SceneGenerator gen = new SceneGenerator(SMALL);
        List<PanopticSample> scenes = gen.generate(0, 8);
        int instances = 0;
        int sparse = 0;
        int touching = 0;
        for (PanopticSample s : scenes) {
            PanopticAnnotation a = s.getAnnotation();
            int w = a.getWidth();
            int[] ids = a.getIds();
            Set<Integer> touchingIds = new HashSet<>();
            for (int p = 0; p < ids.length; p++) {
                int x = p % w;
                for (int q : new int[] {x + 1 < w ? p + 1 : -1, p + w < ids.length ? p + w : -1}) {
                    if (q < 0 || ids[p] == ids[q] || ids[p] == 0 || ids[q] == 0) {
                        continue;
                    }
                    PanopticSegment sp = a.segment(ids[p]);
                    PanopticSegment sq = a.segment(ids[q]);
                    if (sp.categoryId() == sq.categoryId()
                            && gen.getCategories().get(sp.categoryId()).thing()) {
                        touchingIds.add(sp.id());
                        touchingIds.add(sq.id());
                    }
                }
            }
            for (PanopticSegment seg : a.getSegments()) {
                if (!gen.getCategories().get(seg.categoryId()).thing()) {
                    continue;
                }
                instances++;
                if (seg.area() < 0.5 * seg.width() * seg.height()) {
                    sparse++;
                }
            }
            touching += touchingIds.size();
        }
        assertTrue(instances >= 20, instances + " instances in 8 scenes");
        assertTrue(sparse >= 0.8 * instances, sparse + " of " + instances
                + " instances fill less than half their box");
        assertTrue(touching >= 4, touching + " instances touch one of their class");

        // same class, same colour: per-instance mean colours of a class agree within noise
        PanopticSample s = scenes.get(0);
        PanopticAnnotation a = s.getAnnotation();
        int n = a.getWidth() * a.getHeight();
        for (PanopticSegment seg : a.getSegments()) {
            for (PanopticSegment other : a.getSegments()) {
                if (seg.id() >= other.id() || seg.categoryId() != other.categoryId()
                        || !gen.getCategories().get(seg.categoryId()).thing()) {
                    continue;
                }
                for (int c = 0; c < 3; c++) {
                    assertEquals(mean(s, seg.id(), c, n), mean(s, other.id(), c, n), 0.03);
                }
            }
        }
    }

    private static double mean(PanopticSample s, int id, int channel, int n) {
        double sum = 0;
        int count = 0;
        int[] ids = s.getAnnotation().getIds();
        for (int p = 0; p < n; p++) {
            if (ids[p] == id) {
                sum += s.getImage()[channel * n + p];
                count++;
            }
        }
        return sum / count;
    }

    @Test
    void categoriesFollowTheClassCount() {
        PanopticCategories one = SceneGenerator.categories(1);
        assertEquals(1, one.things().size());
        assertEquals(3, one.stuff().size());
        assertEquals(SceneGenerator.BAND, one.things().get(0).id());
        assertEquals(1, one.semanticClass(SceneGenerator.STRIPED));
        assertEquals(0, one.semanticClass(SceneGenerator.BAND));
        PanopticSample s = new SceneGenerator(new SceneConfig(64, 3, 5, 1, 0)).generate(0);
        for (PanopticSegment seg : s.getAnnotation().getSegments()) {
            assertTrue(one.contains(seg.categoryId()));
        }
    }
}
