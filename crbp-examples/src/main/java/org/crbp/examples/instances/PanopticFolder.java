/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import org.crbp.examples.config.AtomicFiles;
import org.crbp.examples.pathfinder.BadDataFileException;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * COCO panoptic folders: one per split, written whole and read with every check done up front.
 *
 * <p>A folder written here holds:
 *
 * <ul>
 *   <li>{@value #PANOPTIC_JSON}: {@code images} ({@code id, file_name, width, height}), {@code
 *       annotations} ({@code image_id, file_name, segments_info}, each segment {@code id,
 *       category_id, area, bbox [x, y, w, h], iscrowd}) and {@code categories} ({@code id, name,
 *       supercategory, isthing, color [r, g, b]});
 *   <li>{@value #SEGMENTS_DIR}{@code /}: the segment maps, 8-bit RGB PNGs named by {@code
 *       annotations[].file_name}, whose colours code segment ids as {@code R + 256 G + 256^2 B}
 *       (0: void);
 *   <li>{@value #IMAGES_DIR}{@code /}: the RGB images, named by {@code images[].file_name}
 *       (ground truth only);
 *   <li>{@value #INSTANCES_JSON}: the same things as COCO instances (see {@link CocoInstances};
 *       ground truth only).
 * </ul>
 *
 * <p>A split is written into a hidden folder beside its target and moved into place when
 * complete, so an interrupted write leaves the previous folder (or none), never a partial one.
 *
 * <p>COCO's own data keeps the JSON file, the segment maps and the images apart ({@code
 * annotations/panoptic_val2017.json}, {@code annotations/panoptic_val2017/}, {@code val2017/}):
 * {@link #read(Layout)} reads any such {@link Layout}.
 */
public final class PanopticFolder {

    /** The panoptic JSON file's name. */
    public static final String PANOPTIC_JSON = "panoptic.json";
    /** The folder of segment maps. */
    public static final String SEGMENTS_DIR = "panoptic";
    /** The folder of images. */
    public static final String IMAGES_DIR = "images";
    /** The COCO instance JSON file's name. */
    public static final String INSTANCES_JSON = "instances.json";

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    /**
     * Where a split's files are.
     *
     * @param json the panoptic JSON file
     * @param segmentsDir the folder of segment maps ({@code annotations[].file_name} are relative
     *     to it)
     * @param imagesDir the folder of images ({@code images[].file_name} are relative to it)
     */
    public record Layout(Path json, Path segmentsDir, Path imagesDir) {

        /**
         * Checks that no path is missing.
         *
         * @param json the panoptic JSON file
         * @param segmentsDir the folder of segment maps
         * @param imagesDir the folder of images
         * @throws NullPointerException if one is
         */
        public Layout {
            Objects.requireNonNull(json, "json");
            Objects.requireNonNull(segmentsDir, "segmentsDir");
            Objects.requireNonNull(imagesDir, "imagesDir");
        }

        /**
         * Returns the layout of a folder written by this class.
         *
         * @param dir the split's folder
         * @return {@code dir/panoptic.json}, {@code dir/panoptic/}, {@code dir/images/}
         */
        public static Layout of(Path dir) {
            return new Layout(dir.resolve(PANOPTIC_JSON), dir.resolve(SEGMENTS_DIR),
                    dir.resolve(IMAGES_DIR));
        }
    }

    private PanopticFolder() {}

    /**
     * Writes a ground-truth split: images, segment maps, {@value #PANOPTIC_JSON} and {@value
     * #INSTANCES_JSON}.
     *
     * @param dir the split's folder
     * @param categories the categories
     * @param samples the images and their ground truth
     * @param overwrite whether an existing non-empty folder may be replaced
     * @throws IOException if writing fails (the folder is then unchanged)
     * @throws IllegalArgumentException if the folder is not empty and {@code overwrite} is false,
     *     or a sample names an unknown category, repeats an image id or file name, or has a file
     *     name that is not a plain relative path
     */
    public static void write(Path dir, PanopticCategories categories, List<PanopticSample> samples,
            boolean overwrite) throws IOException {
        List<PanopticAnnotation> annotations = new ArrayList<>();
        Set<String> imageNames = new HashSet<>();
        for (PanopticSample s : samples) {
            annotations.add(s.getAnnotation());
            checkName(s.getImageFileName(), "image " + s.getImageId());
            if (!imageNames.add(s.getImageFileName())) {
                throw new IllegalArgumentException("image " + s.getImageId() + ": image file name "
                        + s.getImageFileName() + " is used twice");
            }
        }
        checkAnnotations(categories, annotations);
        checkTarget(dir, overwrite);
        writeFolder(dir, overwrite, tmp -> {
            Path images = Files.createDirectories(tmp.resolve(IMAGES_DIR));
            for (PanopticSample s : samples) {
                Path f = images.resolve(s.getImageFileName());
                Files.createDirectories(f.getParent());
                Files.write(f, RgbImages.encodePng(RgbImages.pack(s.getImage(), s.getWidth(),
                        s.getHeight()), s.getWidth(), s.getHeight()));
            }
            writeSegments(tmp, categories, annotations, imageNames(samples));
            Files.writeString(tmp.resolve(INSTANCES_JSON),
                    GSON.toJson(CocoInstances.toJson(categories, annotations, imageNames(samples)))
                            + "\n", StandardCharsets.UTF_8);
        });
    }

    /**
     * Writes predictions as a COCO panoptic split: segment maps and {@value #PANOPTIC_JSON}
     * (whose {@code images} name each annotation's PNG as its image), which the COCO panoptic
     * API's {@code pq_compute} and {@link #readPredictions} read.
     *
     * @param dir the folder
     * @param categories the categories (the ground truth's)
     * @param predictions the predicted annotations, one per image
     * @param overwrite whether an existing non-empty folder may be replaced
     * @throws IOException if writing fails (the folder is then unchanged)
     * @throws IllegalArgumentException if the folder is not empty and {@code overwrite} is false,
     *     or a prediction names an unknown category or repeats an image id or file name
     */
    public static void writePredictions(Path dir, PanopticCategories categories,
            List<PanopticAnnotation> predictions, boolean overwrite) throws IOException {
        checkAnnotations(categories, predictions);
        checkTarget(dir, overwrite);
        Map<Long, String> names = new HashMap<>();
        for (PanopticAnnotation a : predictions) {
            names.put(a.getImageId(), a.getFileName());
        }
        writeFolder(dir, overwrite, tmp -> writeSegments(tmp, categories, predictions, names));
    }

    private static Map<Long, String> imageNames(List<PanopticSample> samples) {
        Map<Long, String> names = new HashMap<>();
        for (PanopticSample s : samples) {
            names.put(s.getImageId(), s.getImageFileName());
        }
        return names;
    }

    private static void checkName(String name, String entry) {
        boolean ok = !name.isEmpty() && !name.startsWith("/") && !name.startsWith("\\");
        for (String part : name.split("[/\\\\]", -1)) {
            ok &= !part.isEmpty() && !part.equals(".") && !part.equals("..");
        }
        try {
            ok &= !Path.of(name).isAbsolute();
        } catch (java.nio.file.InvalidPathException e) {
            ok = false;
        }
        if (!ok) {
            throw new IllegalArgumentException(entry + ": file name '" + name
                    + "' is not a plain relative path");
        }
    }

    private static void checkAnnotations(PanopticCategories categories,
            List<PanopticAnnotation> annotations) {
        Set<Long> ids = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (PanopticAnnotation a : annotations) {
            String entry = "image " + a.getImageId();
            if (!ids.add(a.getImageId())) {
                throw new IllegalArgumentException(entry + " is listed twice");
            }
            checkName(a.getFileName(), entry);
            if (!names.add(a.getFileName())) {
                throw new IllegalArgumentException(entry + ": segment map file name "
                        + a.getFileName() + " is used twice");
            }
            for (PanopticSegment s : a.getSegments()) {
                if (!categories.contains(s.categoryId())) {
                    throw new IllegalArgumentException(entry + " segment " + s.id()
                            + ": unknown category_id " + s.categoryId());
                }
            }
        }
    }

    private static void checkTarget(Path dir, boolean overwrite) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("Output path exists and is not a folder: " + dir);
        }
        if (!overwrite && Files.isDirectory(dir) && !isEmpty(dir)) {
            throw new IllegalArgumentException("Refusing to overwrite the non-empty folder " + dir
                    + " (ask for overwrite to replace it)");
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /** Fills a hidden folder beside {@code dir}, flushes it, and moves it into place. */
    private static void writeFolder(Path dir, boolean overwrite, AtomicFiles.Writer fill)
            throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        AtomicFiles.createDirectories(parent);
        String name = abs.getFileName().toString();
        Path tmp = AtomicFiles.createHidden(parent, "." + name + ".", ".tmp", true);
        Path old = null;
        try {
            fill.write(tmp);
            AtomicFiles.fsyncTree(tmp);
            if (Files.isDirectory(abs)) {
                if (!overwrite && !isEmpty(abs)) {
                    throw new IllegalArgumentException("Refusing to overwrite the non-empty folder "
                            + dir + " (ask for overwrite to replace it)");
                }
                // the old folder steps aside first, so that some complete folder is always there
                old = AtomicFiles.createHidden(parent, "." + name + ".old.", ".tmp", true);
                Files.delete(old);
                Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsyncDirectory(parent);
        } catch (IOException e) {
            throw AtomicFiles.named(dir, e);
        } finally {
            AtomicFiles.deleteTree(tmp);
            if (old != null) {
                AtomicFiles.deleteTree(old);
            }
        }
    }

    private static void writeSegments(Path tmp, PanopticCategories categories,
            List<PanopticAnnotation> annotations, Map<Long, String> imageNames)
            throws IOException {
        Path segments = Files.createDirectories(tmp.resolve(SEGMENTS_DIR));
        JsonArray images = new JsonArray();
        JsonArray anns = new JsonArray();
        for (PanopticAnnotation a : annotations) {
            Path f = segments.resolve(a.getFileName());
            Files.createDirectories(f.getParent());
            Files.write(f, RgbImages.encodePng(RgbImages.idsToRgb(a.getIds()), a.getWidth(),
                    a.getHeight()));
            images.add(imageJson(a, imageNames.get(a.getImageId())));
            JsonObject o = new JsonObject();
            o.addProperty("image_id", a.getImageId());
            o.addProperty("file_name", a.getFileName());
            JsonArray segs = new JsonArray();
            for (PanopticSegment s : a.getSegments()) {
                JsonObject so = new JsonObject();
                so.addProperty("id", s.id());
                so.addProperty("category_id", s.categoryId());
                so.addProperty("area", s.area());
                so.add("bbox", intArray(s.bbox()));
                so.addProperty("iscrowd", s.crowd() ? 1 : 0);
                segs.add(so);
            }
            o.add("segments_info", segs);
            anns.add(o);
        }
        JsonObject root = new JsonObject();
        root.add("images", images);
        root.add("annotations", anns);
        root.add("categories", categoriesJson(categories, false));
        Files.writeString(tmp.resolve(PANOPTIC_JSON), GSON.toJson(root) + "\n",
                StandardCharsets.UTF_8);
    }

    static JsonObject imageJson(PanopticAnnotation a, String imageFileName) {
        JsonObject im = new JsonObject();
        im.addProperty("id", a.getImageId());
        im.addProperty("file_name", imageFileName);
        im.addProperty("width", a.getWidth());
        im.addProperty("height", a.getHeight());
        return im;
    }

    static JsonArray intArray(int... values) {
        JsonArray a = new JsonArray();
        for (int v : values) {
            a.add(v);
        }
        return a;
    }

    static JsonArray categoriesJson(PanopticCategories categories, boolean thingsOnly) {
        JsonArray cats = new JsonArray();
        for (PanopticCategory c : categories.all()) {
            if (thingsOnly && !c.thing()) {
                continue;
            }
            JsonObject o = new JsonObject();
            o.addProperty("id", c.id());
            o.addProperty("name", c.name());
            o.addProperty("supercategory", c.supercategory());
            if (!thingsOnly) {
                o.addProperty("isthing", c.thing() ? 1 : 0);
                o.add("color", intArray(c.color() >> 16, (c.color() >> 8) & 0xff,
                        c.color() & 0xff));
            }
            cats.add(o);
        }
        return cats;
    }

    /**
     * Reads a split written by {@link #write}: {@code read(Layout.of(dir))}.
     *
     * @param dir the split's folder
     * @return the images with their ground truth
     * @throws BadDataFileException (one line naming the file and the entry) if anything is
     *     missing, malformed or inconsistent
     * @throws IOException if reading fails otherwise
     */
    public static PanopticData read(Path dir) throws IOException {
        return read(Layout.of(dir));
    }

    /**
     * Reads a COCO panoptic split, checking all of it before returning: the JSON file (valid
     * JSON; {@code images}, {@code annotations}, {@code categories} with their keys; unique
     * ids; every segment's category known; one annotation per image), then every segment map
     * (present, a PNG of the image's size whose ids are exactly those listed, each segment's
     * {@code area}, if given, its pixel count) and every image (present, decodable, of the
     * listed size).
     *
     * @param layout where the files are
     * @return the images with their ground truth, in the order of {@code images}
     * @throws BadDataFileException (one line naming the file and the entry: image id, segment
     *     id) at the first problem
     * @throws IOException if reading fails otherwise
     */
    public static PanopticData read(Layout layout) throws IOException {
        Parsed p = parse(layout.json(), null);
        List<PanopticSample> samples = new ArrayList<>();
        List<PanopticAnnotation> annotations = readMaps(p, layout.segmentsDir());
        for (int i = 0; i < annotations.size(); i++) {
            PanopticAnnotation a = annotations.get(i);
            ImageEntry im = p.images.get(a.getImageId());
            float[] image = RgbImages.readImage(layout.imagesDir().resolve(im.fileName),
                    im.width, im.height, "image " + im.id);
            samples.add(new PanopticSample(im.fileName, image, a));
        }
        return new PanopticData(p.categories, samples);
    }

    /**
     * Reads predictions written by {@link #writePredictions} (or any COCO panoptic prediction
     * folder with {@value #PANOPTIC_JSON} and {@value #SEGMENTS_DIR}{@code /}), with the checks
     * of {@link #read(Layout)} except the images, and with categories resolved against the
     * ground truth's (as the COCO panoptic API does).
     *
     * @param dir the folder
     * @param categories the ground truth's categories
     * @return the predicted annotations, in the order of {@code annotations}
     * @throws BadDataFileException (one line naming the file and the entry) at the first problem
     * @throws IOException if reading fails otherwise
     */
    public static List<PanopticAnnotation> readPredictions(Path dir,
            PanopticCategories categories) throws IOException {
        return readMaps(parse(dir.resolve(PANOPTIC_JSON), categories), dir.resolve(SEGMENTS_DIR));
    }

    private static List<PanopticAnnotation> readMaps(Parsed p, Path segmentsDir)
            throws IOException {
        List<PanopticAnnotation> out = new ArrayList<>();
        for (AnnotationEntry e : p.annotations) {
            ImageEntry im = p.images.get(e.imageId);
            Path png = segmentsDir.resolve(e.fileName);
            String entry = "image " + e.imageId;
            int[] ids = RgbImages.readSegmentMap(png, im.width, im.height, entry);
            PanopticAnnotation a;
            try {
                a = PanopticAnnotation.of(e.imageId, e.fileName, im.width, im.height, ids,
                        e.labels);
            } catch (IllegalArgumentException ex) {
                throw new BadDataFileException(png, ex.getMessage()
                        + " (" + p.file.getFileName() + ")", ex);
            }
            for (int k = 0; k < e.labels.size(); k++) {
                long area = e.areas.get(k);
                PanopticSegment s = a.segment(e.labels.get(k).id());
                if (area >= 0 && area != s.area()) {
                    throw new BadDataFileException(png, entry + " segment " + s.id() + ": "
                            + p.file.getFileName() + " gives area " + area + ", the PNG has "
                            + s.area() + " pixels of it");
                }
            }
            out.add(a);
        }
        return out;
    }

    private record ImageEntry(long id, String fileName, int width, int height) {}

    private record AnnotationEntry(long imageId, String fileName, List<SegmentLabel> labels,
            List<Long> areas) {}

    private record Parsed(Path file, PanopticCategories categories, Map<Long, ImageEntry> images,
            List<AnnotationEntry> annotations) {}

    /**
     * Parses and checks a panoptic JSON file; {@code known} replaces its categories (for
     * predictions, checked against the ground truth's).
     */
    private static Parsed parse(Path file, PanopticCategories known) throws IOException {
        JsonFields j = new JsonFields(file);
        JsonObject root = j.parseObject();
        JsonArray imagesJson = j.array(root, "images", "");
        JsonArray annsJson = j.array(root, "annotations", "");
        PanopticCategories categories = known;
        if (categories == null) {
            categories = parseCategories(j, j.array(root, "categories", ""));
        }
        Map<Long, ImageEntry> images = new LinkedHashMap<>();
        for (int i = 0; i < imagesJson.size(); i++) {
            String at = "images[" + i + "]";
            JsonObject o = j.object(imagesJson.get(i), at);
            long id = j.integer(o, "id", at, Long.MIN_VALUE, Long.MAX_VALUE);
            String entry = "image " + id;
            String name = j.string(o, "file_name", entry);
            int w = (int) j.integer(o, "width", entry, 1, 1 << 15);
            int h = (int) j.integer(o, "height", entry, 1, 1 << 15);
            checkRelative(j, name, entry);
            if (images.put(id, new ImageEntry(id, name, w, h)) != null) {
                throw j.bad(entry, "is listed twice in 'images'");
            }
        }
        List<AnnotationEntry> anns = new ArrayList<>();
        Set<Long> annotated = new HashSet<>();
        for (int i = 0; i < annsJson.size(); i++) {
            String at = "annotations[" + i + "]";
            JsonObject o = j.object(annsJson.get(i), at);
            long imageId = j.integer(o, "image_id", at, Long.MIN_VALUE, Long.MAX_VALUE);
            String entry = "image " + imageId;
            if (!images.containsKey(imageId)) {
                throw j.bad(at, "image_id " + imageId + " is not in 'images'");
            }
            if (!annotated.add(imageId)) {
                throw j.bad(entry, "has two entries in 'annotations'");
            }
            String name = j.string(o, "file_name", entry);
            checkRelative(j, name, entry);
            JsonArray segs = j.array(o, "segments_info", entry);
            List<SegmentLabel> labels = new ArrayList<>();
            List<Long> areas = new ArrayList<>();
            Set<Integer> segIds = new HashSet<>();
            for (int k = 0; k < segs.size(); k++) {
                String sat = entry + " segments_info[" + k + "]";
                JsonObject so = j.object(segs.get(k), sat);
                int id = (int) j.integer(so, "id", sat, 1, PanopticAnnotation.MAX_ID);
                String sentry = entry + " segment " + id;
                int cat = (int) j.integer(so, "category_id", sentry, Integer.MIN_VALUE,
                        Integer.MAX_VALUE);
                if (!categories.contains(cat)) {
                    throw j.bad(sentry, "unknown category_id " + cat);
                }
                long crowd = j.optInteger(so, "iscrowd", sentry, 0, 1, 0);
                long area = j.optInteger(so, "area", sentry, 0, Long.MAX_VALUE, -1);
                JsonElement bbox = so.get("bbox");
                if (bbox != null && !bbox.isJsonNull()) {
                    if (!bbox.isJsonArray() || bbox.getAsJsonArray().size() != 4) {
                        throw j.bad(sentry, "'bbox' is not a list of 4 numbers [x, y, w, h]");
                    }
                    for (JsonElement v : bbox.getAsJsonArray()) {
                        j.number(v, "'bbox'", sentry);
                    }
                }
                if (!segIds.add(id)) {
                    throw j.bad(sentry, "is listed twice");
                }
                labels.add(new SegmentLabel(id, cat, crowd == 1));
                areas.add(area);
            }
            anns.add(new AnnotationEntry(imageId, name, labels, areas));
        }
        if (known == null) {
            if (images.isEmpty()) {
                throw j.bad("", "'images' is empty");
            }
            // ground truth: every image is annotated
            for (ImageEntry im : images.values()) {
                if (!annotated.contains(im.id)) {
                    throw j.bad("image " + im.id, "has no entry in 'annotations'");
                }
            }
        }
        return new Parsed(file, categories, images, anns);
    }

    private static void checkRelative(JsonFields j, String name, String entry) {
        try {
            checkName(name, entry);
        } catch (IllegalArgumentException e) {
            throw j.bad(entry, "file_name '" + name + "' is not a plain relative path");
        }
    }

    private static PanopticCategories parseCategories(JsonFields j, JsonArray cats) {
        List<PanopticCategory> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < cats.size(); i++) {
            String at = "categories[" + i + "]";
            JsonObject o = j.object(cats.get(i), at);
            int id = (int) j.integer(o, "id", at, 1, Integer.MAX_VALUE);
            String entry = "category " + id;
            String name = j.string(o, "name", entry);
            String sup = j.optString(o, "supercategory", entry, "");
            boolean thing = j.integer(o, "isthing", entry, 0, 1) == 1;
            int color = 0;
            JsonElement c = o.get("color");
            if (c != null && !c.isJsonNull()) {
                if (!c.isJsonArray() || c.getAsJsonArray().size() != 3) {
                    throw j.bad(entry, "'color' is not a list [r, g, b]");
                }
                for (JsonElement v : c.getAsJsonArray()) {
                    color = (color << 8) | (int) j.integerValue(v, "'color'", entry, 0, 255);
                }
            }
            if (!seen.add(id)) {
                throw j.bad(entry, "is listed twice in 'categories'");
            }
            out.add(new PanopticCategory(id, name, sup, thing, color));
        }
        if (out.isEmpty()) {
            throw j.bad("", "'categories' is empty");
        }
        return new PanopticCategories(out);
    }
}
