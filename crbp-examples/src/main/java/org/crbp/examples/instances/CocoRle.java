/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import java.util.Arrays;

/**
 * COCO's run-length encoding of binary masks ({@code segmentation: {size: [h, w], counts}}).
 *
 * <p>A mask is read in column-major order (down the first column, then the second, ...) and
 * written as the lengths of its alternating runs, the first run being of zeros (0 long if the
 * first pixel is set). The compressed string form of COCO's instance files codes each count
 * {@code x}, from the fourth on, as {@code x - counts[i - 2]}; the (signed) value is cut into
 * 5-bit groups, least significant first, each sent as one character {@code 48 + group}, with
 * bit {@code 0x20} set while more groups follow; the last group's bit {@code 0x10} is the sign,
 * so a group is added whenever the value's remaining bits are not all copies of it.
 */
public final class CocoRle {

    private CocoRle() {}

    /**
     * Run-length encodes a mask.
     *
     * @param mask row-major values, non-zero on the mask
     * @param height the height
     * @param width the width
     * @return the run lengths in column-major order, the first one of zeros
     * @throws IllegalArgumentException if the sizes disagree
     */
    public static int[] encode(byte[] mask, int height, int width) {
        if (height < 0 || width < 0 || mask.length != height * width) {
            throw new IllegalArgumentException("mask of " + mask.length + " pixels is not "
                    + height + "x" + width);
        }
        int[] counts = new int[mask.length + 1];
        int n = 0;
        int run = 0;
        boolean value = false;
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                boolean v = mask[y * width + x] != 0;
                if (v != value) {
                    counts[n++] = run;
                    run = 0;
                    value = v;
                }
                run++;
            }
        }
        counts[n++] = run;
        return Arrays.copyOf(counts, n);
    }

    /**
     * Decodes run lengths to a mask.
     *
     * @param counts the run lengths in column-major order, the first one of zeros
     * @param height the height
     * @param width the width
     * @return row-major values, 1 on the mask
     * @throws IllegalArgumentException if a count is negative or they do not add up to
     *     {@code height * width}
     */
    public static byte[] decode(int[] counts, int height, int width) {
        long total = 0;
        for (int c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("RLE count " + c + " is negative");
            }
            total += c;
        }
        if (total != (long) height * width) {
            throw new IllegalArgumentException("RLE counts add up to " + total + " pixels, the"
                    + " size " + height + "x" + width + " has " + (long) height * width);
        }
        byte[] mask = new byte[height * width];
        int p = 0;
        for (int k = 0; k < counts.length; k++) {
            for (int j = 0; j < counts[k]; j++, p++) {
                if ((k & 1) == 1) {
                    int x = p / height;
                    int y = p % height;
                    mask[y * width + x] = 1;
                }
            }
        }
        return mask;
    }

    /**
     * Writes run lengths in COCO's compressed string form.
     *
     * @param counts the run lengths
     * @return the string, printable ASCII from {@code '0'} (48) to {@code 'o'} (111)
     */
    public static String compress(int[] counts) {
        StringBuilder sb = new StringBuilder(counts.length * 2);
        for (int i = 0; i < counts.length; i++) {
            long x = counts[i];
            if (i > 2) {
                x -= counts[i - 2];
            }
            boolean more = true;
            while (more) {
                int group = (int) (x & 0x1f);
                x >>= 5; // arithmetic: a negative value keeps its sign
                // done once the remaining bits are all copies of this group's sign bit
                more = (group & 0x10) != 0 ? x != -1 : x != 0;
                if (more) {
                    group |= 0x20;
                }
                sb.append((char) (group + 48));
            }
        }
        return sb.toString();
    }

    /**
     * Reads run lengths from COCO's compressed string form.
     *
     * @param s the string
     * @return the run lengths
     * @throws IllegalArgumentException if a character is outside {@code '0'..'o'}, the string
     *     ends inside a count, or a count is negative or too large
     */
    public static int[] decompress(String s) {
        int[] counts = new int[s.length()];
        int m = 0;
        int p = 0;
        while (p < s.length()) {
            long x = 0;
            int k = 0;
            boolean more = true;
            while (more) {
                if (p >= s.length()) {
                    throw new IllegalArgumentException("RLE string ends inside count " + m);
                }
                int c = s.charAt(p) - 48;
                if (c < 0 || c > 63) {
                    throw new IllegalArgumentException("RLE string has character '"
                            + s.charAt(p) + "' at " + p + ", outside '0'..'o'");
                }
                if (k > 7) {
                    throw new IllegalArgumentException("RLE count " + m + " is too long");
                }
                x |= (long) (c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) {
                    x |= -1L << (5 * k); // sign-extend
                }
            }
            if (m > 2) {
                x += counts[m - 2];
            }
            if (x < 0 || x > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("RLE count " + m + " is " + x);
            }
            counts[m++] = (int) x;
        }
        return Arrays.copyOf(counts, m);
    }
}
