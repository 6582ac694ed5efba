/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Trainable parameter counts equal the reference's (PyTorch counts: no running statistics). */
class ParameterCountTest {

    @ParameterizedTest(name = "hGRU kernel {0}: {1}")
    @CsvSource({"15, 284227", "9, 104227", "5, 34227", "3, 14227"})
    void hgru(int kernel, long expected) {
        assertEquals(expected, PathfinderModels.countParameters(PathfinderModels.hgru(kernel, 25, 6)));
    }

    @Test
    void convLstm() {
        assertEquals(1_126_452L, PathfinderModels.countParameters(PathfinderModels.convLstm(15, 25, 6)));
    }

    @Test
    void feedforwardControl() {
        SequentialBlock ff = PathfinderModels.feedforward(15, 25);
        try (NDManager manager = NDManager.newBaseManager()) {
            ff.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 16, 16));
            assertEquals(845_527L, PathfinderModels.countParameters(ff));
        }
    }
}
