/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.Test;

/**
 * The CPU convolution on channel counts that are not a multiple of the library's block: the
 * same values and gradients as the unpadded convolution in float64, and finite input gradients
 * in float32 over repeated trials (the engine's own padding returned NaN in 6 of 20 trials at 8
 * channels on an AVX-512 CPU).
 */
class SameConv2dPaddingTest {

    @Test
    void paddedConvolutionEqualsThePlainOneInValueAndGradient() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(11);
            NDArray x64 = manager.randomNormal(0f, 1f, new Shape(3, 8, 12, 12), DataType.FLOAT64);
            NDArray w64 = manager.randomNormal(0f, 0.2f, new Shape(5, 8, 5, 5), DataType.FLOAT64);
            NDArray b64 = manager.randomNormal(0f, 1f, new Shape(5), DataType.FLOAT64);
            NDArray r64 = manager.randomNormal(0f, 1f, new Shape(3, 5, 12, 12), DataType.FLOAT64);
            // float64 takes the plain route, float32 the padded one (8 and 5 channels) when the
            // padding is asked for (it is off by default)
            double[][] plain = valueAndGradients(x64, w64, b64, r64);
            NDArray x = x64.toType(DataType.FLOAT32, false);
            assertTrue(org.crbp.core.Convolutions.needsChannelPadding(x, 8, 5));
            String property = org.crbp.core.Convolutions.PAD_CHANNELS_PROPERTY;
            String saved = System.getProperty(property);
            double[][] padded;
            try {
                System.setProperty(property, "true");
                padded = valueAndGradients(x, w64.toType(DataType.FLOAT32, false),
                        b64.toType(DataType.FLOAT32, false), r64.toType(DataType.FLOAT32, false));
            } finally {
                if (saved == null) {
                    System.clearProperty(property);
                } else {
                    System.setProperty(property, saved);
                }
            }
            for (int i = 0; i < plain.length; i++) {
                assertEquals(plain[i].length, padded[i].length);
                for (int j = 0; j < plain[i].length; j++) {
                    assertEquals(plain[i][j], padded[i][j], 1e-4 * (1 + Math.abs(plain[i][j])),
                            "array " + i + " element " + j);
                }
            }
        }
    }

    @Test
    void inputGradientsStayFiniteAtEightChannels() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            NDArray w = manager.randomNormal(0f, 0.1f, new Shape(8, 8, 5, 5), DataType.FLOAT32);
            w.setRequiresGradient(true);
            for (int trial = 0; trial < 20; trial++) {
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = scope.randomNormal(new Shape(16, 8, 64, 64));
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(SameConv2d.conv(x, w, null).sum());
                    }
                    assertFalse(x.getGradient().isNaN().any().getBoolean(), "trial " + trial);
                    assertFalse(x.getGradient().isInfinite().any().getBoolean(), "trial " + trial);
                }
            }
        }
    }

    private static double[][] valueAndGradients(NDArray x0, NDArray w0, NDArray b0, NDArray r) {
        NDArray x = x0.duplicate();
        NDArray w = w0.duplicate();
        NDArray b = b0.duplicate();
        x.setRequiresGradient(true);
        w.setRequiresGradient(true);
        b.setRequiresGradient(true);
        double[] y;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray out = SameConv2d.conv(x, w, b);
            y = out.toType(DataType.FLOAT64, false).toDoubleArray();
            gc.backward(out.mul(r).sum());
        }
        return new double[][] {y, grad(x), grad(w), grad(b)};
    }

    private static double[] grad(NDArray a) {
        return a.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
    }
}
