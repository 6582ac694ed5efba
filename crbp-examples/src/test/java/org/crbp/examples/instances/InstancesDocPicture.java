/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Writes the picture of docs/instances.md (not a test): generated scenes of the default settings
 * (seed 0), each as its image beside its panoptic map (every segment in its category's colour,
 * thing instances in shades of it, void black), enlarged twice. Usage: {@code
 * InstancesDocPicture [outputFile] [scenes]}; default {@code
 * docs/images/instances/scenes.png}, 3.
 */
public final class InstancesDocPicture {

    private InstancesDocPicture() {}

    /**
     * Entry point.
     *
     * @param args the output file and the number of scenes
     * @throws Exception on I/O errors
     */
    public static void main(String[] args) throws Exception {
        Path out = Paths.get(args.length > 0 ? args[0] : "docs/images/instances/scenes.png");
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        SceneGenerator gen = new SceneGenerator(SceneConfig.defaults());
        BufferedImage picture = montage(gen, count, 2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(picture, "png", bytes);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(out, bytes.toByteArray());
        System.out.println(out + ": " + picture.getWidth() + "x" + picture.getHeight() + ", "
                + bytes.size() / 1024 + " KiB");
    }

    /**
     * Lays out scenes 0 to {@code count - 1} in a row, image then map, with 4-pixel gaps.
     *
     * @param gen the generator
     * @param count how many scenes
     * @param scale the enlargement
     * @return the picture
     */
    static BufferedImage montage(SceneGenerator gen, int count, int scale) {
        int s = gen.getConfig().size();
        int gap = 4;
        int cell = s * scale;
        BufferedImage bi = new BufferedImage(count * (2 * cell + gap) + (count - 1) * 2 * gap,
                cell, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < bi.getHeight(); y++) {
            for (int x = 0; x < bi.getWidth(); x++) {
                bi.setRGB(x, y, 0xffffff);
            }
        }
        for (int k = 0; k < count; k++) {
            PanopticSample sample = gen.generate(k);
            PanopticAnnotation a = sample.getAnnotation();
            int[] rgb = RgbImages.pack(sample.getImage(), s, s);
            int[] map = colours(a, gen.getCategories());
            int x0 = k * (2 * cell + 3 * gap);
            for (int y = 0; y < cell; y++) {
                for (int x = 0; x < cell; x++) {
                    int p = (y / scale) * s + x / scale;
                    bi.setRGB(x0 + x, y, rgb[p]);
                    bi.setRGB(x0 + cell + gap + x, y, map[p]);
                }
            }
        }
        return bi;
    }

    /** Each segment in its category's colour; thing instances each a shade of it. */
    private static int[] colours(PanopticAnnotation a, PanopticCategories categories) {
        Map<Integer, Integer> colour = new HashMap<>();
        SplittableRandom rng = new SplittableRandom(1);
        for (PanopticSegment s : a.getSegments()) {
            int c = categories.get(s.categoryId()).color();
            if (categories.get(s.categoryId()).thing()) {
                double f = 0.45 + 0.55 * rng.nextDouble();
                int r = (int) (((c >> 16) & 0xff) * f);
                int g = (int) (((c >> 8) & 0xff) * f);
                int b = (int) ((c & 0xff) * f);
                c = (r << 16) | (g << 8) | b;
            }
            colour.put(s.id(), c);
        }
        int[] ids = a.getIds();
        int[] out = new int[ids.length];
        for (int p = 0; p < ids.length; p++) {
            out[p] = ids[p] == PanopticAnnotation.VOID ? 0 : colour.get(ids[p]);
        }
        return out;
    }
}
