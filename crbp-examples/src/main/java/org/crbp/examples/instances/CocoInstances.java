/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import org.crbp.examples.config.AtomicFiles;
import org.crbp.examples.pathfinder.BadDataFileException;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * COCO instance files ({@code instances.json}) of the thing segments of panoptic annotations:
 * {@code images} ({@code id, file_name, width, height}), {@code categories} (the thing
 * categories: {@code id, name, supercategory}) and {@code annotations} ({@code id} from 1,
 * {@code image_id, category_id}, {@code segmentation} as compressed RLE {@code {size: [h, w],
 * counts: "..."}} (see {@link CocoRle}), {@code area}, {@code bbox [x, y, w, h]}, {@code
 * iscrowd}), as COCO's tools read them.
 */
public final class CocoInstances {

    /**
     * One instance read back from an instance file.
     *
     * @param id the annotation id
     * @param imageId the image id
     * @param categoryId the category id
     * @param crowd whether it is a crowd region
     * @param height the mask's height
     * @param width the mask's width
     * @param counts the mask's run lengths (column-major, starting with zeros)
     * @param area the area the file gives
     * @param bbox the box the file gives, {@code [x, y, w, h]}
     */
    public record Instance(long id, long imageId, int categoryId, boolean crowd, int height,
            int width, int[] counts, double area, double[] bbox) {

        /**
         * Decodes the mask.
         *
         * @return row-major values, 1 on the instance
         */
        public byte[] mask() {
            return CocoRle.decode(counts, height, width);
        }
    }

    private CocoInstances() {}

    /**
     * Writes the instance file of annotations, atomically.
     *
     * @param file the target
     * @param categories the categories (only things are written)
     * @param annotations the panoptic annotations
     * @param imageNames the image file name of each image id (the annotation's PNG name where
     *     absent)
     * @throws IOException if writing fails
     */
    public static void write(Path file, PanopticCategories categories,
            List<PanopticAnnotation> annotations, Map<Long, String> imageNames)
            throws IOException {
        AtomicFiles.writeString(file, new GsonBuilder().disableHtmlEscaping().create()
                .toJson(toJson(categories, annotations, imageNames)) + "\n");
    }

    static JsonObject toJson(PanopticCategories categories, List<PanopticAnnotation> annotations,
            Map<Long, String> imageNames) {
        JsonArray images = new JsonArray();
        JsonArray anns = new JsonArray();
        long next = 1;
        for (PanopticAnnotation a : annotations) {
            images.add(PanopticFolder.imageJson(a,
                    imageNames.getOrDefault(a.getImageId(), a.getFileName())));
            for (PanopticSegment s : a.getSegments()) {
                PanopticCategory c = categories.get(s.categoryId());
                if (c == null || !c.thing()) {
                    continue;
                }
                JsonObject o = new JsonObject();
                o.addProperty("id", next++);
                o.addProperty("image_id", a.getImageId());
                o.addProperty("category_id", s.categoryId());
                JsonObject seg = new JsonObject();
                seg.add("size", PanopticFolder.intArray(a.getHeight(), a.getWidth()));
                seg.addProperty("counts", CocoRle.compress(
                        CocoRle.encode(a.mask(s.id()), a.getHeight(), a.getWidth())));
                o.add("segmentation", seg);
                o.addProperty("area", s.area());
                o.add("bbox", PanopticFolder.intArray(s.bbox()));
                o.addProperty("iscrowd", s.crowd() ? 1 : 0);
                anns.add(o);
            }
        }
        JsonObject root = new JsonObject();
        root.add("images", images);
        root.add("annotations", anns);
        root.add("categories", PanopticFolder.categoriesJson(categories, true));
        return root;
    }

    /**
     * Reads an instance file whose segmentations are RLE (compressed strings or lists of counts;
     * polygons are refused), checking every mask's size against its image.
     *
     * @param file the file
     * @return the instances, in file order
     * @throws BadDataFileException (one line naming the file and the entry) if it is missing,
     *     malformed, or an annotation is inconsistent
     * @throws IOException if reading fails otherwise
     */
    public static List<Instance> read(Path file) throws IOException {
        JsonFields j = new JsonFields(file);
        JsonObject root = j.parseObject();
        Map<Long, int[]> sizes = new HashMap<>();
        JsonArray images = j.array(root, "images", "");
        for (int i = 0; i < images.size(); i++) {
            String at = "images[" + i + "]";
            JsonObject o = j.object(images.get(i), at);
            long id = j.integer(o, "id", at, Long.MIN_VALUE, Long.MAX_VALUE);
            int w = (int) j.integer(o, "width", "image " + id, 1, 1 << 15);
            int h = (int) j.integer(o, "height", "image " + id, 1, 1 << 15);
            sizes.put(id, new int[] {h, w});
        }
        Set<Integer> categories = new HashSet<>();
        JsonArray cats = j.array(root, "categories", "");
        for (int i = 0; i < cats.size(); i++) {
            categories.add((int) j.integer(j.object(cats.get(i), "categories[" + i + "]"), "id",
                    "categories[" + i + "]", 1, Integer.MAX_VALUE));
        }
        List<Instance> out = new ArrayList<>();
        JsonArray anns = j.array(root, "annotations", "");
        for (int i = 0; i < anns.size(); i++) {
            String at = "annotations[" + i + "]";
            JsonObject o = j.object(anns.get(i), at);
            long id = j.integer(o, "id", at, Long.MIN_VALUE, Long.MAX_VALUE);
            String entry = "annotation " + id;
            long imageId = j.integer(o, "image_id", entry, Long.MIN_VALUE, Long.MAX_VALUE);
            int[] size = sizes.get(imageId);
            if (size == null) {
                throw j.bad(entry, "image_id " + imageId + " is not in 'images'");
            }
            int cat = (int) j.integer(o, "category_id", entry, Integer.MIN_VALUE,
                    Integer.MAX_VALUE);
            if (!categories.contains(cat)) {
                throw j.bad(entry, "unknown category_id " + cat);
            }
            boolean crowd = j.optInteger(o, "iscrowd", entry, 0, 1, 0) == 1;
            JsonElement segEl = j.get(o, "segmentation", entry);
            if (segEl.isJsonArray()) {
                throw j.bad(entry, "segmentation is a polygon list; only RLE is read");
            }
            JsonObject seg = j.object(segEl, entry + " segmentation");
            JsonArray sz = j.array(seg, "size", entry + " segmentation");
            if (sz.size() != 2) {
                throw j.bad(entry, "segmentation 'size' is not [height, width]");
            }
            int h = (int) j.integerValue(sz.get(0), "segmentation height", entry, 0, 1 << 15);
            int w = (int) j.integerValue(sz.get(1), "segmentation width", entry, 0, 1 << 15);
            if (h != size[0] || w != size[1]) {
                throw j.bad(entry, "segmentation size is " + h + "x" + w + " (h x w), image "
                        + imageId + " is " + size[0] + "x" + size[1]);
            }
            JsonElement countsEl = j.get(seg, "counts", entry + " segmentation");
            int[] counts;
            try {
                if (countsEl.isJsonArray()) {
                    JsonArray ca = countsEl.getAsJsonArray();
                    counts = new int[ca.size()];
                    for (int k = 0; k < counts.length; k++) {
                        counts[k] = (int) j.integerValue(ca.get(k), "RLE count", entry, 0,
                                Integer.MAX_VALUE);
                    }
                } else {
                    counts = CocoRle.decompress(j.string(seg, "counts", entry + " segmentation"));
                }
                CocoRle.decode(counts, h, w);
            } catch (IllegalArgumentException e) {
                if (e instanceof BadDataFileException) {
                    throw e;
                }
                throw j.bad(entry, e.getMessage());
            }
            double area = j.number(j.get(o, "area", entry), "'area'", entry);
            JsonArray bb = j.array(o, "bbox", entry);
            if (bb.size() != 4) {
                throw j.bad(entry, "'bbox' is not [x, y, w, h]");
            }
            double[] bbox = new double[4];
            for (int k = 0; k < 4; k++) {
                bbox[k] = j.number(bb.get(k), "'bbox'", entry);
            }
            out.add(new Instance(id, imageId, cat, crowd, h, w, counts, area, bbox));
        }
        return out;
    }
}
