/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.crbp.examples.pathfinder.BadDataFileException;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** COCO panoptic folders: round trips, the instance file, and one-line refusals of bad data. */
class PanopticFolderTest {

    private static final SceneGenerator GEN = new SceneGenerator(new SceneConfig(64, 3, 5, 3, 1));
    private static List<PanopticSample> scenes;

    @BeforeAll
    static void generate() {
        scenes = GEN.generate(0, 3);
    }

    private static Path written(Path tmp) throws IOException {
        Path dir = tmp.resolve("val");
        PanopticFolder.write(dir, GEN.getCategories(), scenes, false);
        return dir;
    }

    @Test
    void roundTripReadsBackTheSameScenes(@TempDir Path tmp) throws IOException {
        Path dir = written(tmp);
        assertTrue(Files.isRegularFile(dir.resolve("panoptic.json")));
        assertTrue(Files.isRegularFile(dir.resolve("panoptic/000002.png")));
        assertTrue(Files.isRegularFile(dir.resolve("images/000002.png")));
        assertTrue(Files.isRegularFile(dir.resolve("instances.json")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(dir), s.toList(), "no temporary folder left");
        }
        PanopticData data = PanopticFolder.read(dir);
        assertEquals(GEN.getCategories().all(), data.getCategories().all());
        assertEquals(scenes.size(), data.size());
        for (int i = 0; i < scenes.size(); i++) {
            PanopticSample want = scenes.get(i);
            PanopticSample got = data.getSamples().get(i);
            assertEquals(want.getImageId(), got.getImageId());
            assertEquals(want.getImageFileName(), got.getImageFileName());
            assertArrayEquals(want.getImage(), got.getImage(), "image " + i);
            assertArrayEquals(want.getAnnotation().getIds(), got.getAnnotation().getIds());
            assertEquals(want.getAnnotation().getSegments(), got.getAnnotation().getSegments());
        }
    }

    /** The segment PNG's colours are the ids: R + 256 G + 256^2 B. */
    @Test
    void segmentColoursCodeIds(@TempDir Path tmp) throws IOException {
        Path dir = written(tmp);
        BufferedImage png = ImageIO.read(dir.resolve("panoptic/000000.png").toFile());
        int[] ids = scenes.get(0).getAnnotation().getIds();
        for (int p = 0; p < ids.length; p += 97) {
            int rgb = png.getRGB(p % 64, p / 64);
            int r = (rgb >> 16) & 0xff;
            int g = (rgb >> 8) & 0xff;
            int b = rgb & 0xff;
            assertEquals(ids[p], r + 256 * g + 65536 * b);
        }
    }

    @Test
    void instanceFileHoldsEveryThingAsRle(@TempDir Path tmp) throws IOException {
        Path dir = written(tmp);
        List<CocoInstances.Instance> instances = CocoInstances.read(dir.resolve("instances.json"));
        int expected = 0;
        int k = 0;
        for (PanopticSample s : scenes) {
            PanopticAnnotation a = s.getAnnotation();
            for (PanopticSegment seg : a.getSegments()) {
                if (!GEN.getCategories().get(seg.categoryId()).thing()) {
                    continue;
                }
                expected++;
                CocoInstances.Instance in = instances.get(k++);
                assertEquals(k, in.id());
                assertEquals(a.getImageId(), in.imageId());
                assertEquals(seg.categoryId(), in.categoryId());
                assertEquals(seg.area(), in.area());
                assertArrayEquals(new double[] {seg.x(), seg.y(), seg.width(), seg.height()},
                        in.bbox());
                assertArrayEquals(a.mask(seg.id()), in.mask());
            }
        }
        assertEquals(expected, instances.size());
        String text = Files.readString(dir.resolve("instances.json"));
        JsonObject root = JsonParser.parseString(text).getAsJsonObject();
        assertEquals(3, root.getAsJsonArray("categories").size(), "thing categories only");
        JsonObject seg = root.getAsJsonArray("annotations").get(0).getAsJsonObject()
                .getAsJsonObject("segmentation");
        assertEquals("[64,64]", seg.get("size").toString());
        assertTrue(seg.get("counts").getAsJsonPrimitive().isString());
    }

    @Test
    void refusesToOverwriteUnlessAsked(@TempDir Path tmp) throws IOException {
        Path dir = written(tmp);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PanopticFolder.write(dir, GEN.getCategories(), scenes.subList(0, 1), false));
        assertTrue(e.getMessage().startsWith("Refusing to overwrite the non-empty folder"),
                e.getMessage());
        assertEquals(3, PanopticFolder.read(dir).size(), "the folder is unchanged");
        PanopticFolder.write(dir, GEN.getCategories(), scenes.subList(0, 1), true);
        assertEquals(1, PanopticFolder.read(dir).size());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(dir), s.toList(), "no temporary or old folder left");
        }
    }

    /** COCO's own layout: JSON, segment maps and images in separate places. */
    @Test
    void readsCocosLayout(@TempDir Path tmp) throws IOException {
        Path dir = written(tmp);
        Path coco = tmp.resolve("coco");
        Files.createDirectories(coco.resolve("annotations"));
        Files.move(dir.resolve("panoptic.json"), coco.resolve("annotations/panoptic_val.json"));
        Files.move(dir.resolve("panoptic"), coco.resolve("annotations/panoptic_val"));
        Files.move(dir.resolve("images"), coco.resolve("val"));
        PanopticData data = PanopticFolder.read(new PanopticFolder.Layout(
                coco.resolve("annotations/panoptic_val.json"),
                coco.resolve("annotations/panoptic_val"), coco.resolve("val")));
        assertEquals(3, data.size());
    }

    /** Edits panoptic.json, reads the folder, and returns the one-line message. */
    private static String refusal(Path dir, Consumer<JsonObject> edit) throws IOException {
        Path json = dir.resolve("panoptic.json");
        JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        edit.accept(root);
        Files.writeString(json, root.toString());
        return refusal(dir);
    }

    private static String refusal(Path dir) {
        BadDataFileException e = assertThrows(BadDataFileException.class,
                () -> PanopticFolder.read(dir));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    private static JsonArray segments(JsonObject root, int image) {
        return root.getAsJsonArray("annotations").get(image).getAsJsonObject()
                .getAsJsonArray("segments_info");
    }

    @Test
    void refusesMalformedJson(@TempDir Path tmp) throws IOException {
        Path dir = written(tmp);
        Path json = dir.resolve("panoptic.json");
        String text = Files.readString(json);
        Files.writeString(json, text.substring(0, text.length() / 2), StandardCharsets.UTF_8);
        String m = refusal(dir);
        assertTrue(m.startsWith("bad data file " + json + ": is not valid JSON ("), m);
    }

    @Test
    void refusesMissingKeys(@TempDir Path tmp) throws IOException {
        Path dir = written(tmp);
        String m = refusal(dir, root -> root.getAsJsonArray("annotations").get(1)
                .getAsJsonObject().remove("segments_info"));
        assertEquals("bad data file " + dir.resolve("panoptic.json")
                + ": image 1: has no 'segments_info'", m);
        m = refusal(dir, root -> root.getAsJsonArray("images").get(0).getAsJsonObject()
                .addProperty("width", "wide"));
        assertTrue(m.endsWith("panoptic.json: image 0: 'width' is not a number"), m);
        m = refusal(dir, root -> {
            root.add("images", new JsonArray());
            root.add("annotations", new JsonArray());
        });
        assertTrue(m.endsWith("panoptic.json: 'images' is empty"), m);
        // each edit stays: the last one removes a key the others need
        m = refusal(dir, root -> root.remove("categories"));
        assertTrue(m.endsWith("panoptic.json: has no 'categories'"), m);
    }

    @Test
    void refusesUnknownCategories(@TempDir Path tmp) throws IOException {
        Path dir = written(tmp);
        int id = scenes.get(0).getAnnotation().getSegments().get(0).id();
        String m = refusal(dir, root -> segments(root, 0).get(0).getAsJsonObject()
                .addProperty("category_id", 99));
        assertEquals("bad data file " + dir.resolve("panoptic.json") + ": image 0 segment " + id
                + ": unknown category_id 99", m);
    }

    @Test
    void refusesListedSegmentsMissingFromThePng(@TempDir Path tmp) throws IOException {
        Path dir = written(tmp);
        String m = refusal(dir, root -> {
            JsonObject extra = new JsonObject();
            extra.addProperty("id", 4242);
            extra.addProperty("category_id", SceneGenerator.BAND);
            extra.addProperty("iscrowd", 0);
            segments(root, 2).add(extra);
        });
        assertTrue(m.startsWith("bad data file " + dir.resolve("panoptic/000002.png")
                + ": image 2: segment 4242 is in segments_info but has no pixel in the map"), m);
    }

    @Test
    void refusesPngIdsNotListed(@TempDir Path tmp) throws IOException {
        Path dir = written(tmp);
        int id = scenes.get(1).getAnnotation().getSegments().get(0).id();
        String m = refusal(dir, root -> segments(root, 1).remove(0));
        assertTrue(m.startsWith("bad data file " + dir.resolve("panoptic/000001.png")
                + ": image 1: segment id " + id + " (at pixel ("), m);
        assertTrue(m.contains("is in the map but not in segments_info"), m);
    }

    @Test
    void refusesAreasThatDisagreeWithThePng(@TempDir Path tmp) throws IOException {
        Path dir = written(tmp);
        PanopticSegment first = scenes.get(0).getAnnotation().getSegments().get(0);
        String m = refusal(dir, root -> segments(root, 0).get(0).getAsJsonObject()
                .addProperty("area", first.area() + 1));
        assertEquals("bad data file " + dir.resolve("panoptic/000000.png") + ": image 0 segment "
                + first.id() + ": panoptic.json gives area " + (first.area() + 1)
                + ", the PNG has " + first.area() + " pixels of it", m);
    }

    @Test
    void refusesImagesOfTheWrongSizeOrMissing(@TempDir Path tmp) throws IOException {
        Path dir = written(tmp);
        Path image = dir.resolve("images/000001.png");
        ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB), "png",
                image.toFile());
        assertEquals("bad data file " + image + ": is 32x32, expected 64x64 (image 1)",
                refusal(dir));
        Files.delete(image);
        assertEquals("bad data file " + image + ": is missing (image 1)", refusal(dir));
        Path png = dir.resolve("panoptic/000002.png");
        Files.delete(png);
        assertEquals("bad data file " + png + ": is missing (image 2)", refusal(dir));
    }

    @Test
    void refusesTruncatedAndGreySegmentMaps(@TempDir Path tmp) throws IOException {
        Path dir = written(tmp);
        Path png = dir.resolve("panoptic/000000.png");
        byte[] bytes = Files.readAllBytes(png);
        Files.write(png, java.util.Arrays.copyOf(bytes, bytes.length - 20));
        assertTrue(refusal(dir).startsWith("bad data file " + png + ": is truncated"));
        ImageIO.write(new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY), "png",
                png.toFile());
        assertTrue(refusal(dir).startsWith("bad data file " + png + ": is a grey PNG (image 0)"));
    }

    @Test
    void predictionsRoundTripAndScore(@TempDir Path tmp) throws IOException {
        List<PanopticAnnotation> gt = new ArrayList<>();
        List<PanopticAnnotation> pred = new ArrayList<>();
        for (PanopticSample s : scenes) {
            PanopticAnnotation a = s.getAnnotation();
            gt.add(a);
            // the prediction misses the first thing (void there) and merges nothing else
            int missed = a.getSegments().get(0).id();
            int[] ids = a.getIds().clone();
            List<SegmentLabel> labels = new ArrayList<>();
            for (int p = 0; p < ids.length; p++) {
                if (ids[p] == missed) {
                    ids[p] = PanopticAnnotation.VOID;
                }
            }
            for (PanopticSegment seg : a.getSegments()) {
                if (seg.id() != missed) {
                    labels.add(new SegmentLabel(seg.id(), seg.categoryId(), false));
                }
            }
            pred.add(PanopticAnnotation.of(a.getImageId(), a.getFileName(), a.getWidth(),
                    a.getHeight(), ids, labels));
        }
        Path dir = tmp.resolve("pred");
        PanopticFolder.writePredictions(dir, GEN.getCategories(), pred, false);
        assertFalse(Files.exists(dir.resolve("images")));
        List<PanopticAnnotation> back = PanopticFolder.readPredictions(dir, GEN.getCategories());
        PanopticQuality.Result inMemory = PanopticQuality.evaluate(GEN.getCategories(), gt, pred);
        PanopticQuality.Result fromFiles = PanopticQuality.evaluate(GEN.getCategories(), gt, back);
        assertEquals(inMemory, fromFiles);
        // 3 missed things, every other segment exact: RQ < 1, SQ 1
        int fn = 0;
        for (PanopticQuality.CategoryScore c : fromFiles.perCategory().values()) {
            fn += c.fn();
            assertEquals(0, c.fp());
        }
        assertEquals(3, fn);
        assertEquals(1.0, fromFiles.all().sq(), 1e-12);
        assertTrue(fromFiles.things().rq() < 1);
        PanopticQuality.Result perfect = PanopticQuality.evaluate(GEN.getCategories(), gt,
                PanopticFolder.read(written(tmp)).annotations());
        assertEquals(1.0, perfect.all().pq(), 1e-12);

        // predictions are checked against the ground truth's categories
        List<PanopticCategory> fewer = GEN.getCategories().all().subList(1, 6);
        BadDataFileException e = assertThrows(BadDataFileException.class,
                () -> PanopticFolder.readPredictions(dir, new PanopticCategories(fewer)));
        assertTrue(e.getMessage().contains("unknown category_id 1"), e.getMessage());
    }
}
