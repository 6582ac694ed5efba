/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.crbp.examples.ExitCode;
import org.crbp.examples.pathfinder.PathfinderImages;
import org.crbp.examples.run.CheckpointTrustTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code --data} file in a PNG format that would be read wrongly (a colour image, a mask with
 * grey levels) stops {@code train} before the first epoch with exit code 2 and one line naming
 * the file and what was found.
 */
class DataFormatsTest {

    @TempDir Path tmp;

    private static final String[] SIZES = {"--train-size", "8", "--val-size", "4",
        "--test-size", "8"};

    private Cli train(Path data, String name) {
        return Cli.run(Cli.concat(new String[] {"train", "--data", data.toString(), "--out",
            tmp.resolve("run-" + name).toString()}, Cli.concat(CheckpointTrustTest.TINY,
                    "--epochs", "1", "--no-pictures")));
    }

    private static void assertNamed(Cli c, Path file, String found) {
        assertEquals(ExitCode.USAGE.code(), c.exitCode, c.toString());
        assertEquals(1, c.err.strip().split("\n").length, "one line: " + c.err);
        assertTrue(c.err.contains("bad data file " + file + ": "), "names " + file + ": " + c.err);
        assertTrue(c.err.contains(found), "says '" + found + "': " + c.err);
        assertFalse(c.out.contains("Epoch 1/"), "trained before finding it: " + c.out);
    }

    @Test
    void aColourImageAndAGreyLevelMaskAreNamedBeforeTraining() throws IOException {
        Path data = tmp.resolve("data");
        Cli gen = Cli.run(Cli.concat(new String[] {"generate", "--out", data.toString()},
                SIZES));
        assertEquals(0, gen.exitCode, gen.toString());

        Path image = data.resolve("validation/images/000001.png");
        byte[] kept = Files.readAllBytes(image);
        BufferedImage colour = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        colour.setRGB(5, 7, 0xff0000);
        ImageIO.write(colour, "png", image.toFile());
        assertNamed(train(data, "colour"), image,
                "is a colour image (8-bit RGB, pixel (5,7) is R=255 G=0 B=0)");
        Files.write(image, kept);

        Path mask = data.resolve("test/masks/000003.png");
        byte[] grey = new byte[64 * 64];
        grey[64 + 2] = (byte) 128;
        grey[64 + 3] = (byte) 255;
        Files.write(mask, PathfinderImages.encodeGrayPng(grey, 64, 64));
        assertNamed(train(data, "mask"), mask, "is not a binary mask: it has values other than"
                + " 0 and 255 (found 3 distinct values, e.g. 128 at pixel (2,1))");
    }
}
