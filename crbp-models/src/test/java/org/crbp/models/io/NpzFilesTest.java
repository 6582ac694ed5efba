/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Reading files that NumPy wrote, and refusing files that are not .npz archives. */
class NpzFilesTest {

    /**
     * {@code np.savez_compressed(f, **{'conv0.bias': np.array([0.5, -1.25, 3], '<f4'), 'unit1.w':
     * np.arange(6, dtype='<f8').reshape(2, 3, 1)})} (NumPy writes zip64 headers).
     */
    private static final String COMPRESSED = "UEsDBC0AAAAIAAAAIQAUeT3k//////////8OABQAY29udjAuYmlhcy5"
            + "ucHkBABAAjAAAAAAAAABQAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TZqKuo6Cell9UUpSYF59flJIK"
            + "EndLzClOBYoXZyQWpAL5GsY6mjoKtQoUAC4GBgZ7BoYF+xkYHBwAUEsDBC0AAAAIAAAAIQC+ZMh1//////////"
            + "8LABQAdW5pdDEudy5ucHkBABAAsAAAAAAAAABaAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TZqGuo6Ce"
            + "ll9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6CsY6CoaaOgq1CuQBLgYU8MEeynCAUBxQWgBKizgAAFBLAQIt"
            + "Ay0AAAAIAAAAIQAUeT3kUAAAAIwAAAAOAAAAAAAAAAAAAACAAQAAAABjb252MC5iaWFzLm5weVBLAQItAy0AAAAI"
            + "AAAAIQC+ZMh1WgAAALAAAAALAAAAAAAAAAAAAACAAZAAAAB1bml0MS53Lm5weVBLBQYAAAAAAgACAHUAAAAnAQAA"
            + "AAA=";

    /** {@code np.savez(f, np.array([1, 2], '<i8'))}: one unnamed array, stored as arr_0. */
    private static final String UNNAMED =
            "UEsDBC0AAAAAAAAAIQAM/Bzp//////////8JABQAYXJyXzAubnB5AQAQAJAAAAAAAAAAkAAAAAAAAACTTlVNUFkB"
            + "AHYAeydkZXNjcic6ICc8aTgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAg"
            + "ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgCgEAAAAAAAAAAgAA"
            + "AAAAAABQSwECLQMtAAAAAAAAACEADPwc6ZAAAACQAAAACQAAAAAAAAAAAAAAgAEAAAAAYXJyXzAubnB5UEsFBgAA"
            + "AAABAAEANwAAAMsAAAAAAA==";

    @Test
    void readsWhatNumpyWrites(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.npz");
        Files.write(file, Base64.getDecoder().decode(COMPRESSED));
        Path unnamed = dir.resolve("u.npz");
        Files.write(unnamed, Base64.getDecoder().decode(UNNAMED));
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> read = ReferenceWeights.readNpz(file, manager);
            assertEquals(List.of("conv0.bias", "unit1.w"), List.copyOf(read.keySet()));
            NDArray bias = read.get("conv0.bias");
            assertEquals(DataType.FLOAT32, bias.getDataType());
            assertEquals(new Shape(3), bias.getShape());
            assertArrayEquals(new float[] {0.5f, -1.25f, 3f}, bias.toFloatArray(), 0f);
            NDArray w = read.get("unit1.w");
            assertEquals(DataType.FLOAT64, w.getDataType());
            assertEquals(new Shape(2, 3, 1), w.getShape());
            assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, w.toDoubleArray(), 0.0);

            Map<String, NDArray> u = ReferenceWeights.readNpz(unnamed, manager);
            assertEquals(List.of("arr_0"), List.copyOf(u.keySet()));
            assertArrayEquals(new long[] {1, 2}, u.get("arr_0").toLongArray());
        }
    }

    @Test
    void aFileThatIsNotAnNpzArchiveIsOneLineNamingIt(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("weights.npz");
        Files.writeString(text, "not a zip archive at all");
        Path truncated = dir.resolve("truncated.npz");
        byte[] whole = Base64.getDecoder().decode(COMPRESSED);
        Files.write(truncated, java.util.Arrays.copyOf(whole, 100));
        try (NDManager manager = NDManager.newBaseManager()) {
            for (Path f : new Path[] {text, truncated}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> ReferenceWeights.readNpz(f, manager));
                assertTrue(e.getMessage().startsWith(f + " is not a NumPy .npz archive"),
                        e.getMessage());
                assertTrue(!e.getMessage().contains("\n"), e.getMessage());
            }
        }
    }
}
