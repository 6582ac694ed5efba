/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

/** COCO's run-length encoding: a mask worked by hand, and round trips. */
class CocoRleTest {

    /**
     * A 5 x 8 mask (h = 5, w = 8) with column 0's rows 0-2 set and column 4's rows 3-4 set.
     *
     * <p>Column-major, pixel (row r, column c) is number 5c + r: the set pixels are 0, 1, 2 and
     * 23, 24 of 40. Runs, starting with zeros: 0 zeros, 3 ones (0-2), 20 zeros (3-22), 2 ones
     * (23-24), 15 zeros (25-39): counts [0, 3, 20, 2, 15].
     *
     * <p>Compressed: count 0 is 0 -> group 0 -> '0' (48). Count 1 is 3 -> '3'. Count 2 is 20 (not
     * yet delta-coded): 20 = 0b10100, low group 20 has the sign bit 0x10 set but the rest (0)
     * is not -1, so a second group follows: 20 | 0x20 = 52 -> 'd' (100), then 0 -> '0'. Count 3
     * is coded as 2 - counts[1] = 2 - 3 = -1: group 31 (sign set, rest -1, done) -> 79 'O'.
     * Count 4 as 15 - counts[2] = 15 - 20 = -5: low 5 bits of -5 are 0b11011 = 27, sign set,
     * rest -1, done -> 75 'K'. String: "03d0OK".
     */
    @Test
    void handWorkedMask() {
        int h = 5;
        int w = 8;
        byte[] mask = new byte[h * w];
        mask[0 * w + 0] = 1;
        mask[1 * w + 0] = 1;
        mask[2 * w + 0] = 1;
        mask[3 * w + 4] = 1;
        mask[4 * w + 4] = 1;
        int[] counts = CocoRle.encode(mask, h, w);
        assertArrayEquals(new int[] {0, 3, 20, 2, 15}, counts);
        assertEquals("03d0OK", CocoRle.compress(counts));
        assertArrayEquals(counts, CocoRle.decompress("03d0OK"));
        assertArrayEquals(mask, CocoRle.decode(counts, h, w));
    }

    /**
     * 100 = 0b11_00100: low group 4 (sign clear), rest 3 != 0, so 4 | 0x20 = 36 -> 'T' (84);
     * then 3 -> '3'. 16 = 0b10000 needs a second group because its low group reads as negative:
     * 16 | 0x20 = 48 -> '`' (96), then '0'.
     */
    @Test
    void multiGroupCounts() {
        assertEquals("T3", CocoRle.compress(new int[] {100}));
        assertEquals("`0", CocoRle.compress(new int[] {16}));
        assertEquals("?", CocoRle.compress(new int[] {15}));
        assertArrayEquals(new int[] {100, 16, 15}, CocoRle.decompress("T3`0?"));
    }

    @Test
    void roundTripsRandomMasks() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int trial = 0; trial < 200; trial++) {
            int h = 1 + rng.nextInt(40);
            int w = 1 + rng.nextInt(40);
            byte[] mask = new byte[h * w];
            double density = rng.nextDouble();
            int mode = trial % 4;
            for (int p = 0; p < mask.length; p++) {
                // empty, full, blobs of long runs, and noise
                mask[p] = (byte) (mode == 0 ? 0 : mode == 1 ? 1
                        : mode == 2 ? ((p / (1 + rng.nextInt(3)) / 7) % 2)
                        : rng.nextDouble() < density ? 1 : 0);
            }
            int[] counts = CocoRle.encode(mask, h, w);
            long total = 0;
            for (int c : counts) {
                total += c;
            }
            assertEquals(h * w, total);
            String s = CocoRle.compress(counts);
            for (char c : s.toCharArray()) {
                assertTrue(c >= '0' && c <= 'o', "character " + (int) c);
            }
            assertArrayEquals(counts, CocoRle.decompress(s));
            assertArrayEquals(mask, CocoRle.decode(CocoRle.decompress(s), h, w));
        }
    }

    @Test
    void refusesBadStrings() {
        assertThrows(IllegalArgumentException.class, () -> CocoRle.decompress("03d"));
        assertThrows(IllegalArgumentException.class, () -> CocoRle.decompress("03 "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CocoRle.decode(new int[] {1, 2}, 2, 2));
        assertTrue(e.getMessage().contains("add up to 3"), e.getMessage());
    }
}
