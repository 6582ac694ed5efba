/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;

import org.crbp.core.RecurrentNet;
import org.junit.jupiter.api.Test;

/** The building blocks: batch-statistics norm, initial values, shapes, builder validation. */
class BlocksTest {

    @Test
    void batchStatsNormUsesBatchStatisticsInEvaluationToo() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            Shape shape = new Shape(3, 2, 4, 5);
            BatchStatsNorm bn = BatchStatsNorm.builder().setChannels(2).build();
            bn.initialize(manager, DataType.FLOAT64, shape);
            NDArray x = manager.randomNormal(2f, 3f, shape, DataType.FLOAT64);
            ParameterStore ps = new ParameterStore(manager, false);
            double[] train = bn.forward(ps, new NDList(x), true).head().toDoubleArray();
            double[] eval = bn.forward(ps, new NDList(x), false).head().toDoubleArray();
            double[] again = bn.forward(ps, new NDList(x), false).head().toDoubleArray();
            assertArrayEquals(train, eval, 0.0);
            assertArrayEquals(eval, again, 0.0);
            // per channel: mean 0 and variance var / (var + eps) with weight 1, bias 0
            for (int c = 0; c < 2; c++) {
                double mean = 0;
                double sq = 0;
                int n = 0;
                for (int b = 0; b < 3; b++) {
                    for (int i = 0; i < 20; i++) {
                        double v = train[(b * 2 + c) * 20 + i];
                        mean += v;
                        sq += v * v;
                        n++;
                    }
                }
                mean /= n;
                assertEquals(0.0, mean, 1e-12);
                assertEquals(1.0, sq / n - mean * mean, 1e-3);
            }
            // only trainable parameters, no running statistics
            assertEquals(2, bn.getParameters().size());
        }
    }

    @Test
    void hgruInitialValuesFollowTheReferenceCode() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(4);
            HgruCell cell = HgruCell.builder().optChannels(25).optKernel(3).build();
            Shape shape = new Shape(1, 25, 6, 6);
            cell.initialize(manager, DataType.FLOAT32, shape, shape);
            float[] b1 = cell.getDirectParameters().get("u1_bias").getArray().toFloatArray();
            float[] b2 = cell.getDirectParameters().get("u2_bias").getArray().toFloatArray();
            for (int i = 0; i < 25; i++) {
                assertEquals(true, b1[i] >= 1f && b1[i] <= 7f, "b1 in [1, 7]: " + b1[i]);
                assertEquals(-b1[i], b2[i], 0f);
            }
            assertConstant(cell, "alpha", 0.1f);
            assertConstant(cell, "mu", 1f);
            assertConstant(cell, "gamma", 1f);
            assertConstant(cell, "kappa", 0.5f);
            assertConstant(cell, "w", 0.5f);
            for (int i = 0; i < 4; i++) {
                assertConstant(cell, "bn" + i + "_weight", 0.1f);
                assertConstant(cell, "bn" + i + "_bias", 0f);
            }
            // orthogonal horizontal kernels: the 25 flattened filters are orthonormal
            NDArray w = cell.getDirectParameters().get("w_gate_inh").getArray().reshape(25, -1);
            float[] gram = w.matMul(w.transpose()).toFloatArray();
            for (int i = 0; i < 25; i++) {
                for (int j = 0; j < 25; j++) {
                    assertEquals(i == j ? 1f : 0f, gram[i * 25 + j], 1e-5f);
                }
            }
        }
    }

    private static void assertConstant(HgruCell cell, String name, float value) {
        for (float v : cell.getDirectParameters().get(name).getArray().toFloatArray()) {
            assertEquals(value, v, 0f, name);
        }
    }

    @Test
    void readoutInitialisation() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SegmentationReadout readout = new SegmentationReadout(25, 2);
            readout.initialize(manager, DataType.FLOAT32, new Shape(1, 25, 4, 4));
            for (float b : readout.getConv().getBias().getArray().toFloatArray()) {
                assertEquals(Math.log(99), b, 1e-6);
            }
            assertConstant(readout.getNorm().getWeight().getArray().toFloatArray(), 1f);
            assertConstant(readout.getNorm().getBias().getArray().toFloatArray(), 0f);
        }
    }

    private static void assertConstant(float[] values, float value) {
        for (float v : values) {
            assertEquals(value, v, 0f);
        }
    }

    @Test
    void modelsMapImagesToTwoClassLogits() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape in = new Shape(2, 1, 10, 10);
            NDArray image = manager.randomUniform(0f, 1f, in);
            ParameterStore ps = new ParameterStore(manager, false);
            for (RecurrentNet net : new RecurrentNet[] {
                PathfinderModels.hgru(3, 4, 3), PathfinderModels.convLstm(3, 4, 3)
            }) {
                net.initialize(manager, DataType.FLOAT32, in);
                assertEquals(new Shape(2, 2, 10, 10),
                        net.forward(ps, new NDList(image), false).head().getShape());
            }
            SequentialBlock ff = PathfinderModels.feedforward(3, 4);
            ff.initialize(manager, DataType.FLOAT32, in);
            assertEquals(new Shape(2, 2, 10, 10),
                    ff.forward(ps, new NDList(image), true).head().getShape());
            // conv0 196, bn0 8, six blocks of (16*9 + 4) + 8, conv 4*2 + 2
            assertEquals(7 * 7 * 4 + 8 + 6 * (16 * 9 + 4 + 8) + 4 * 2 + 2,
                    PathfinderModels.countParameters(ff));
        }
    }

    @Test
    void buildersRejectBadSizes() {
        assertThrows(IllegalArgumentException.class, () -> HgruCell.builder().optKernel(4).build());
        assertThrows(IllegalArgumentException.class, () -> HgruCell.builder().optChannels(0).build());
        assertThrows(IllegalArgumentException.class, () -> ConvLstmCell.builder().optKernel(0).build());
        assertThrows(IllegalArgumentException.class, () -> BatchStatsNorm.builder().build());
        assertThrows(IllegalArgumentException.class,
                () -> SameConv2d.builder().setInChannels(1).setOutChannels(1).build());
        assertThrows(IllegalArgumentException.class, () -> new FocalLoss("f", -1f));
    }
}
