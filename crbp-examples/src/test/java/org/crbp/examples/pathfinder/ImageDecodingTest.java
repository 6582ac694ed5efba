/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.pathfinder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PNG files of every colour type and bit depth, as other tools write them: the accepted ones
 * decode to the values the user meant, the others are refused in one line naming the file and
 * what was found.
 */
class ImageDecodingTest {

    private static final int GREY = 0;
    private static final int RGB = 2;
    private static final int PALETTE = 3;
    private static final int GREY_ALPHA = 4;
    private static final int RGBA = 6;

    @TempDir Path tmp;

    // ---- helpers -------------------------------------------------------------------------

    /** A PNG written byte by byte: rows unfiltered, samples packed at {@code depth}. */
    private static byte[] png(int w, int h, int depth, int type, boolean interlaced,
            int[] samples, byte[] plte, byte[] trns) throws IOException {
        int channels = type == RGB ? 3 : type == GREY_ALPHA ? 2 : type == RGBA ? 4 : 1;
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int rowBytes = (w * channels * depth + 7) / 8;
        for (int y = 0; y < h; y++) {
            raw.write(0);
            byte[] row = new byte[rowBytes];
            for (int k = 0; k < w * channels; k++) {
                int v = samples[y * w * channels + k];
                if (depth == 16) {
                    row[2 * k] = (byte) (v >>> 8);
                    row[2 * k + 1] = (byte) v;
                } else {
                    int bit = k * depth;
                    row[bit / 8] |= (byte) (v << (8 - depth - bit % 8));
                }
            }
            raw.write(row);
        }
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(z)) {
            d.write(raw.toByteArray());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, w);
        putInt(ihdr, 4, h);
        ihdr[8] = (byte) depth;
        ihdr[9] = (byte) type;
        ihdr[12] = (byte) (interlaced ? 1 : 0);
        chunk(out, "IHDR", ihdr);
        if (plte != null) {
            chunk(out, "PLTE", plte);
        }
        if (trns != null) {
            chunk(out, "tRNS", trns);
        }
        chunk(out, "IDAT", z.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static byte[] png(int w, int h, int depth, int type, int... samples)
            throws IOException {
        return png(w, h, depth, type, false, samples, null, null);
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] len = new byte[4];
        putInt(len, 0, data.length);
        out.writeBytes(len);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        byte[] c = new byte[4];
        putInt(c, 0, (int) crc.getValue());
        out.writeBytes(c);
    }

    private static void putInt(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    private static byte[] rgb(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    /** Writes with ImageIO, interlaced (Adam7) if asked, and checks the colour type it chose. */
    private Path imageIo(String name, BufferedImage bi, boolean interlaced, int depth, int type)
            throws IOException {
        Path f = tmp.resolve(name);
        ImageWriter w = ImageIO.getImageWritersByFormatName("png").next();
        ImageWriteParam p = w.getDefaultWriteParam();
        p.setProgressiveMode(interlaced ? ImageWriteParam.MODE_DEFAULT
                : ImageWriteParam.MODE_DISABLED);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(f.toFile())) {
            w.setOutput(out);
            w.write(null, new IIOImage(bi, null, null), p);
        } finally {
            w.dispose();
        }
        byte[] b = Files.readAllBytes(f);
        assertEquals(depth, b[24], name + ": bit depth ImageIO wrote");
        assertEquals(type, b[25], name + ": colour type ImageIO wrote");
        assertEquals(interlaced ? 1 : 0, b[28], name + ": interlace");
        return f;
    }

    private static void assertRefused(Path f, String found, Executable read) {
        BadDataFileException e = assertThrows(BadDataFileException.class, read::run);
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        assertTrue(m.startsWith("bad data file " + f + ": "), m);
        assertTrue(m.contains(found), "says '" + found + "': " + m);
    }

    private static void touch(Path f, long millis) throws IOException {
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(millis));
    }

    private interface Executable {
        void run() throws IOException;
    }

    // ---- accepted -------------------------------------------------------------------------

    @Test
    void eightBitGreyReadsKOver255AndTheWritersRoundTrip() throws IOException {
        BufferedImage bi = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        bi.getRaster().setPixels(0, 0, 3, 2, new int[] {0, 1, 127, 128, 254, 255});
        Path f = imageIo("grey8.png", bi, false, 8, GREY);
        assertArrayEquals(new float[] {0, 1 / 255f, 127 / 255f, 128 / 255f, 254 / 255f, 1},
                PathfinderImages.readImage(f, 3, 2));

        PathfinderSample s = new PathfinderGenerator(PathfinderPreset.PF_MINI_14.config())
                .generate(3, 0);
        Path img = tmp.resolve("own.png");
        Path mask = tmp.resolve("own-mask.png");
        PathfinderImages.writeImagePng(s.getImage(), s.getWidth(), s.getHeight(), img);
        PathfinderImages.writeMaskPng(s.getMask(), s.getWidth(), s.getHeight(), mask);
        assertArrayEquals(s.getImage(),
                PathfinderImages.readImage(img, s.getWidth(), s.getHeight()));
        assertArrayEquals(s.getMask(),
                PathfinderImages.readMask(mask, s.getWidth(), s.getHeight()));
    }

    @Test
    void sixteenBitGreyIsScaledBy65535() throws IOException {
        BufferedImage bi = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
        bi.getRaster().setPixels(0, 0, 2, 2, new int[] {0, 65535, 32768, 255});
        Path f = imageIo("grey16.png", bi, false, 16, GREY);
        assertArrayEquals(new float[] {0, 1, 32768 / 65535f, 255 / 65535f},
                PathfinderImages.readImage(f, 2, 2));
    }

    @Test
    void lowBitDepthGreyIsScaledByItsMaximum() throws IOException {
        BufferedImage bi = new BufferedImage(9, 1, BufferedImage.TYPE_BYTE_BINARY);
        bi.getRaster().setPixels(0, 0, 9, 1, new int[] {1, 0, 0, 1, 1, 0, 1, 0, 1});
        // ImageIO writes a black-and-white picture as 1-bit grey
        Path one = imageIo("grey1.png", bi, false, 1, GREY);
        assertArrayEquals(new float[] {1, 0, 0, 1, 1, 0, 1, 0, 1},
                PathfinderImages.readImage(one, 9, 1));

        Path two = write("grey2.png", png(5, 1, 2, GREY, 0, 1, 2, 3, 3));
        assertArrayEquals(new float[] {0, 1 / 3f, 2 / 3f, 1, 1},
                PathfinderImages.readImage(two, 5, 1));
        Path four = write("grey4.png", png(3, 1, 4, GREY, 0, 5, 15));
        assertArrayEquals(new float[] {0, 5 / 15f, 1}, PathfinderImages.readImage(four, 3, 1));
    }

    @Test
    void aPaletteIsReadThroughItsGreyEntriesWhateverItsUnusedEntriesHold() throws IOException {
        // entry 3 is red but no pixel uses it
        IndexColorModel cm = new IndexColorModel(8, 4, rgb(0, 128, 255, 255),
                rgb(0, 128, 255, 0), rgb(0, 128, 255, 0));
        BufferedImage bi = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, cm);
        bi.getRaster().setPixels(0, 0, 3, 1, new int[] {1, 0, 2});
        Path f = imageIo("palette.png", bi, false, 8, PALETTE);
        assertArrayEquals(new float[] {128 / 255f, 0, 1}, PathfinderImages.readImage(f, 3, 1));

        Path low = write("palette2.png", png(3, 1, 2, PALETTE, false, new int[] {2, 1, 0},
                rgb(0, 0, 0, 128, 128, 128, 255, 255, 255), null));
        assertArrayEquals(new float[] {1, 128 / 255f, 0}, PathfinderImages.readImage(low, 3, 1));
        // an opaque entry in a tRNS chunk is fine, as are entries past its end
        Path alpha = write("palette-trns.png", png(3, 1, 8, PALETTE, false,
                new int[] {0, 1, 2}, rgb(0, 0, 0, 128, 128, 128, 255, 255, 255), rgb(255)));
        assertArrayEquals(new float[] {0, 128 / 255f, 1}, PathfinderImages.readImage(alpha, 3, 1));
    }

    @Test
    void rgbAndOpaqueAlphaAreReadWhenEveryPixelIsGrey() throws IOException {
        BufferedImage bi = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        bi.setRGB(0, 0, 0x808080);
        bi.setRGB(1, 0, 0xffffff);
        Path f = imageIo("rgb.png", bi, false, 8, RGB);
        assertArrayEquals(new float[] {128 / 255f, 1}, PathfinderImages.readImage(f, 2, 1));

        BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0xff404040);
        argb.setRGB(1, 0, 0xff000000);
        Path a = imageIo("rgba.png", argb, false, 8, RGBA);
        assertArrayEquals(new float[] {64 / 255f, 0}, PathfinderImages.readImage(a, 2, 1));

        Path rgb16 = write("rgb16.png", png(2, 1, 16, RGB, 1000, 1000, 1000, 65535, 65535, 65535));
        assertArrayEquals(new float[] {1000 / 65535f, 1}, PathfinderImages.readImage(rgb16, 2, 1));
        Path ga = write("ga8.png", png(2, 1, 8, GREY_ALPHA, 7, 255, 200, 255));
        assertArrayEquals(new float[] {7 / 255f, 200 / 255f}, PathfinderImages.readImage(ga, 2, 1));
        Path ga16 = write("ga16.png", png(1, 1, 16, GREY_ALPHA, 65535, 65535));
        assertArrayEquals(new float[] {1}, PathfinderImages.readImage(ga16, 1, 1));
        // a transparent colour that no pixel has
        Path key = write("grey-key.png", png(2, 1, 8, GREY, false, new int[] {1, 2}, null,
                rgb(0, 9)));
        assertArrayEquals(new float[] {1 / 255f, 2 / 255f}, PathfinderImages.readImage(key, 2, 1));
    }

    @Test
    void everyRowFilterAndInterlacingDecodeToThePixelsWritten() throws IOException {
        // random pixels make ImageIO's writer use all five row filters; 13x11 leaves some
        // Adam7 passes partial
        Random r = new Random(5);
        int w = 13;
        int h = 11;
        int[] v8 = new int[w * h];
        int[] v16 = new int[w * h];
        for (int i = 0; i < v8.length; i++) {
            v8[i] = r.nextInt(256);
            v16[i] = r.nextInt(65536);
        }
        float[] want8 = new float[v8.length];
        float[] want16 = new float[v8.length];
        for (int i = 0; i < v8.length; i++) {
            want8[i] = v8[i] / 255f;
            want16[i] = v16[i] / 65535f;
        }
        for (boolean interlaced : new boolean[] {false, true}) {
            String tag = interlaced ? "-adam7" : "";
            BufferedImage g8 = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            g8.getRaster().setPixels(0, 0, w, h, v8);
            assertArrayEquals(want8, PathfinderImages.readImage(
                    imageIo("g8" + tag + ".png", g8, interlaced, 8, GREY), w, h), tag);
            BufferedImage g16 = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
            g16.getRaster().setPixels(0, 0, w, h, v16);
            assertArrayEquals(want16, PathfinderImages.readImage(
                    imageIo("g16" + tag + ".png", g16, interlaced, 16, GREY), w, h), tag);
            BufferedImage c = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
            for (int i = 0; i < v8.length; i++) {
                c.setRGB(i % w, i / w, 0xff000000 | v8[i] * 0x010101);
            }
            assertArrayEquals(want8, PathfinderImages.readImage(
                    imageIo("rgba" + tag + ".png", c, interlaced, 8, RGBA), w, h), tag);
            BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY);
            int[] bits = new int[w * h];
            float[] wantBits = new float[w * h];
            for (int i = 0; i < bits.length; i++) {
                bits[i] = v8[i] & 1;
                wantBits[i] = bits[i];
            }
            b.getRaster().setPixels(0, 0, w, h, bits);
            assertArrayEquals(wantBits, PathfinderImages.readImage(
                    imageIo("g1" + tag + ".png", b, interlaced, 1, GREY), w, h), tag);
        }
    }

    @Test
    void binaryMasksOfEveryDepthAreRead() throws IOException {
        byte[] want = {1, 0, 0, 1};
        BufferedImage m16 = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
        m16.getRaster().setPixels(0, 0, 2, 2, new int[] {65535, 0, 0, 65535});
        assertArrayEquals(want, PathfinderImages.readMask(
                imageIo("mask16.png", m16, false, 16, GREY), 2, 2));
        BufferedImage m1 = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_BINARY);
        m1.getRaster().setPixels(0, 0, 2, 2, new int[] {1, 0, 0, 1});
        assertArrayEquals(want, PathfinderImages.readMask(
                imageIo("mask1.png", m1, false, 1, GREY), 2, 2));
        Path rgb = write("mask-rgb.png", png(2, 2, 8, RGB, 255, 255, 255, 0, 0, 0, 0, 0, 0,
                255, 255, 255));
        assertArrayEquals(want, PathfinderImages.readMask(rgb, 2, 2));
        Path pal = write("mask-pal.png", png(2, 2, 1, PALETTE, false, new int[] {1, 0, 0, 1},
                rgb(0, 0, 0, 255, 255, 255), null));
        assertArrayEquals(want, PathfinderImages.readMask(pal, 2, 2));
    }

    // ---- refused --------------------------------------------------------------------------

    @Test
    void colourIsRefusedNamingThePixel() throws IOException {
        BufferedImage bi = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        bi.setRGB(3, 2, 0xc80a0a);
        Path f = imageIo("colour.png", bi, false, 8, RGB);
        assertRefused(f, "is a colour image (8-bit RGB, pixel (3,2) is R=200 G=10 B=10);"
                + " Pathfinder images are greyscale", () -> PathfinderImages.readImage(f, 4, 3));
        assertRefused(f, "Pathfinder masks are greyscale",
                () -> PathfinderImages.readMask(f, 4, 3));

        Path rgb16 = write("colour16.png", png(1, 1, 16, RGB, 5, 5, 6));
        assertRefused(rgb16, "is a colour image (16-bit RGB, pixel (0,0) is R=5 G=5 B=6)",
                () -> PathfinderImages.readImage(rgb16, 1, 1));
        Path pal = write("colour-pal.png", png(2, 1, 8, PALETTE, false, new int[] {0, 1},
                rgb(0, 0, 0, 0, 0, 255), null));
        assertRefused(pal, "is a colour image (8-bit palette, pixel (1,0) is palette entry 1,"
                + " R=0 G=0 B=255)", () -> PathfinderImages.readImage(pal, 2, 1));
    }

    @Test
    void transparencyIsRefusedNamingThePixel() throws IOException {
        BufferedImage argb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0xff000000);
        argb.setRGB(1, 0, 0xff000000);
        argb.setRGB(0, 1, 0x80ffffff);
        argb.setRGB(1, 1, 0xffffffff);
        Path f = imageIo("alpha.png", argb, false, 8, RGBA);
        assertRefused(f, "is not opaque (8-bit RGBA, pixel (0,1) has alpha 128 of 255);"
                + " Pathfinder images must be fully opaque",
                () -> PathfinderImages.readImage(f, 2, 2));

        Path ga = write("ga.png", png(2, 1, 16, GREY_ALPHA, 9, 65535, 9, 0));
        assertRefused(ga, "is not opaque (16-bit grey+alpha, pixel (1,0) has alpha 0 of 65535)",
                () -> PathfinderImages.readImage(ga, 2, 1));
        Path key = write("key.png", png(2, 1, 8, GREY, false, new int[] {1, 0}, null,
                rgb(0, 0)));
        assertRefused(key, "is not opaque (8-bit grey with a transparent colour, pixel (1,0)",
                () -> PathfinderImages.readImage(key, 2, 1));
        Path rgbKey = write("rgb-key.png", png(1, 1, 8, RGB, false, new int[] {4, 4, 4}, null,
                rgb(0, 4, 0, 4, 0, 4)));
        assertRefused(rgbKey, "is not opaque (8-bit RGB with a transparent colour, pixel (0,0)",
                () -> PathfinderImages.readImage(rgbKey, 1, 1));
        Path pal = write("pal-alpha.png", png(2, 1, 4, PALETTE, false, new int[] {0, 1},
                rgb(0, 0, 0, 255, 255, 255), rgb(255, 10)));
        assertRefused(pal, "is not opaque (4-bit palette, pixel (1,0) is palette entry 1 with"
                + " alpha 10 of 255)", () -> PathfinderImages.readImage(pal, 2, 1));
    }

    @Test
    void aMaskWithOtherValuesIsRefusedSayingWhatItHolds() throws IOException {
        int[] v = new int[16];
        for (int i = 0; i < v.length; i++) {
            v[i] = i < 8 ? 0 : i < 12 ? 255 : 100 + i;
        }
        v[5] = 128;
        Path f = write("grey-mask.png", png(4, 4, 8, GREY, v));
        assertRefused(f, "is not a binary mask: it has values other than 0 and 255 (found 7"
                + " distinct values, e.g. 128 at pixel (1,1))",
                () -> PathfinderImages.readMask(f, 4, 4));
        // the same file is a fine image
        assertEquals(128 / 255f, PathfinderImages.readImage(f, 4, 4)[5]);

        Path labels = write("labels.png", png(2, 1, 8, GREY, 0, 1));
        assertRefused(labels, "values other than 0 and 255 (found 2 distinct values, e.g. 1 at"
                + " pixel (1,0)); a 0/1 label mask? Pathfinder masks mark the target with 255",
                () -> PathfinderImages.readMask(labels, 2, 1));
        Path m16 = write("mask16-255.png", png(2, 1, 16, GREY, 0, 255));
        assertRefused(m16, "values other than 0 and 65535 (found 2 distinct values, e.g. 255",
                () -> PathfinderImages.readMask(m16, 2, 1));
        Path pal = write("mask-pal-grey.png", png(2, 1, 8, PALETTE, false, new int[] {0, 1},
                rgb(0, 0, 0, 128, 128, 128), null));
        assertRefused(pal, "values other than 0 and 255 (found 2 distinct values, e.g. 128",
                () -> PathfinderImages.readMask(pal, 2, 1));
    }

    @Test
    void brokenFilesAreRefused() throws IOException {
        byte[] good = png(2, 1, 8, GREY, 0, 255);
        byte[] crc = good.clone();
        crc[43] ^= 1; // in the IDAT chunk's data
        Path bad = write("crc.png", crc);
        assertRefused(bad, "is corrupt (bad CRC in its IDAT chunk at byte 33)",
                () -> PathfinderImages.readImage(bad, 2, 1));
        Path combo = write("combo.png", png(2, 1, 8, GREY, 0, 255));
        byte[] b = Files.readAllBytes(combo);
        b[24] = 4; // RGB at 4 bits does not exist
        b[25] = RGB;
        Files.write(combo, b);
        assertRefused(combo, "is not a valid PNG file (colour type 2 with bit depth 4)",
                () -> PathfinderImages.readImage(combo, 2, 1));
        assertEquals("is not a valid PNG file (colour type 2 with bit depth 4)",
                PathfinderImages.checkPng(combo, 2, 1));
        Path short16 = write("short.png", png(2, 1, 8, GREY, 0, 255));
        byte[] s = Files.readAllBytes(short16);
        s[24] = 16; // the data holds half the bytes a 16-bit row needs
        CRC32 c = new CRC32();
        c.update(s, 12, 17);
        putInt(s, 29, (int) c.getValue());
        Files.write(short16, s);
        assertRefused(short16, "cannot be decoded (its image data holds 3 of the 5 bytes of a"
                + " 2x1 16-bit grey image)", () -> PathfinderImages.readImage(short16, 2, 1));
        Path noPalette = write("no-plte.png", png(1, 1, 8, PALETTE, 0));
        assertRefused(noPalette, "a palette image without a PLTE chunk",
                () -> PathfinderImages.readImage(noPalette, 1, 1));
        Path missing = tmp.resolve("nothing.png");
        assertRefused(missing, "is missing", () -> PathfinderImages.readImage(missing, 1, 1));
    }

    @Test
    void theFolderCheckFindsAColourImageAndAGreyMaskBeforeAnythingIsRead() throws IOException {
        Path dir = tmp.resolve("folder");
        PathfinderFolder folder = PathfinderFolder.generate(dir, PathfinderPreset.PF_MINI_14, 1,
                3, 1, false, null);
        folder.checkFiles(3);
        int w = folder.getMetadata().getConfig().getOutputWidth();
        int h = folder.getMetadata().getConfig().getOutputHeight();

        Path image = dir.resolve("images/000001.png");
        byte[] kept = Files.readAllBytes(image);
        BufferedImage colour = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        colour.setRGB(10, 20, 0x00ff00);
        ImageIO.write(colour, "png", image.toFile());
        // a new metadata.json time, so that the folder is not taken as checked already
        touch(dir.resolve(PathfinderFolder.METADATA), 1_000_000);
        PathfinderFolder again = PathfinderFolder.open(dir);
        assertRefused(image, "is a colour image (8-bit RGB, pixel (10,20) is R=0 G=255 B=0)",
                () -> again.checkFiles(3));
        Files.write(image, kept);

        Path mask = dir.resolve("masks/000002.png");
        int[] v = new int[w * h];
        v[w * h - 1] = 17;
        Files.write(mask, png(w, h, 8, GREY, v));
        touch(dir.resolve(PathfinderFolder.METADATA), 2_000_000);
        PathfinderFolder third = PathfinderFolder.open(dir);
        assertRefused(mask, "is not a binary mask: it has values other than 0 and 255 (found 2"
                + " distinct values, e.g. 17 at pixel (63,63))", () -> third.checkFiles(3));
    }
}
