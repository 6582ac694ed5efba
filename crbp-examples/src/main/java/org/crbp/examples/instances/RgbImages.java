/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import org.crbp.examples.pathfinder.BadDataFileException;
import org.crbp.examples.pathfinder.PathfinderImages;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Reading and writing the RGB pictures of a panoptic folder: images and segment maps.
 *
 * <p>Samples are read from the raster as stored (colour-space chunks such as gamma or ICC
 * profiles are not applied), so an 8-bit file reads back the bytes its writer put in it.
 */
final class RgbImages {

    private RgbImages() {}

    /**
     * Encodes packed {@code 0xRRGGBB} pixels as an 8-bit RGB PNG.
     *
     * @param rgb row-major pixels
     * @param width the width
     * @param height the height
     * @return the PNG file's bytes
     * @throws IOException if encoding fails
     */
    static byte[] encodePng(int[] rgb, int width, int height) throws IOException {
        BufferedImage bi = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        bi.setRGB(0, 0, width, height, rgb, 0, width);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(bi, "png", out)) {
            throw new IOException("No PNG writer available");
        }
        return out.toByteArray();
    }

    /**
     * Packs a channels-first image in [0, 1] into {@code 0xRRGGBB} pixels ({@code round(255 v)}).
     *
     * @param chw the image, {@code 3 * width * height} values
     * @param width the width
     * @param height the height
     * @return the pixels, row-major
     */
    static int[] pack(float[] chw, int width, int height) {
        int n = width * height;
        int[] rgb = new int[n];
        for (int p = 0; p < n; p++) {
            int r = to8(chw[p]);
            int g = to8(chw[n + p]);
            int b = to8(chw[2 * n + p]);
            rgb[p] = (r << 16) | (g << 8) | b;
        }
        return rgb;
    }

    private static int to8(float v) {
        return Math.round(Math.max(0f, Math.min(1f, v)) * 255);
    }

    /**
     * Packs segment ids into the colours of a COCO segment map ({@code id = R + 256 G + 256^2 B}).
     *
     * @param ids the ids, 0 to {@code 2^24 - 1}
     * @return the pixels as {@code 0xRRGGBB}
     */
    static int[] idsToRgb(int[] ids) {
        int[] rgb = new int[ids.length];
        for (int p = 0; p < ids.length; p++) {
            int id = ids[p];
            rgb[p] = ((id & 0xff) << 16) | (id & 0xff00) | ((id >> 16) & 0xff);
        }
        return rgb;
    }

    /**
     * Reads an image as channels-first floats in [0, 1]: each sample divided by its bit depth's
     * largest value; a grey image gives three equal channels; alpha is ignored.
     *
     * @param file the file (PNG, JPEG, BMP or GIF)
     * @param width the expected width
     * @param height the expected height
     * @param entry the entry of the JSON file that names it ("image 17"), for the message
     * @return {@code 3 * height * width} values
     * @throws BadDataFileException if the file is missing, cannot be decoded or has another size
     * @throws IOException if reading fails otherwise
     */
    static float[] readImage(Path file, int width, int height, String entry) throws IOException {
        BufferedImage bi = decode(file, width, height, entry);
        ColorModel cm = bi.getColorModel();
        Raster r = bi.getRaster();
        int n = width * height;
        float[] out = new float[3 * n];
        if (cm instanceof IndexColorModel) {
            IndexColorModel icm = (IndexColorModel) cm;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int i = r.getSample(x, y, 0);
                    int p = y * width + x;
                    out[p] = icm.getRed(i) / 255f;
                    out[n + p] = icm.getGreen(i) / 255f;
                    out[2 * n + p] = icm.getBlue(i) / 255f;
                }
            }
            return out;
        }
        int colours = colourComponents(file, cm, entry);
        float max = (1 << cm.getComponentSize(0)) - 1;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int p = y * width + x;
                for (int c = 0; c < 3; c++) {
                    out[c * n + p] = r.getSample(x, y, colours == 1 ? 0 : c) / max;
                }
            }
        }
        return out;
    }

    /**
     * Reads a COCO segment map: an 8-bit RGB(A) or palette PNG whose colours code segment ids as
     * {@code R + 256 G + 256^2 B}; alpha is ignored, as the COCO panoptic API does.
     *
     * @param file the file
     * @param width the expected width
     * @param height the expected height
     * @param entry the entry of the JSON file that names it ("image 17"), for the message
     * @return the ids, row-major
     * @throws BadDataFileException if the file is missing, not a PNG, cannot be decoded, has
     *     another size, or is grey or not 8 bits per channel
     * @throws IOException if reading fails otherwise
     */
    static int[] readSegmentMap(Path file, int width, int height, String entry)
            throws IOException {
        String problem = PathfinderImages.checkPng(file, width, height);
        if (problem != null) {
            throw new BadDataFileException(file, problem + " (" + entry + ")");
        }
        BufferedImage bi = decode(file, width, height, entry);
        ColorModel cm = bi.getColorModel();
        Raster r = bi.getRaster();
        int[] ids = new int[width * height];
        if (cm instanceof IndexColorModel) {
            IndexColorModel icm = (IndexColorModel) cm;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int i = r.getSample(x, y, 0);
                    ids[y * width + x] = icm.getRed(i) + 256 * icm.getGreen(i)
                            + 65536 * icm.getBlue(i);
                }
            }
            return ids;
        }
        if (colourComponents(file, cm, entry) != 3) {
            throw new BadDataFileException(file, "is a grey PNG (" + entry + "); a segment map is"
                    + " RGB, coding segment ids as R + 256*G + 256^2*B");
        }
        if (cm.getComponentSize(0) != 8) {
            throw new BadDataFileException(file, "has " + cm.getComponentSize(0) + "-bit samples ("
                    + entry + "); a segment map has 8 bits per channel");
        }
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                ids[y * width + x] = r.getSample(x, y, 0) + 256 * r.getSample(x, y, 1)
                        + 65536 * r.getSample(x, y, 2);
            }
        }
        return ids;
    }

    private static int colourComponents(Path file, ColorModel cm, String entry) {
        int type = cm.getColorSpace().getType();
        if (type == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1) {
            return 1;
        }
        if (type == ColorSpace.TYPE_RGB && cm.getNumColorComponents() == 3) {
            return 3;
        }
        throw new BadDataFileException(file, "has a colour space that is neither grey nor RGB ("
                + cm.getNumColorComponents() + " colour components, " + entry + ")");
    }

    private static BufferedImage decode(Path file, int width, int height, String entry)
            throws IOException {
        if (!Files.exists(file)) {
            throw new BadDataFileException(file, "is missing (" + entry + ")");
        }
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            // ImageIO may hand back a truncated PNG's first rows without a word
            String problem = PathfinderImages.checkPng(file, width, height);
            if (problem != null) {
                throw new BadDataFileException(file, problem + " (" + entry + ")");
            }
        }
        BufferedImage bi;
        try (InputStream in = Files.newInputStream(file)) {
            bi = ImageIO.read(in);
        } catch (NoSuchFileException e) {
            throw new BadDataFileException(file, "is missing (" + entry + ")", e);
        } catch (IOException | RuntimeException e) {
            throw new BadDataFileException(file, "cannot be decoded (" + describe(e) + ", " + entry
                    + ")", e);
        }
        if (bi == null) {
            throw new BadDataFileException(file, "is not an image this program reads (PNG, JPEG,"
                    + " BMP or GIF; " + entry + ")");
        }
        if (bi.getWidth() != width || bi.getHeight() != height) {
            throw new BadDataFileException(file, "is " + bi.getWidth() + "x" + bi.getHeight()
                    + ", expected " + width + "x" + height + " (" + entry + ")");
        }
        return bi;
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return (m == null || m.isBlank() ? t.getClass().getSimpleName() : m).replace('\n', ' ');
    }
}
