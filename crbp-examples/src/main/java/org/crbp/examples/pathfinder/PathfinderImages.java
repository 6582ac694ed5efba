package org.crbp.examples.pathfinder;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import javax.imageio.ImageIO;

/**
 * PNG files of Pathfinder images and masks.
 *
 * <p>Writing always gives 8-bit greyscale. Reading accepts what other tools write for a grey
 * picture, and refuses, naming the file and what it found, whatever it could only read by
 * guessing:
 *
 * <ul>
 *   <li>greyscale at 1, 2, 4, 8 or 16 bits: value / (2<sup>depth</sup> - 1);
 *   <li>palette: the entries in use must be grey (R = G = B); value / 255;
 *   <li>RGB, at 8 or 16 bits: every pixel must have R = G = B, else "is a colour image";
 *   <li>grey+alpha, RGBA, or a transparent colour (tRNS): every pixel must be fully opaque,
 *       else "is not opaque";
 *   <li>masks are read the same way, and every value must then be 0 or the bit depth's largest
 *       (255 for 8 bits, 65535 for 16, 1 for 1 bit), else "is not a binary mask".
 * </ul>
 *
 * <p>Interlaced files are read; colour-space chunks (gamma, ICC profiles) are ignored, so values
 * are read as stored.
 */
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
     * Reads a Pathfinder image as values in [0, 1]: each pixel's grey value divided by the
     * largest value of the file's bit depth ({@code k / 255} for 8 bits, {@code k / 65535} for
     * 16, 0 or 1 for 1 bit). The formats accepted are those of the class comment.
     *
     * @param file the file
     * @param width the expected width
     * @param height the expected height
     * @return row-major values
     * @throws BadDataFileException if the file is missing, cannot be decoded, has another size,
     *     is in colour or is not opaque, naming the file and what it found
     * @throws IOException if reading fails otherwise
     */
    public static float[] readImage(Path file, int width, int height) throws IOException {
        Gray g = decode(file, width, height, "image");
        // divide, not multiply by 1/max: an 8-bit file then reads bit-identical to the
        // generator's k / 255f
        float max = g.max;
        float[] out = new float[g.values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = g.values[i] / max;
        }
        return out;
    }

    /**
     * Reads a Pathfinder mask: decoded as an image (see the class comment), every pixel must be 0
     * (background) or the bit depth's largest value (the target: 255 for 8 bits, 65535 for 16,
     * 1 for 1 bit).
     *
     * @param file the file
     * @param width the expected width
     * @param height the expected height
     * @return row-major values in {0, 1}
     * @throws BadDataFileException if the file is missing, cannot be decoded, has another size,
     *     is in colour, is not opaque or has other values, naming the file and what it found
     * @throws IOException if reading fails otherwise
     */
    public static byte[] readMask(Path file, int width, int height) throws IOException {
        Gray g = decode(file, width, height, "mask");
        int[] v = g.values;
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] == g.max) {
                out[i] = 1;
            } else if (v[i] != 0) {
                throw new BadDataFileException(file, notBinary(v, g.max, i, width));
            }
        }
        return out;
    }

    private static String notBinary(int[] v, int max, int first, int width) {
        java.util.BitSet seen = new java.util.BitSet(max + 1);
        for (int x : v) {
            seen.set(x);
        }
        String s = "is not a binary mask: it has values other than 0 and " + max + " (found "
                + seen.cardinality() + " distinct values, e.g. " + v[first] + " at pixel "
                + pixel(first, width) + ")";
        if (seen.nextSetBit(2) < 0) {
            // only 0 and 1 in a deeper file: most likely a label map
            s += "; a 0/1 label mask? Pathfinder masks mark the target with " + max;
        }
        return s;
    }

    private static String pixel(int i, int width) {
        return "(" + (i % width) + "," + (i / width) + ")";
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

    private static final int GREY = 0;
    private static final int RGB = 2;
    private static final int PALETTE = 3;
    private static final int GREY_ALPHA = 4;
    private static final int RGBA = 6;

    /**
     * Checks a PNG file without decoding its pixels: the signature, the header chunk (size, and a
     * valid combination of bit depth, colour type and methods) and the end chunk at the end of
     * the file (a truncated file lacks it). Whether the pixels are grey, opaque and, for a mask,
     * binary is checked by {@link #readImage} and {@link #readMask}.
     *
     * @param file the file
     * @param width the expected width
     * @param height the expected height
     * @return {@code null} if the file looks right, else the problem ("is missing", "is
     *     truncated", ...), to follow the file's name
     */
    public static String checkPng(Path file, int width, int height) {
        try {
            return headerProblem(Files.readAllBytes(file), width, height);
        } catch (NoSuchFileException e) {
            return "is missing";
        } catch (IOException e) {
            return "cannot be read (" + describe(e) + ")";
        }
    }

    private static String headerProblem(byte[] b, int width, int height) {
        int size = b.length;
        if (size == 0) {
            return "is empty (0 bytes)";
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (size <= i || b[i] != SIGNATURE[i]) {
                return "is not a PNG file (it does not start with the PNG signature)";
            }
        }
        if (size < 33) {
            return "is truncated (" + size + " bytes, shorter than a PNG header)";
        }
        if (b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            return "is not a valid PNG file (no IHDR header chunk)";
        }
        int w = getInt(b, 16);
        int h = getInt(b, 20);
        if (w != width || h != height) {
            return "is " + w + "x" + h + ", expected " + width + "x" + height;
        }
        if (size < 33 + IEND.length) {
            return "is truncated (" + size + " bytes, no image data)";
        }
        if (!java.util.Arrays.equals(b, size - IEND.length, size, IEND, 0, IEND.length)) {
            return "is truncated (" + size + " bytes, no PNG end chunk)";
        }
        if (getInt(b, 8) != 13) {
            return "is not a valid PNG file (IHDR chunk of " + getInt(b, 8) + " bytes, not 13)";
        }
        int depth = b[24] & 0xff;
        int type = b[25] & 0xff;
        boolean valid;
        switch (type) {
            case GREY:
                valid = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
                break;
            case PALETTE:
                valid = depth == 1 || depth == 2 || depth == 4 || depth == 8;
                break;
            case RGB:
            case GREY_ALPHA:
            case RGBA:
                valid = depth == 8 || depth == 16;
                break;
            default:
                valid = false;
        }
        if (!valid) {
            return "is not a valid PNG file (colour type " + type + " with bit depth " + depth
                    + ")";
        }
        if (b[26] != 0 || b[27] != 0 || (b[28] & 0xff) > 1) {
            return "is not a valid PNG file (compression, filter and interlace methods "
                    + (b[26] & 0xff) + ", " + (b[27] & 0xff) + ", " + (b[28] & 0xff) + ")";
        }
        return null;
    }

    /** Grey values, one per pixel, in 0..max. */
    private static final class Gray {
        final int[] values;
        final int max;

        Gray(int[] values, int max) {
            this.values = values;
            this.max = max;
        }
    }

    private static String format(int depth, int type) {
        String name;
        switch (type) {
            case GREY:
                name = "grey";
                break;
            case RGB:
                name = "RGB";
                break;
            case PALETTE:
                name = "palette";
                break;
            case GREY_ALPHA:
                name = "grey+alpha";
                break;
            default:
                name = "RGBA";
        }
        return depth + "-bit " + name;
    }

    private static int channels(int type) {
        switch (type) {
            case RGB:
                return 3;
            case GREY_ALPHA:
                return 2;
            case RGBA:
                return 4;
            default:
                return 1;
        }
    }

    // Adam7 passes: first column and row, column and row steps
    private static final int[] X0 = {0, 4, 0, 2, 0, 1, 0};
    private static final int[] Y0 = {0, 0, 4, 0, 2, 0, 1};
    private static final int[] DX = {8, 8, 4, 4, 2, 2, 1};
    private static final int[] DY = {8, 8, 8, 4, 4, 2, 2};

    /**
     * Decodes a PNG file to grey values (a small direct decoder: ImageIO hands back raw samples
     * whose meaning depends on the colour type, which is how a 16-bit or palette file was once
     * read wrongly without a word).
     */
    private static Gray decode(Path file, int width, int height, String what)
            throws IOException {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadDataFileException(file, "is missing", e);
        } catch (IOException e) {
            throw new BadDataFileException(file, "cannot be read (" + describe(e) + ")", e);
        }
        String problem = headerProblem(b, width, height);
        if (problem != null) {
            throw new BadDataFileException(file, problem);
        }
        int depth = b[24] & 0xff;
        int type = b[25] & 0xff;
        boolean interlaced = b[28] == 1;
        int channels = channels(type);
        String format = format(depth, type) + (interlaced ? " interlaced" : "");

        int passes = interlaced ? 7 : 1;
        long rawSize = 0;
        for (int p = 0; p < passes; p++) {
            int pw = passSize(width, interlaced ? X0[p] : 0, interlaced ? DX[p] : 1);
            int ph = passSize(height, interlaced ? Y0[p] : 0, interlaced ? DY[p] : 1);
            if (pw > 0 && ph > 0) {
                rawSize += (long) ph * (1 + rowBytes(pw, channels, depth));
            }
        }
        if (rawSize > Integer.MAX_VALUE - 8) {
            throw new BadDataFileException(file, "is too large to read (" + width + "x" + height
                    + " " + format + ")");
        }
        byte[] raw = new byte[(int) rawSize];
        int got = 0;
        boolean anyData = false;
        int paletteAt = -1;
        int paletteSize = 0;
        int alphaAt = -1;
        int alphaSize = 0;
        Inflater inf = new Inflater();
        try {
            for (int pos = 8; ; ) {
                if (pos > b.length - 12) {
                    throw new BadDataFileException(file, "is not a valid PNG file (the chunk at"
                            + " byte " + pos + " runs past the end of the file)");
                }
                int len = getInt(b, pos);
                String chunk = new String(b, pos + 4, 4, StandardCharsets.US_ASCII);
                if (len < 0 || len > b.length - pos - 12) {
                    throw new BadDataFileException(file, "is not a valid PNG file (its " + chunk
                            + " chunk at byte " + pos + " runs past the end of the file)");
                }
                int data = pos + 8;
                boolean critical = (b[pos + 4] & 0x20) == 0;
                if (critical || chunk.equals("tRNS")) {
                    CRC32 crc = new CRC32();
                    crc.update(b, pos + 4, len + 4);
                    if ((int) crc.getValue() != getInt(b, data + len)) {
                        throw new BadDataFileException(file, "is corrupt (bad CRC in its "
                                + chunk + " chunk at byte " + pos + ")");
                    }
                }
                if (chunk.equals("IEND")) {
                    break;
                } else if (chunk.equals("IDAT")) {
                    anyData = true;
                    if (got < raw.length) {
                        inf.setInput(b, data, len);
                        // 0 bytes out: this chunk is used up, or the stream ended (or stalled)
                        for (int n = 1; n > 0 && got < raw.length; got += n) {
                            n = inf.inflate(raw, got, raw.length - got);
                        }
                    }
                } else if (chunk.equals("PLTE")) {
                    if (len == 0 || len % 3 != 0 || len > 3 * 256) {
                        throw new BadDataFileException(file, "is not a valid PNG file (PLTE"
                                + " chunk of " + len + " bytes)");
                    }
                    paletteAt = data;
                    paletteSize = len / 3;
                } else if (chunk.equals("tRNS")) {
                    if ((type == GREY && len != 2) || (type == RGB && len != 6)) {
                        throw new BadDataFileException(file, "is not a valid PNG file (tRNS"
                                + " chunk of " + len + " bytes in a " + format + " file)");
                    }
                    alphaAt = data;
                    alphaSize = len;
                } else if (critical && !chunk.equals("IHDR")) {
                    throw new BadDataFileException(file, "cannot be decoded (unknown critical"
                            + " PNG chunk '" + chunk + "')");
                }
                pos = data + len + 4;
            }
        } catch (DataFormatException e) {
            throw new BadDataFileException(file, "cannot be decoded (bad compressed image data: "
                    + describe(e) + ")", e);
        } finally {
            inf.end();
        }
        if (!anyData) {
            throw new BadDataFileException(file, "is not a valid PNG file (no IDAT image data)");
        }
        if (got < raw.length) {
            throw new BadDataFileException(file, "cannot be decoded (its image data holds " + got
                    + " of the " + raw.length + " bytes of a " + width + "x" + height + " "
                    + format + " image)");
        }
        if (type == PALETTE && paletteAt < 0) {
            throw new BadDataFileException(file, "is not a valid PNG file (a palette image"
                    + " without a PLTE chunk)");
        }

        int[] s = new int[width * height * channels];
        int bpp = Math.max(1, channels * depth / 8);
        int at = 0;
        for (int p = 0; p < passes; p++) {
            int x0 = interlaced ? X0[p] : 0;
            int y0 = interlaced ? Y0[p] : 0;
            int dx = interlaced ? DX[p] : 1;
            int dy = interlaced ? DY[p] : 1;
            int pw = passSize(width, x0, dx);
            int ph = passSize(height, y0, dy);
            if (pw == 0 || ph == 0) {
                continue;
            }
            int rb = rowBytes(pw, channels, depth);
            for (int r = 0; r < ph; r++) {
                int cur = at + 1;
                if (!unfilter(raw, raw[at] & 0xff, cur, r == 0 ? -1 : cur - rb - 1, rb, bpp)) {
                    throw new BadDataFileException(file, "cannot be decoded (unknown row filter "
                            + (raw[at] & 0xff) + ")");
                }
                int y = y0 + r * dy;
                if (depth == 8 && !interlaced) {
                    // the common case, written out: a row is its samples
                    for (int k = 0, o = y * rb; k < rb; k++) {
                        s[o + k] = raw[cur + k] & 0xff;
                    }
                } else {
                    for (int q = 0; q < pw; q++) {
                        int o = ((y * width) + x0 + q * dx) * channels;
                        for (int c = 0; c < channels; c++) {
                            s[o + c] = sample(raw, cur, q * channels + c, depth);
                        }
                    }
                }
                at = cur + rb;
            }
        }
        return toGray(file, s, width, depth, type, format, b, paletteAt, paletteSize, alphaAt,
                alphaSize, what);
    }

    /** Turns samples into grey values, or refuses colour and transparency. */
    private static Gray toGray(Path file, int[] s, int width, int depth, int type, String format,
            byte[] b, int paletteAt, int paletteSize, int alphaAt, int alphaSize, String what) {
        int n = s.length / channels(type);
        int max = (1 << depth) - 1;
        int[] grey = new int[n];
        switch (type) {
            case GREY: {
                int key = alphaAt >= 0 ? getShort(b, alphaAt) : -1;
                for (int i = 0; i < n; i++) {
                    if (s[i] == key) {
                        throw new BadDataFileException(file, "is not opaque (" + format
                                + " with a transparent colour, pixel " + pixel(i, width)
                                + " has that value " + key + ")" + opaque(what));
                    }
                    grey[i] = s[i];
                }
                break;
            }
            case RGB:
            case RGBA: {
                int c = type == RGB ? 3 : 4;
                boolean keyed = type == RGB && alphaAt >= 0;
                for (int i = 0; i < n; i++) {
                    int r = s[c * i];
                    int g = s[c * i + 1];
                    int bl = s[c * i + 2];
                    if (r != g || g != bl) {
                        throw new BadDataFileException(file, "is a colour image (" + format
                                + ", pixel " + pixel(i, width) + " is R=" + r + " G=" + g + " B="
                                + bl + ")" + colour(what));
                    }
                    if (type == RGBA && s[c * i + 3] != max) {
                        throw new BadDataFileException(file, "is not opaque (" + format
                                + ", pixel " + pixel(i, width) + " has alpha " + s[c * i + 3]
                                + " of " + max + ")" + opaque(what));
                    }
                    if (keyed && r == getShort(b, alphaAt) && g == getShort(b, alphaAt + 2)
                            && bl == getShort(b, alphaAt + 4)) {
                        throw new BadDataFileException(file, "is not opaque (" + format
                                + " with a transparent colour, pixel " + pixel(i, width)
                                + " has it)" + opaque(what));
                    }
                    grey[i] = r;
                }
                break;
            }
            case GREY_ALPHA:
                for (int i = 0; i < n; i++) {
                    if (s[2 * i + 1] != max) {
                        throw new BadDataFileException(file, "is not opaque (" + format
                                + ", pixel " + pixel(i, width) + " has alpha " + s[2 * i + 1]
                                + " of " + max + ")" + opaque(what));
                    }
                    grey[i] = s[2 * i];
                }
                break;
            default: // PALETTE: palette entries are 8-bit whatever the index depth
                max = 255;
                for (int i = 0; i < n; i++) {
                    int e = s[i];
                    if (e >= paletteSize) {
                        throw new BadDataFileException(file, "is not a valid PNG file (pixel "
                                + pixel(i, width) + " is palette entry " + e + " of a palette of "
                                + paletteSize + ")");
                    }
                    int r = b[paletteAt + 3 * e] & 0xff;
                    int g = b[paletteAt + 3 * e + 1] & 0xff;
                    int bl = b[paletteAt + 3 * e + 2] & 0xff;
                    // only the entries in use matter: ImageIO's default palette, for one, holds
                    // colours a grey picture never uses
                    if (r != g || g != bl) {
                        throw new BadDataFileException(file, "is a colour image (" + format
                                + ", pixel " + pixel(i, width) + " is palette entry " + e + ", R="
                                + r + " G=" + g + " B=" + bl + ")" + colour(what));
                    }
                    int a = e < alphaSize ? b[alphaAt + e] & 0xff : 255;
                    if (a != 255) {
                        throw new BadDataFileException(file, "is not opaque (" + format
                                + ", pixel " + pixel(i, width) + " is palette entry " + e
                                + " with alpha " + a + " of 255)" + opaque(what));
                    }
                    grey[i] = r;
                }
        }
        return new Gray(grey, max);
    }

    private static String colour(String what) {
        return "; Pathfinder " + what + "s are greyscale";
    }

    private static String opaque(String what) {
        return "; Pathfinder " + what + "s must be fully opaque";
    }

    private static int passSize(int size, int first, int step) {
        return size > first ? (size - first + step - 1) / step : 0;
    }

    private static int rowBytes(int pixels, int channels, int depth) {
        return (int) (((long) pixels * channels * depth + 7) / 8);
    }

    /** Sample {@code k} of the row starting at {@code row}, at 1, 2, 4, 8 or 16 bits. */
    private static int sample(byte[] raw, int row, int k, int depth) {
        switch (depth) {
            case 8:
                return raw[row + k] & 0xff;
            case 16:
                return ((raw[row + 2 * k] & 0xff) << 8) | (raw[row + 2 * k + 1] & 0xff);
            default:
                int bit = k * depth;
                return ((raw[row + (bit >>> 3)] & 0xff) >>> (8 - depth - (bit & 7)))
                        & ((1 << depth) - 1);
        }
    }

    /** Undoes a row's PNG filter in place; {@code prev} is -1 for a pass's first row. */
    private static boolean unfilter(byte[] raw, int filter, int cur, int prev, int n, int bpp) {
        switch (filter) {
            case 0:
                return true;
            case 1:
                for (int i = bpp; i < n; i++) {
                    raw[cur + i] += raw[cur + i - bpp];
                }
                return true;
            case 2:
                if (prev >= 0) {
                    for (int i = 0; i < n; i++) {
                        raw[cur + i] += raw[prev + i];
                    }
                }
                return true;
            case 3:
                for (int i = 0; i < n; i++) {
                    int a = i >= bpp ? raw[cur + i - bpp] & 0xff : 0;
                    int up = prev >= 0 ? raw[prev + i] & 0xff : 0;
                    raw[cur + i] += (byte) ((a + up) >>> 1);
                }
                return true;
            case 4:
                for (int i = 0; i < n; i++) {
                    int a = i >= bpp ? raw[cur + i - bpp] & 0xff : 0;
                    int up = prev >= 0 ? raw[prev + i] & 0xff : 0;
                    int c = i >= bpp && prev >= 0 ? raw[prev + i - bpp] & 0xff : 0;
                    int p = a + up - c;
                    int pa = Math.abs(p - a);
                    int pb = Math.abs(p - up);
                    int pc = Math.abs(p - c);
                    raw[cur + i] += (byte) (pa <= pb && pa <= pc ? a : pb <= pc ? up : c);
                }
                return true;
            default:
                return false;
        }
    }

    private static int getInt(byte[] b, int o) {
        return ((b[o] & 0xff) << 24) | ((b[o + 1] & 0xff) << 16) | ((b[o + 2] & 0xff) << 8)
                | (b[o + 3] & 0xff);
    }

    private static int getShort(byte[] b, int o) {
        return ((b[o] & 0xff) << 8) | (b[o + 1] & 0xff);
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
