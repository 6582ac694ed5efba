/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** The convLSTM names the state tensors RBP runs on: h only by default, as the reference. */
class ConvLstmImplicitStateTest {

    @Test
    void hiddenOnlyByDefaultWholeStateOnRequest() {
        ConvLstmCell byDefault = ConvLstmCell.builder().optChannels(2).optKernel(3).build();
        assertEquals(ConvLstmCell.ImplicitState.HIDDEN, byDefault.getImplicitState());
        assertArrayEquals(new int[] {0}, byDefault.getImplicitStateIndices());
        ConvLstmCell both = ConvLstmCell.builder().optChannels(2).optKernel(3)
                .optImplicitState(ConvLstmCell.ImplicitState.HIDDEN_AND_CELL).build();
        assertArrayEquals(new int[] {0, 1}, both.getImplicitStateIndices());
        assertThrows(IllegalArgumentException.class,
                () -> ConvLstmCell.builder().optImplicitState(null).build());
    }

    @Test
    void theChoiceLeavesParametersAsTheyWere() {
        // saved weights load either way: same names, same shapes
        try (NDManager manager = NDManager.newBaseManager()) {
            List<String> names = new ArrayList<>();
            for (ConvLstmCell.ImplicitState s : ConvLstmCell.ImplicitState.values()) {
                ConvLstmCell cell = ConvLstmCell.builder().optChannels(2).optKernel(3)
                        .optImplicitState(s).build();
                Shape d = new Shape(1, 2, 4, 4);
                cell.initialize(manager, DataType.FLOAT32, d, d, d);
                StringBuilder sb = new StringBuilder();
                for (Pair<String, Parameter> p : cell.getParameters()) {
                    sb.append(p.getKey()).append(p.getValue().getArray().getShape()).append(';');
                }
                names.add(sb.toString());
            }
            assertEquals(names.get(0), names.get(1));
        }
    }
}
