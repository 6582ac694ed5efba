package org.crbp.examples.pathfinder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PathfinderGeneratorTest {

    private static final PathfinderGenerator MINI14 =
            new PathfinderGenerator(PathfinderPreset.PF_MINI_14);

    @Test
    void sameSeedAndIndexGiveIdenticalPixels() {
        PathfinderSample a = MINI14.generate(3, 5);
        PathfinderSample b = new PathfinderGenerator(PathfinderPreset.PF_MINI_14).generate(3, 5);
        assertArrayEquals(a.getImage(), b.getImage());
        assertArrayEquals(a.getMask(), b.getMask());
        PathfinderSample p1 = new PathfinderGenerator(PathfinderPreset.PF_14).generate(11, 0);
        PathfinderSample p2 = new PathfinderGenerator(PathfinderPreset.PF_14).generate(11, 0);
        assertArrayEquals(p1.getImage(), p2.getImage());
        assertArrayEquals(p1.getMask(), p2.getMask());
    }

    @Test
    void differentSeedsOrIndicesGiveDifferentImages() {
        PathfinderSample a = MINI14.generate(3, 5);
        assertFalse(Arrays.equals(a.getImage(), MINI14.generate(4, 5).getImage()));
        assertFalse(Arrays.equals(a.getImage(), MINI14.generate(3, 6).getImage()));
        assertFalse(Arrays.equals(a.getMask(), MINI14.generate(4, 5).getMask()));
    }

    @Test
    void oneThreadAndManyThreadsGiveIdenticalImages() {
        List<PathfinderSample> one = MINI14.generateAll(77, 16, 1);
        List<PathfinderSample> many = MINI14.generateAll(77, 16, 4);
        assertEquals(16, many.size());
        for (int i = 0; i < 16; i++) {
            assertEquals(i, many.get(i).getIndex());
            assertArrayEquals(one.get(i).getImage(), many.get(i).getImage(), "image " + i);
            assertArrayEquals(one.get(i).getMask(), many.get(i).getMask(), "mask " + i);
        }
    }

    @Test
    void presetsHaveTheRightSizesAndCounts() {
        int[][] distractors = {{7, 4}, {5, 6}, {3, 8}};
        int[] lengths = {14, 20, 25};
        for (int k = 0; k < 3; k++) {
            PathfinderConfig pf = PathfinderPreset.byName("pf-" + lengths[k]).config();
            PathfinderConfig mini = PathfinderPreset.byName("PF_MINI_" + lengths[k]).config();
            assertEquals(300, pf.getCanvasWidth());
            assertEquals(300, pf.getCanvasHeight());
            assertEquals(150, pf.getOutputWidth());
            assertEquals(150, pf.getOutputHeight());
            assertTrue(mini.getOutputWidth() <= 64 && mini.getOutputHeight() <= 64);
            for (PathfinderConfig c : new PathfinderConfig[] {pf, mini}) {
                assertEquals(lengths[k], c.getContourLength());
                assertEquals(distractors[k][0], c.getNumDistractors());
                assertEquals(distractors[k][1], c.getDistractorLength());
            }
        }
        PathfinderSample s = new PathfinderGenerator(PathfinderPreset.PF_20).generate(1, 1);
        assertEquals(150, s.getWidth());
        assertEquals(150 * 150, s.getImage().length);
        assertEquals(150 * 150, s.getMask().length);
        PathfinderSample m = new PathfinderGenerator(PathfinderPreset.PF_MINI_25).generate(1, 1);
        assertEquals(64 * 64, m.getImage().length);
        assertEquals(64, m.getHeight());
    }

    @Test
    void contoursMarkerAndMaskAreConsistent() {
        for (PathfinderPreset p : PathfinderPreset.values()) {
            PathfinderGenerator gen = new PathfinderGenerator(p);
            int n = p.config().getCanvasWidth() > 256 ? 2 : 5;
            for (int i = 0; i < n; i++) {
                checkSample(gen.getConfig(), gen.generate(2024, i, true), p + " #" + i);
            }
        }
    }

    private static void checkSample(PathfinderConfig c, PathfinderSample s, String what) {
        List<PathfinderSample.Contour> contours = s.getContours();
        // Two targets of exactly the preset's length, and distractors.
        assertTrue(contours.get(0).isTarget() && contours.get(1).isTarget(), what);
        assertEquals(c.getContourLength(), contours.get(0).getPaddles().size(), what);
        assertEquals(c.getContourLength(), contours.get(1).getPaddles().size(), what);
        assertTrue(s.getDistractorCount() >= 1, what + ": no distractor contour");
        assertTrue(s.getDistractorCount() <= c.getNumDistractors(), what);
        for (PathfinderSample.Contour d : contours.subList(2, contours.size())) {
            assertFalse(d.isTarget());
            assertEquals(c.getDistractorLength(), d.getPaddles().size(), what);
        }
        // The marker sits on the origin tip of the marked target.
        PathfinderSample.Paddle origin = contours.get(s.getTargetContour()).getPaddles().get(0);
        assertEquals(origin.getStartY(), s.getMarkerY(), 0.0, what);
        assertEquals(origin.getStartX(), s.getMarkerX(), 0.0, what);
        // Successive paddle directions respect the continuity constraint:
        // a turn of delta has weight 0 once continuity * delta >= pi / 2.
        double maxTurn = Math.PI / (2 * c.getContinuity());
        for (PathfinderSample.Contour con : contours) {
            List<PathfinderSample.Paddle> ps = con.getPaddles();
            for (int k = 1; k < ps.size(); k++) {
                double d = Math.abs(ps.get(k).getGrowthAngle() - ps.get(k - 1).getGrowthAngle());
                d = Math.min(d, 2 * Math.PI - d);
                assertTrue(d < maxTurn + 1e-9, what + ": turn " + Math.toDegrees(d));
            }
        }
        // Canvas: the target (contour + marker) and the other contours never share ink.
        PathfinderSample.Canvas cv = s.getCanvas();
        float[] t = cv.getTargetInk();
        float[] o = cv.getOtherInk();
        for (int p = 0; p < t.length; p++) {
            assertFalse(t[p] > 0.5f && o[p] > 0.5f, what + ": target touches another contour");
        }
        // The mask is the downsampled thresholded target, exactly.
        int f = c.getDownsample();
        int w = s.getWidth();
        int cw = cv.getWidth();
        byte[] mask = s.getMask();
        float[] img = s.getImage();
        int maskCount = 0;
        for (int y = 0; y < s.getHeight(); y++) {
            for (int x = 0; x < w; x++) {
                int cnt = 0;
                for (int a = 0; a < f; a++) {
                    for (int b = 0; b < f; b++) {
                        if (t[(y * f + a) * cw + x * f + b] > c.getTargetThreshold()) {
                            cnt++;
                        }
                    }
                }
                int expected = (double) cnt / (f * f) > c.getMaskThreshold() ? 1 : 0;
                assertEquals(expected, mask[y * w + x], what + " mask at " + y + "," + x);
                // The mask lies inside the inked pixels.
                if (mask[y * w + x] == 1) {
                    maskCount++;
                    assertTrue(img[y * w + x] > 0.1f, what + ": mask on an empty pixel");
                }
            }
        }
        assertTrue(maskCount > 0, what);
        // Image values are 8-bit levels in [0, 1], masks binary.
        for (int p = 0; p < img.length; p++) {
            assertTrue(img[p] >= 0 && img[p] <= 1, what);
            assertEquals(Math.round(img[p] * 255) / 255f, img[p], 0f, what);
            assertTrue(mask[p] == 0 || mask[p] == 1, what);
        }
        // The mask covers every paddle of the marked contour and the marker ...
        assertEquals(1, mask[(s.getMarkerY() / f) * w + s.getMarkerX() / f], what + " marker");
        for (PathfinderSample.Paddle p : contours.get(s.getTargetContour()).getPaddles()) {
            assertTrue(anyNear(mask, w, s.getHeight(), p.getCenterY() / f, p.getCenterX() / f),
                    what + ": target paddle not in the mask");
        }
        // ... and no paddle of any other contour.
        for (int k = 0; k < contours.size(); k++) {
            if (k == s.getTargetContour()) {
                continue;
            }
            for (PathfinderSample.Paddle p : contours.get(k).getPaddles()) {
                int y = (int) (p.getCenterY() / f);
                int x = (int) (p.getCenterX() / f);
                assertEquals(0, mask[y * w + x], what + ": contour " + k + " in the mask");
            }
        }
    }

    private static boolean anyNear(byte[] mask, int w, int h, double cy, double cx) {
        int y0 = (int) cy;
        int x0 = (int) cx;
        for (int y = Math.max(0, y0 - 1); y <= Math.min(h - 1, y0 + 1); y++) {
            for (int x = Math.max(0, x0 - 1); x <= Math.min(w - 1, x0 + 1); x++) {
                if (mask[y * w + x] == 1) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void badParametersFailFastWithClearMessages() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> PathfinderPreset.byName("pf-99"));
        assertTrue(e.getMessage().contains("pf-99") && e.getMessage().contains("pf-mini-14"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PathfinderConfig.builder().optCanvas(100, 100).build());
        assertTrue(e.getMessage().contains("too small"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PathfinderConfig.builder().optDistractors(500, 8).build());
        assertTrue(e.getMessage().contains("impossible"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PathfinderConfig.builder().optDistractors(3, 0).build());
        assertTrue(e.getMessage().contains("impossible distractors"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PathfinderConfig.builder().optPaddle(-1, 2, 3).optDownsample(7).build());
        assertTrue(e.getMessage().contains("paddle length") && e.getMessage().contains("downsample"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PathfinderConfig.builder().optContrast(0.4).build());
        assertTrue(e.getMessage().contains("marker only"), e.getMessage());
        // Valid on paper, impossible in practice: the retry loop is bounded and says why.
        PathfinderConfig tooLong = PathfinderConfig.builder()
                .optCanvas(130, 130).optPadding(4).optSeedDistance(20)
                .setContourLength(60).optDistractors(0, 0)
                .optRetries(2, 4, 200).build();
        IllegalStateException s = assertThrows(IllegalStateException.class,
                () -> new PathfinderGenerator(tooLong).generate(0, 0));
        assertTrue(s.getMessage().contains("could not place the two target contours of 60"),
                s.getMessage());
    }

    @Test
    void configRoundTripsThroughMetadataJson() {
        for (PathfinderPreset p : PathfinderPreset.values()) {
            PathfinderMetadata m = new PathfinderMetadata(
                    p.presetName(), p.config(), Long.MAX_VALUE - 3, 0, 10, PathfinderGenerator.VERSION);
            PathfinderMetadata back = PathfinderMetadata.fromJson(m.toJson());
            assertEquals(p.config(), back.getConfig());
            assertEquals(Long.MAX_VALUE - 3, back.getSeed());
            assertEquals(p.presetName(), back.getPreset());
        }
    }
}
