package org.crbp.examples.pathfinder;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** 8-bit grayscale PNG conversion of Pathfinder images and masks. */
public final class PathfinderImages {

    private PathfinderImages() {}

    /**
     * Converts an image in [0, 1] to an 8-bit grayscale picture ({@code round(255 v)}).
     *
     * @param image row-major values
     * @param width the width
     * @param height the height
     * @return the picture
     */
    public static BufferedImage imageToGray(float[] image, int width, int height) {
        BufferedImage bi = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = ((DataBufferByte) bi.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            float v = Math.max(0f, Math.min(1f, image[i]));
            px[i] = (byte) Math.round(v * 255);
        }
        return bi;
    }

    /**
     * Converts a binary mask to an 8-bit grayscale picture (255 on the target).
     *
     * @param mask row-major values in {0, 1}
     * @param width the width
     * @param height the height
     * @return the picture
     */
    public static BufferedImage maskToGray(byte[] mask, int width, int height) {
        BufferedImage bi = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = ((DataBufferByte) bi.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (mask[i] != 0 ? 255 : 0);
        }
        return bi;
    }

    /**
     * Reads an 8-bit grayscale PNG as values {@code k / 255}.
     *
     * @param file the file
     * @param width the expected width
     * @param height the expected height
     * @return row-major values
     * @throws IOException if the file cannot be read or has another size
     */
    public static float[] readImage(Path file, int width, int height) throws IOException {
        int[] v = readGray(file, width, height);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / 255f;
        }
        return out;
    }

    /**
     * Reads a mask PNG: values above 127 are the target (1), the rest background (0).
     *
     * @param file the file
     * @param width the expected width
     * @param height the expected height
     * @return row-major values in {0, 1}
     * @throws IOException if the file cannot be read or has another size
     */
    public static byte[] readMask(Path file, int width, int height) throws IOException {
        int[] v = readGray(file, width, height);
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) (v[i] > 127 ? 1 : 0);
        }
        return out;
    }

    private static int[] readGray(Path file, int width, int height) throws IOException {
        BufferedImage bi;
        try (var in = Files.newInputStream(file)) {
            bi = ImageIO.read(in);
        }
        if (bi == null) {
            throw new IOException("Not a readable image: " + file);
        }
        if (bi.getWidth() != width || bi.getHeight() != height) {
            throw new IOException(
                    "Image "
                            + file
                            + " is "
                            + bi.getWidth()
                            + "x"
                            + bi.getHeight()
                            + ", expected "
                            + width
                            + "x"
                            + height);
        }
        int[] out = new int[width * height];
        if (bi.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            byte[] px = ((DataBufferByte) bi.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < out.length; i++) {
                out[i] = px[i] & 0xff;
            }
        } else {
            bi.getRaster().getSamples(0, 0, width, height, 0, out);
        }
        return out;
    }

    /**
     * Writes a picture as PNG.
     *
     * @param picture the picture
     * @param file the target file
     * @throws IOException if writing fails
     */
    public static void writePng(BufferedImage picture, Path file) throws IOException {
        try (var out = Files.newOutputStream(file)) {
            if (!ImageIO.write(picture, "png", out)) {
                throw new IOException("No PNG writer available");
            }
        }
    }

    /**
     * Makes a side-by-side picture of a sample, for documentation: the image, then the image
     * with the mask shown in grey where the image is dark, each enlarged by {@code scale}
     * (nearest neighbour), separated by a 4-pixel gap.
     *
     * @param sample the sample
     * @param scale the enlargement
     * @return the picture
     */
    public static BufferedImage sideBySide(PathfinderSample sample, int scale) {
        int w = sample.getWidth();
        int h = sample.getHeight();
        int gap = 4;
        BufferedImage bi =
                new BufferedImage(2 * w * scale + gap, h * scale, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = ((DataBufferByte) bi.getRaster().getDataBuffer()).getData();
        int stride = bi.getWidth();
        java.util.Arrays.fill(px, (byte) 128);
        for (int y = 0; y < h * scale; y++) {
            for (int x = 0; x < w * scale; x++) {
                int i = (y / scale) * w + (x / scale);
                int v = Math.round(sample.getImage()[i] * 255);
                px[y * stride + x] = (byte) v;
                px[y * stride + w * scale + gap + x] = (byte) (sample.getMask()[i] != 0 ? 255 : 0);
            }
        }
        return bi;
    }
}
