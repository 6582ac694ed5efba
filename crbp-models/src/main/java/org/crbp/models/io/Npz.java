/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes NumPy {@code .npz} archives (a zip of {@code .npy} files, as {@code
 * numpy.savez} writes them) without any dependency.
 *
 * <p>Supported element types: {@code <f4}, {@code <f8}, {@code <i4}, {@code <i8} (and their
 * big-endian forms when reading), C order only; {@code .npy} format versions 1.0 to 3.0 are read,
 * 1.0 is written. Entries are stored uncompressed, like {@code numpy.savez}; compressed entries
 * ({@code numpy.savez_compressed}) are read as well.
 */
public final class Npz {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npz() {}

    /**
     * Writes arrays to an {@code .npz} file, one {@code <key>.npy} entry each, in the map's order.
     * The arrays are copied to the host; their data types are kept.
     *
     * @param file the file to write
     * @param arrays the arrays by key
     * @throws IOException if the file cannot be written
     * @throws IllegalArgumentException if an array's data type is not supported
     */
    public static void write(Path file, Map<String, NDArray> arrays) throws IOException {
        try (OutputStream os = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
                byte[] npy = toNpy(e.getValue());
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(npy.length);
                entry.setCompressedSize(npy.length);
                CRC32 crc = new CRC32();
                crc.update(npy);
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(npy);
                zip.closeEntry();
            }
        }
    }

    /**
     * Reads every array of an {@code .npz} file into {@code manager}, keyed by entry name without
     * {@code .npy}, in the archive's order.
     *
     * @param file the file
     * @param manager the manager that owns the arrays
     * @return the arrays by key
     * @throws IOException if the file cannot be read or an entry is not a supported {@code .npy}
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (InputStream is = Files.newInputStream(file);
                ZipInputStream zip = new ZipInputStream(is)) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                String name = entry.getName();
                if (!name.endsWith(".npy")) {
                    continue;
                }
                byte[] data = zip.readAllBytes();
                out.put(name.substring(0, name.length() - 4), fromNpy(data, manager, name));
            }
        }
        return out;
    }

    /**
     * Encodes one array as {@code .npy} version 1.0 bytes.
     *
     * @param array the array
     * @return the bytes
     */
    public static byte[] toNpy(NDArray array) {
        DataType type = array.getDataType();
        String descr;
        switch (type) {
            case FLOAT32:
                descr = "<f4";
                break;
            case FLOAT64:
                descr = "<f8";
                break;
            case INT32:
                descr = "<i4";
                break;
            case INT64:
                descr = "<i8";
                break;
            default:
                throw new IllegalArgumentException("Unsupported data type for .npy: " + type);
        }
        StringBuilder shape = new StringBuilder("(");
        long[] dims = array.getShape().getShape();
        for (int i = 0; i < dims.length; i++) {
            shape.append(dims[i]);
            if (dims.length == 1 || i < dims.length - 1) {
                shape.append(dims.length == 1 ? "," : ", ");
            }
        }
        shape.append(')');
        String header =
                "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = MAGIC.length + 2 + 2 + header.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        StringBuilder h = new StringBuilder(header);
        for (int i = 0; i < pad; i++) {
            h.append(' ');
        }
        h.append('\n');
        byte[] headerBytes = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer data = array.toByteBuffer();
        data.order(ByteOrder.nativeOrder());
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        bos.write(MAGIC, 0, MAGIC.length);
        bos.write(1);
        bos.write(0);
        bos.write(headerBytes.length & 0xff);
        bos.write((headerBytes.length >> 8) & 0xff);
        bos.write(headerBytes, 0, headerBytes.length);
        // DJL's buffers are in native order; .npy with '<' wants little endian
        ByteBuffer le = ByteBuffer.allocate(data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        int width = type.getNumOfBytes();
        ByteBuffer src = data.duplicate().order(ByteOrder.nativeOrder());
        while (src.remaining() >= width) {
            if (width == 8) {
                le.putLong(src.getLong());
            } else {
                le.putInt(src.getInt());
            }
        }
        bos.write(le.array(), 0, le.position());
        return bos.toByteArray();
    }

    /**
     * Decodes {@code .npy} bytes into an array of {@code manager}.
     *
     * @param bytes the bytes
     * @param manager the manager that owns the array
     * @param name the entry's name, for error messages
     * @return the array
     * @throws IOException if the bytes are not a supported {@code .npy}
     */
    public static NDArray fromNpy(byte[] bytes, NDManager manager, String name) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (byte b : MAGIC) {
            if (!buf.hasRemaining() || buf.get() != b) {
                throw new IOException(name + " is not a .npy entry (bad magic)");
            }
        }
        int major = buf.get() & 0xff;
        buf.get(); // minor
        int headerLen = major == 1 ? buf.getShort() & 0xffff : buf.getInt();
        if (major < 1 || major > 3 || headerLen < 0 || headerLen > buf.remaining()) {
            throw new IOException(name + ": unsupported .npy version " + major);
        }
        byte[] hb = new byte[headerLen];
        buf.get(hb);
        String header =
                new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IOException(name + ": cannot parse the .npy header " + header.trim());
        }
        if ("True".equals(f.group(1))) {
            throw new IOException(name + ": Fortran-ordered arrays are not supported");
        }
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (!part.isBlank()) {
                dims.add(Long.parseLong(part.trim()));
            }
        }
        long[] shapeArr = dims.stream().mapToLong(Long::longValue).toArray();
        Shape shape = new Shape(shapeArr);
        String descr = d.group(1);
        ByteOrder order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        String kind = descr.substring(1);
        int n = Math.toIntExact(shape.size());
        ByteBuffer body = buf.slice().order(order);
        switch (kind) {
            case "f4":
                {
                    float[] v = new float[n];
                    body.asFloatBuffer().get(v);
                    return manager.create(v, shape);
                }
            case "f8":
                {
                    double[] v = new double[n];
                    body.asDoubleBuffer().get(v);
                    return manager.create(v, shape);
                }
            case "i4":
                {
                    int[] v = new int[n];
                    body.asIntBuffer().get(v);
                    return manager.create(v, shape);
                }
            case "i8":
                {
                    long[] v = new long[n];
                    body.asLongBuffer().get(v);
                    return manager.create(v, shape);
                }
            default:
                throw new IOException(name + ": unsupported .npy element type " + descr);
        }
    }
}
