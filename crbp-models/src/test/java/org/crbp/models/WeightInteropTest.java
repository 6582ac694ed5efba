/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import org.crbp.core.RecurrentNet;
import org.crbp.models.io.ReferenceWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** The .npz interop with the reference's state_dict names, and DJL's Model.save/load. */
class WeightInteropTest {

    private static final Shape INPUT = new Shape(2, 1, 12, 12);

    /** The reference hGRU model's state_dict, in order, with shapes at kernel k (hgrucleanSEG.py). */
    private static Map<String, Shape> referenceHgru(int k) {
        Map<String, Shape> m = new LinkedHashMap<>();
        m.put("conv0.weight", new Shape(25, 1, 7, 7));
        m.put("conv0.bias", new Shape(25));
        m.put("unit1.w_gate_inh", new Shape(25, 25, k, k));
        m.put("unit1.w_gate_exc", new Shape(25, 25, k, k));
        for (String s : new String[] {"alpha", "gamma", "kappa", "w", "mu"}) {
            m.put("unit1." + s, new Shape(25, 1, 1));
        }
        m.put("unit1.u1_gate.weight", new Shape(25, 25, 1, 1));
        m.put("unit1.u1_gate.bias", new Shape(25));
        m.put("unit1.u2_gate.weight", new Shape(25, 25, 1, 1));
        m.put("unit1.u2_gate.bias", new Shape(25));
        for (int i = 0; i < 4; i++) {
            m.put("unit1.bn." + i + ".weight", new Shape(25));
            m.put("unit1.bn." + i + ".bias", new Shape(25));
        }
        m.put("bn.weight", new Shape(25));
        m.put("bn.bias", new Shape(25));
        m.put("conv6.weight", new Shape(2, 25, 1, 1));
        m.put("conv6.bias", new Shape(2));
        return m;
    }

    @Test
    void hgruKeyTableMatchesTheReference() {
        RecurrentNet net = PathfinderModels.hgru(15, 25, 6);
        Map<String, Parameter> keys = ReferenceWeights.referenceKeys(net);
        Map<String, Shape> expected = referenceHgru(15);
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(keys.keySet()));
        for (Map.Entry<String, Shape> e : expected.entrySet()) {
            assertEquals(e.getValue(), keys.get(e.getKey()).getShape(), e.getKey());
        }
        // every trainable parameter of the model has exactly one reference key
        assertEquals(net.getParameters().size(), keys.size());
        assertEquals(284_227L, keys.values().stream().mapToLong(p -> p.getShape().size()).sum());
    }

    /** The reference ConvLSTM model (models/convlstm.py): conv0, unit1.W{x,h}{i,f,c,o}, bn, conv6. */
    @Test
    void convLstmKeyTableMatchesTheReference() {
        RecurrentNet net = PathfinderModels.convLstm(15, 25, 6);
        Map<String, Parameter> keys = ReferenceWeights.referenceKeys(net);
        List<String> expected = new ArrayList<>(List.of("conv0.weight", "conv0.bias"));
        for (String g : new String[] {"i", "f", "c", "o"}) {
            expected.add("unit1.Wx" + g + ".weight");
            expected.add("unit1.Wx" + g + ".bias");
            expected.add("unit1.Wh" + g + ".weight");
        }
        expected.addAll(List.of("bn.weight", "bn.bias", "conv6.weight", "conv6.bias"));
        assertEquals(expected, new ArrayList<>(keys.keySet()));
        assertEquals(new Shape(25, 25, 15, 15), keys.get("unit1.Whc.weight").getShape());
        assertEquals(new Shape(25), keys.get("unit1.Wxo.bias").getShape());
        assertEquals(net.getParameters().size(), keys.size());
        assertEquals(1_126_452L, keys.values().stream().mapToLong(p -> p.getShape().size()).sum());
    }

    @Test
    void npzRoundTripGivesIdenticalPredictions(@TempDir Path dir) throws Exception {
        for (boolean lstm : new boolean[] {false, true}) {
            Path file = dir.resolve(lstm ? "convlstm.npz" : "hgru.npz");
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray image = manager.randomUniform(0f, 1f, INPUT);
                Engine.getInstance().setRandomSeed(1);
                RecurrentNet a = small(lstm);
                a.initialize(manager, DataType.FLOAT32, INPUT);
                ReferenceWeights.save(a, file);
                float[] before = predict(a, manager, image);

                Engine.getInstance().setRandomSeed(2);
                RecurrentNet b = small(lstm);
                b.initialize(manager, DataType.FLOAT32, INPUT);
                assertFalse(java.util.Arrays.equals(before, predict(b, manager, image)),
                        "differently initialised models should differ before loading");
                ReferenceWeights.load(b, file);
                assertArrayEquals(before, predict(b, manager, image), 0f);

                // the file holds the reference's names and shapes; a DataParallel prefix loads too
                NDList raw = NDList.decode(manager, Files.readAllBytes(file));
                List<String> names = new ArrayList<>();
                raw.forEach(x -> names.add(x.getName()));
                assertEquals(new ArrayList<>(ReferenceWeights.referenceKeys(a).keySet()), names);
                raw.forEach(x -> x.setName("module." + x.getName()));
                Path file2 = dir.resolve("prefixed.npz");
                Files.write(file2, raw.encode(NDList.Encoding.NPZ));
                Engine.getInstance().setRandomSeed(3);
                RecurrentNet c = small(lstm);
                c.initialize(manager, DataType.FLOAT32, INPUT);
                ReferenceWeights.load(c, file2);
                assertArrayEquals(before, predict(c, manager, image), 0f);

                // a missing key is an error naming it, and so is an unknown one
                raw.forEach(x -> x.setName(x.getName().substring("module.".length())));
                raw.remove("conv6.bias");
                Path file3 = dir.resolve("missing.npz");
                Files.write(file3, raw.encode(NDList.Encoding.NPZ));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> ReferenceWeights.load(c, file3));
                assertTrue(e.getMessage().contains("missing [conv6.bias]"), e.getMessage());
                NDArray extra = manager.zeros(new Shape(2));
                extra.setName("unit1.extra");
                raw.add(extra);
                raw.add(manager.zeros(new Shape(2)).toType(DataType.FLOAT32, false));
                raw.get(raw.size() - 1).setName("conv6.bias");
                Files.write(file3, raw.encode(NDList.Encoding.NPZ));
                e = assertThrows(IllegalArgumentException.class,
                        () -> ReferenceWeights.load(c, file3));
                assertTrue(e.getMessage().contains("unknown [unit1.extra]"), e.getMessage());
                // a failed load leaves the model as it was
                assertArrayEquals(before, predict(c, manager, image), 0f);
            }
        }
    }

    /** What numpy.load expects: one {@code <key>.npy} entry per parameter, .npy version 1.0. */
    @Test
    void savedFileIsNumpyCompatible(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("hgru.npz");
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = small(false);
            net.initialize(manager, DataType.FLOAT32, INPUT);
            ReferenceWeights.save(net, file);
            Map<String, Parameter> keys = ReferenceWeights.referenceKeys(net);
            List<String> entries = new ArrayList<>();
            try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
                for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                    entries.add(entry.getName());
                    byte[] npy = zip.readAllBytes();
                    assertEquals((byte) 0x93, npy[0]);
                    assertEquals("NUMPY",
                            new String(npy, 1, 5, java.nio.charset.StandardCharsets.US_ASCII));
                    int headerLen = (npy[8] & 0xff) | (npy[9] & 0xff) << 8;
                    String header = new String(npy, 10, headerLen,
                            java.nio.charset.StandardCharsets.US_ASCII);
                    Shape shape = keys.get(entry.getName().replace(".npy", "")).getShape();
                    assertTrue(header.contains("'descr': '<f4'"), header);
                    assertTrue(header.contains("'fortran_order': False"), header);
                    String dims = shape.dimension() == 1 ? shape.get(0) + ","
                            : java.util.Arrays.stream(shape.getShape()).mapToObj(Long::toString)
                                    .collect(java.util.stream.Collectors.joining(", "));
                    assertTrue(header.contains("'shape': (" + dims + ")"), header);
                    assertEquals(10 + headerLen + shape.size() * 4, npy.length, entry.getName());
                }
            }
            List<String> expected = new ArrayList<>();
            keys.keySet().forEach(k -> expected.add(k + ".npy"));
            assertEquals(expected, entries);
            // nothing left beside the file (the temporary file was moved into place)
            try (var listing = Files.list(dir)) {
                assertEquals(List.of(file), listing.toList());
            }
        }
    }

    @Test
    void djlModelSaveLoadGivesIdenticalPredictions(@TempDir Path dir) throws Exception {
        for (boolean lstm : new boolean[] {false, true}) {
            String name = lstm ? "convlstm" : "hgru";
            float[] before;
            try (NDManager manager = NDManager.newBaseManager();
                    Model model = Model.newInstance(name)) {
                Engine.getInstance().setRandomSeed(5);
                RecurrentNet net = small(lstm);
                model.setBlock(net);
                net.initialize(model.getNDManager(), DataType.FLOAT32, INPUT);
                Engine.getInstance().setRandomSeed(6);
                NDArray image = manager.randomUniform(0f, 1f, INPUT);
                before = predict(net, manager, image);
                model.save(dir, name);
                try (Model loaded = Model.newInstance(name)) {
                    Engine.getInstance().setRandomSeed(7);
                    RecurrentNet fresh = small(lstm);
                    loaded.setBlock(fresh);
                    fresh.initialize(loaded.getNDManager(), DataType.FLOAT32, INPUT);
                    loaded.load(dir, name);
                    // the weights come back bit for bit ...
                    List<Parameter> saved = new ArrayList<>(net.getParameters().values());
                    List<Parameter> back = new ArrayList<>(fresh.getParameters().values());
                    assertEquals(saved.size(), back.size());
                    for (int i = 0; i < saved.size(); i++) {
                        assertArrayEquals(saved.get(i).getArray().toFloatArray(),
                                back.get(i).getArray().toFloatArray(), 0f, saved.get(i).getName());
                    }
                    // ... and the predictions agree to float rounding (the CPU kernels may pick
                    // another summation order for arrays at other addresses)
                    assertArrayEquals(before, predict(fresh, manager, image), 1e-5f);
                }
            }
        }
    }

    private static RecurrentNet small(boolean lstm) {
        return lstm ? PathfinderModels.convLstm(3, 4, 3) : PathfinderModels.hgru(3, 4, 3);
    }

    private static float[] predict(RecurrentNet net, NDManager manager, NDArray image) {
        try (NDManager scope = manager.newSubManager()) {
            NDList out = net.forward(new ParameterStore(scope, false), new NDList(image), false);
            return out.head().toFloatArray();
        }
    }
}
