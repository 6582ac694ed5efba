/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.io;

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
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.util.Pair;

import org.crbp.core.RecurrentNet;
import org.crbp.models.HgruCell;
import org.crbp.models.PathfinderModels;
import org.crbp.models.SegmentationEvaluator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * Loading checkpoints written in the {@code crbp train} format: {@code
 * checkpoints/epoch-NNN/crbp-NNNN.params}, {@code state.json} with the run's {@code config} and
 * the files' sizes and SHA-256, and {@code state.sha256}.
 */
class TrainedModelTest {

    private static final Shape INPUT = new Shape(4, 1, 12, 12);

    @ParameterizedTest
    @ValueSource(strings = {"hgru", "convlstm", "ff"})
    void loadsTheWeightsAndSettingsOfTheLatestCheckpoint(String kind, @TempDir Path run)
            throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray images = manager.randomUniform(0f, 1f, INPUT);
            // two checkpoints with different weights; epoch-1000 sorts before epoch-999 as text
            Map<String, float[]> older = writeCheckpoint(run, kind, 999, 1, images, manager);
            Map<String, float[]> latest = writeCheckpoint(run, kind, 1000, 2, images, manager);
            float[] expected = latest.get("predictions");

            try (TrainedModel trained = TrainedModel.load(run)) {
                assertEquals(run.resolve("checkpoints").resolve("epoch-1000"),
                        trained.getCheckpoint());
                assertEquals(1000, trained.getEpoch());
                assertEquals(kind, trained.getModelName());
                assertEquals(!"ff".equals(kind), trained.isRecurrent());
                assertEquals(3, trained.getKernel());
                assertEquals(4, trained.getChannels());
                assertEquals(3, trained.getSteps());
                assertEquals(4, trained.getBatchSize());
                assertEquals(7L, trained.getSeed());
                assertEquals(8, trained.getTestSize());
                assertEquals("pf-mini-20", trained.getPreset());
                if (trained.isRecurrent()) {
                    assertEquals(3, ((RecurrentNet) trained.getBlock()).getSteps());
                }
                // every parameter by name, so that two of one shape swapped would show
                for (Pair<String, Parameter> p : trained.getBlock().getParameters()) {
                    assertArrayEquals(latest.get(p.getKey()),
                            p.getValue().getArray().toFloatArray(), 0f, p.getKey());
                }
                float[] predicted = trained.predict(new NDList(images)).head().toFloatArray();
                assertArrayEquals(expected, predicted, 0f);
                assertFalse(java.util.Arrays.equals(older.get("predictions"), predicted),
                        "the older checkpoint's weights predict differently");
            }
            // the older checkpoint, named directly
            try (TrainedModel trained = TrainedModel.load(
                    run.resolve("checkpoints").resolve("epoch-999"))) {
                assertEquals(999, trained.getEpoch());
                assertArrayEquals(older.get("predictions"),
                        trained.predict(new NDList(images)).head().toFloatArray(), 0f);
            }
        }
    }

    @Test
    void confusionSumsTheCountsOfEveryBatch(@TempDir Path run) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray images = manager.randomUniform(0f, 1f, new Shape(8, 1, 12, 12));
            NDArray labels = manager.randomUniform(0f, 1f, new Shape(8, 12, 12)).gt(0.7f)
                    .toType(DataType.FLOAT32, false);
            writeCheckpoint(run, "hgru", 1, 3, images.get("0:4"), manager);
            try (TrainedModel trained = TrainedModel.load(run)) {
                ArrayDataset set = new ArrayDataset.Builder().setData(images)
                        .optLabels(labels).setSampling(4, false).build();
                long[] counts = trained.confusion(set);
                long[] expected = new long[4];
                for (String rows : new String[] {"0:4", "4:8"}) {
                    long[] c = SegmentationEvaluator.confusion(new NDList(labels.get(rows)),
                            trained.predict(new NDList(images.get(rows))));
                    for (int i = 0; i < 4; i++) {
                        expected[i] += c[i];
                    }
                }
                assertArrayEquals(expected, counts);
                assertEquals(8 * 12 * 12, counts[0] + counts[1] + counts[2] + counts[3]);
            }
        }
    }

    @Test
    void refusesACheckpointThatChangedAfterItWasWritten(@TempDir Path run) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray images = manager.randomUniform(0f, 1f, INPUT);
            writeCheckpoint(run, "hgru", 1, 1, images, manager);
        }
        Path dir = run.resolve("checkpoints").resolve("epoch-001");
        Path params = dir.resolve("crbp-0001.params");
        byte[] bytes = Files.readAllBytes(params);
        bytes[bytes.length - 1] ^= 1;
        Files.write(params, bytes);
        IOException e = assertThrows(IOException.class, () -> TrainedModel.load(run));
        assertTrue(e.getMessage().contains("crbp-0001.params does not match the SHA-256"),
                e.getMessage());

        Path state = dir.resolve("state.json");
        Files.writeString(state, Files.readString(state).replace("\"kernel\": 3",
                "\"kernel\": 5"));
        e = assertThrows(IOException.class, () -> TrainedModel.load(dir));
        assertTrue(e.getMessage().contains("state.json does not match the SHA-256"),
                e.getMessage());
    }

    @Test
    void namesWhatIsMissing(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class,
                () -> TrainedModel.load(dir.resolve("nothing")));
        assertTrue(e.getMessage().startsWith("checkpoint not found"), e.getMessage());
        e = assertThrows(IOException.class, () -> TrainedModel.load(dir));
        assertTrue(e.getMessage().contains("holds no checkpoint"), e.getMessage());
    }

    /**
     * Writes a checkpoint as the program does: DJL's parameter file, state.json with the config
     * and the files' records, state.sha256.
     *
     * @return the parameters' values by name, and the predictions on {@code images} under
     *     "predictions"
     */
    private static Map<String, float[]> writeCheckpoint(Path run, String kind, int epoch,
            int seed, NDArray images, NDManager manager) throws Exception {
        Engine.getInstance().setRandomSeed(seed);
        Block block = "hgru".equals(kind)
                ? PathfinderModels.hgru(3, 4, 3, HgruCell.GateInit.CHRONOS, 0.2)
                : "convlstm".equals(kind) ? PathfinderModels.convLstm(3, 4, 3)
                        : PathfinderModels.feedforward(3, 4);
        Map<String, float[]> values = new HashMap<>();
        String name = String.format(Locale.ROOT, "epoch-%03d", epoch);
        Path dir = Files.createDirectories(run.resolve("checkpoints").resolve(name));
        try (Model model = Model.newInstance("crbp")) {
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, INPUT);
            // the gate floor and the gates' initialisation differ from the defaults, so that a
            // loader that ignored them would build another model; random values for every
            // parameter, so that no two of one shape are alike
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray a = p.getValue().getArray();
                NDArray random = manager.randomNormal(a.getShape()).mul(0.3f);
                // a batch norm's running variance must stay positive
                a.set((p.getKey().endsWith("runningVar") ? random.abs().add(0.5f) : random)
                        .toFloatArray());
                values.put(p.getKey(), a.toFloatArray());
            }
            ParameterStore ps = new ParameterStore(manager, false);
            NDList out = block instanceof RecurrentNet
                    ? ((RecurrentNet) block).forward(ps, new NDList(images), 3, false)
                    : block.forward(ps, new NDList(images), false);
            values.put("predictions", out.head().toFloatArray());
            for (float v : values.get("predictions")) {
                assertTrue(Float.isFinite(v), "the random weights give finite predictions");
            }
            model.setProperty("Epoch", Integer.toString(epoch));
            model.save(dir, "crbp");
        }
        Files.write(dir.resolve("optimizer.bin"), new byte[] {0});
        String params = String.format(Locale.ROOT, "crbp-%04d.params", epoch);
        String state = "{\n"
                + "  \"epoch\": " + epoch + ",\n"
                + "  \"batchesInEpoch\": 0,\n"
                + "  \"config\": {\n"
                + "    \"recipe\": \"cpu\",\n"
                + "    \"preset\": \"pf-mini-20\",\n"
                + "    \"model\": \"" + kind + "\",\n"
                + "    \"method\": \"" + ("ff".equals(kind) ? "bptt" : "crbp") + "\",\n"
                + "    \"steps\": 3,\n"
                + "    \"kernel\": 3,\n"
                + "    \"channels\": 4,\n"
                + "    \"batch\": 4,\n"
                + "    \"testSize\": 8,\n"
                + "    \"gateInit\": \"chronos\",\n"
                + "    \"gateFloor\": 0.2,\n"
                + "    \"seed\": 7\n"
                + "  },\n"
                + "  \"history\": [{\"epoch\": 1, \"validationLoss\": NaN}],\n"
                + "  \"files\": {\n"
                + "    \"" + params + "\": " + record(dir.resolve(params)) + ",\n"
                + "    \"optimizer.bin\": " + record(dir.resolve("optimizer.bin")) + "\n"
                + "  }\n"
                + "}";
        Files.writeString(dir.resolve("state.json"), state, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("state.sha256"),
                sha256(dir.resolve("state.json")) + "  state.json\n", StandardCharsets.UTF_8);
        return values;
    }

    private static String record(Path file) throws Exception {
        return "{\"bytes\": " + Files.size(file) + ", \"sha256\": \"" + sha256(file) + "\"}";
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
