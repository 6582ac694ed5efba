package org.crbp.examples.pathfinder;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
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
     * @throws BadDataFileException if the file is missing, cannot be decoded or has another
     *     size, naming the file
     * @throws IOException if reading fails otherwise
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
     * @throws BadDataFileException if the file is missing, cannot be decoded or has another
     *     size, naming the file
     * @throws IOException if reading fails otherwise
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
        } catch (NoSuchFileException e) {
            throw new BadDataFileException(file, "missing", e);
        } catch (IOException | RuntimeException e) {
            String problem = checkPng(file, width, height);
            throw new BadDataFileException(file, problem != null ? problem
                    : "cannot be decoded (" + describe(e) + ")", e);
        }
        if (bi == null) {
            String problem = checkPng(file, width, height);
            throw new BadDataFileException(file, problem != null ? problem
                    : "is not an image ImageIO can read");
        }
        if (bi.getWidth() != width || bi.getHeight() != height) {
            throw new BadDataFileException(file, "is " + bi.getWidth() + "x" + bi.getHeight()
                    + ", expected " + width + "x" + height);
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

    private static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return (m == null || m.isBlank() ? t.getClass().getSimpleName() : m).replace('\n', ' ');
    }

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte[] IEND = {0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60,
        (byte) 0x82};

    /**
     * Checks a PNG file without decoding it: the signature, the header chunk and its size, and
     * the end chunk at the end of the file (a truncated file lacks it). Two small reads per file,
     * so a folder of 10,000 images is checked in about a second.
     *
     * @param file the file
     * @param width the expected width
     * @param height the expected height
     * @return {@code null} if the file looks right, else the problem ("is missing", "is
     *     truncated", ...), to follow the file's name
     */
    public static String checkPng(Path file, int width, int height) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                return "is empty (0 bytes)";
            }
            ByteBuffer head = ByteBuffer.allocate(33);
            while (head.hasRemaining() && ch.read(head) > 0) {
                // read the header
            }
            byte[] h = head.array();
            for (int i = 0; i < SIGNATURE.length; i++) {
                if (head.position() <= i || h[i] != SIGNATURE[i]) {
                    return "is not a PNG file (it does not start with the PNG signature)";
                }
            }
            if (head.position() < 33) {
                return "is truncated (" + size + " bytes, shorter than a PNG header)";
            }
            if (h[12] != 'I' || h[13] != 'H' || h[14] != 'D' || h[15] != 'R') {
                return "is not a valid PNG file (no IHDR header chunk)";
            }
            ByteBuffer dims = ByteBuffer.wrap(h, 16, 8);
            int w = dims.getInt();
            int hh = dims.getInt();
            if (w != width || hh != height) {
                return "is " + w + "x" + hh + ", expected " + width + "x" + height;
            }
            if (size < 33 + IEND.length) {
                return "is truncated (" + size + " bytes, no image data)";
            }
            ByteBuffer tail = ByteBuffer.allocate(IEND.length);
            long at = size - IEND.length;
            while (tail.hasRemaining()) {
                int n = ch.read(tail, at + tail.position());
                if (n < 0) {
                    break;
                }
            }
            if (!java.util.Arrays.equals(tail.array(), IEND)) {
                return "is truncated (" + size + " bytes, no PNG end chunk)";
            }
            return null;
        } catch (NoSuchFileException e) {
            return "is missing";
        } catch (IOException e) {
            return "cannot be read (" + describe(e) + ")";
        }
    }

    /**
     * Encodes 8-bit grayscale pixels as a PNG file (a small direct encoder, several times faster
     * than {@link ImageIO} for small images; any PNG reader reads it).
     *
     * @param gray row-major pixels
     * @param width the width
     * @param height the height
     * @return the PNG bytes
     */
    public static byte[] encodeGrayPng(byte[] gray, int width, int height) {
        byte[] raw = new byte[(width + 1) * height];
        for (int y = 0; y < height; y++) {
            int o = y * (width + 1);
            raw[o] = 1; // filter "Sub": difference to the left neighbour
            int r = y * width;
            raw[o + 1] = gray[r];
            for (int x = 1; x < width; x++) {
                raw[o + 1 + x] = (byte) (gray[r + x] - gray[r + x - 1]);
            }
        }
        Deflater def = new Deflater(6);
        def.setInput(raw);
        def.finish();
        ByteArrayOutputStream z = new ByteArrayOutputStream(raw.length / 4 + 64);
        byte[] buf = new byte[8192];
        while (!def.finished()) {
            int n = def.deflate(buf);
            z.write(buf, 0, n);
        }
        def.end();
        ByteArrayOutputStream out = new ByteArrayOutputStream(z.size() + 64);
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, width);
        putInt(ihdr, 4, height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 0; // grayscale
        chunk(out, "IHDR", ihdr);
        chunk(out, "IDAT", z.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
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

    /**
     * Writes an image in [0, 1] as an 8-bit grayscale PNG ({@code round(255 v)}).
     *
     * @param image row-major values
     * @param width the width
     * @param height the height
     * @param file the target file
     * @throws IOException if writing fails
     */
    public static void writeImagePng(float[] image, int width, int height, Path file)
            throws IOException {
        byte[] px = new byte[width * height];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) Math.round(Math.max(0f, Math.min(1f, image[i])) * 255);
        }
        Files.write(file, encodeGrayPng(px, width, height));
    }

    /**
     * Writes a binary mask as an 8-bit grayscale PNG, 255 on the target and 0 elsewhere.
     *
     * @param mask row-major values in {0, 1}
     * @param width the width
     * @param height the height
     * @param file the target file
     * @throws IOException if writing fails
     */
    public static void writeMaskPng(byte[] mask, int width, int height, Path file)
            throws IOException {
        byte[] px = new byte[width * height];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (mask[i] != 0 ? 255 : 0);
        }
        Files.write(file, encodeGrayPng(px, width, height));
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
