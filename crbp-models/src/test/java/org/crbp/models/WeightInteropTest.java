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
import org.crbp.models.io.Npz;
import org.crbp.models.io.ReferenceWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
                Map<String, NDArray> raw = Npz.read(file, manager);
                assertEquals(ReferenceWeights.referenceKeys(a).keySet(), raw.keySet());
                Map<String, NDArray> prefixed = new LinkedHashMap<>();
                raw.forEach((k, v) -> prefixed.put("module." + k, v));
                Path file2 = dir.resolve("prefixed.npz");
                Npz.write(file2, prefixed);
                Engine.getInstance().setRandomSeed(3);
                RecurrentNet c = small(lstm);
                c.initialize(manager, DataType.FLOAT32, INPUT);
                ReferenceWeights.load(c, file2);
                assertArrayEquals(before, predict(c, manager, image), 0f);

                // a missing key is an error naming it
                raw.remove("conv6.bias");
                Path file3 = dir.resolve("missing.npz");
                Npz.write(file3, raw);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> ReferenceWeights.load(c, file3));
                assertTrue(e.getMessage().contains("conv6.bias"), e.getMessage());
            }
        }
    }

    @Test
    void npyHeaderIsNumpyCompatible() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new double[] {1.5, -2, 3, 4, 5, 6}, new Shape(2, 3));
            byte[] npy = Npz.toNpy(a);
            // magic, version 1.0, header length, header padded so the data starts at 64
            assertEquals((byte) 0x93, npy[0]);
            assertEquals("NUMPY", new String(npy, 1, 5, java.nio.charset.StandardCharsets.US_ASCII));
            int headerLen = (npy[8] & 0xff) | (npy[9] & 0xff) << 8;
            assertEquals(0, (10 + headerLen) % 64);
            String header = new String(npy, 10, headerLen, java.nio.charset.StandardCharsets.US_ASCII);
            assertEquals("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
                    header.trim());
            assertEquals(10 + headerLen + 6 * 8, npy.length);
            NDArray back = Npz.fromNpy(npy, manager, "a");
            assertEquals(a.getShape(), back.getShape());
            assertArrayEquals(a.toDoubleArray(), back.toDoubleArray(), 0.0);
            NDArray v = manager.create(new float[] {1, 2, 3});
            String h1 = new String(Npz.toNpy(v), 10, 54, java.nio.charset.StandardCharsets.US_ASCII);
            assertTrue(h1.contains("'shape': (3,)"), h1);
            assertTrue(h1.contains("'<f4'"), h1);
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
