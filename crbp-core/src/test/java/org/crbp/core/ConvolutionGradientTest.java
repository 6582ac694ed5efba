/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.function.Predicate;

/**
 * The CPU convolution without channel padding: its float32 input gradients at the shapes that
 * once returned NaN (3, 4 and 8 channels), and the guard that pads a configuration whose
 * gradient is not finite. Surefire runs this class without the CPU kernel limits of the other
 * tests, so that the engine's AVX-512 kernels are the ones checked.
 */
class ConvolutionGradientTest {

    private NDManager manager;
    private String savedProperty;
    private Predicate<NDArray> savedCheck;

    @BeforeEach
    void setUp() {
        Engine.getInstance().setRandomSeed(7);
        manager = NDManager.newBaseManager();
        savedProperty = System.getProperty(Convolutions.PAD_CHANNELS_PROPERTY);
        savedCheck = Convolutions.gradientCheck;
        Convolutions.forgetGuardVerdicts();
    }

    @AfterEach
    void tearDown() {
        if (savedProperty == null) {
            System.clearProperty(Convolutions.PAD_CHANNELS_PROPERTY);
        } else {
            System.setProperty(Convolutions.PAD_CHANNELS_PROPERTY, savedProperty);
        }
        Convolutions.gradientCheck = savedCheck;
        Convolutions.forgetGuardVerdicts();
        manager.close();
    }

    @Test
    void theUnpaddedConvolutionIsTheDefault() {
        System.clearProperty(Convolutions.PAD_CHANNELS_PROPERTY);
        Shape xs = new Shape(2, 4, 6, 6);
        Shape ws = new Shape(4, 4, 3, 3);
        double[][] got = valueAndInputGradient(xs, ws, DataType.FLOAT32);
        // the guard ran at this configuration's first recorded use and found nothing to pad
        assertEquals(Boolean.FALSE, Convolutions.guardVerdict(xs, ws));
        assertMatchesFloat64(got, xs, ws);
    }

    @Test
    void theGuardPadsAConfigurationWhoseGradientIsNotFinite() {
        System.clearProperty(Convolutions.PAD_CHANNELS_PROPERTY);
        int[] checked = new int[1];
        Convolutions.gradientCheck = gradient -> {
            checked[0]++;
            return false; // as if the engine had returned NaN
        };
        Shape xs = new Shape(2, 3, 5, 5);
        Shape ws = new Shape(5, 3, 3, 3);
        double[][] got = valueAndInputGradient(xs, ws, DataType.FLOAT32);
        assertEquals(Boolean.TRUE, Convolutions.guardVerdict(xs, ws));
        assertEquals(1, checked[0], "the guard stops at the first bad gradient");
        // padded to 16 channels, the values and gradients are still the convolution's
        assertMatchesFloat64(got, xs, ws);
        // the verdict is kept: the next call pads without checking again
        valueAndInputGradient(xs, ws, DataType.FLOAT32);
        assertEquals(1, checked[0]);
    }

    @Test
    void theGuardRunsAtTheFirstUseEvenWithoutRecording() {
        System.clearProperty(Convolutions.PAD_CHANNELS_PROPERTY);
        NDArray x = manager.randomNormal(new Shape(2, 4, 6, 6));
        NDArray w = manager.randomNormal(new Shape(4, 4, 3, 3));
        // an inference call (nothing recorded by the caller) still gets its verdict, and the
        // caller's mode is left as it was: the result has no graph to backpropagate
        boolean modeBefore = JniUtils.isGradMode();
        NDArray y = Convolutions.same(x, w, null);
        assertEquals(modeBefore, JniUtils.isGradMode(), "the caller's recording mode is restored");
        assertEquals(Boolean.FALSE, Convolutions.guardVerdict(x.getShape(), w.getShape()));
        assertThrows(ai.djl.engine.EngineException.class,
                () -> EngineAutograd.backward(y.sum(), manager.ones(new Shape()), false));
        Convolutions.forgetGuardVerdicts();
        System.setProperty(Convolutions.PAD_CHANNELS_PROPERTY, "false");
        valueAndInputGradient(x.getShape(), w.getShape(), DataType.FLOAT32);
        assertNull(Convolutions.guardVerdict(x.getShape(), w.getShape()), "false skips the guard");
    }

    /**
     * Once-faulty shapes, unpadded, as RBP uses them: a fresh leaf (stopGradient, then
     * setRequiresGradient), several products through one graph kept between them, the leaf's
     * gradient zeroed in between, the weight's gradient taken too; with one and two threads.
     * On the build machine this found no non-finite gradient (libtorch 2.7.1); it is here to
     * catch the fault's return with another engine build or CPU.
     */
    @Test
    void unpaddedFloat32GradientsStayFiniteAtOnceFaultyShapes() {
        System.setProperty(Convolutions.PAD_CHANNELS_PROPERTY, "false");
        long[][] shapes = {
            {2, 3, 6, 6, 3, 20}, {2, 4, 6, 6, 3, 20}, {2, 8, 16, 16, 5, 10}, {16, 8, 64, 64, 5, 2}
        };
        int threads = JniUtils.getNumThreads();
        try {
            for (int t : new int[] {1, 2}) {
                JniUtils.setNumThreads(t);
                for (long[] s : shapes) {
                    for (int trial = 0; trial < s[5]; trial++) {
                        assertTrue(finiteProducts(new Shape(s[0], s[1], s[2], s[3]),
                                new Shape(s[1], s[1], s[4], s[4]), 5),
                                "non-finite gradient at input (" + s[0] + ", " + s[1] + ", "
                                        + s[2] + ", " + s[3] + "), kernel " + s[4] + ", "
                                        + t + " threads, trial " + trial);
                    }
                }
            }
        } finally {
            JniUtils.setNumThreads(threads);
        }
    }

    private boolean finiteProducts(Shape xs, Shape ws, int products) {
        try (NDManager scope = manager.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray leaf = scope.randomUniform(-1, 1, xs).stopGradient();
            leaf.attach(scope);
            leaf.setRequiresGradient(true);
            NDArray w = scope.randomNormal(0f, (float) (1 / Math.sqrt(ws.size() / ws.get(0))),
                    ws, DataType.FLOAT32);
            w.setRequiresGradient(true);
            NDArray y = Convolutions.same(leaf, w, null).tanh();
            for (int i = 0; i < products; i++) {
                NDArray cotangent = scope.randomNormal(y.getShape());
                EngineAutograd.zeroGradient(leaf);
                EngineAutograd.zeroGradient(w);
                EngineAutograd.backward(y, cotangent, i < products - 1);
                for (NDArray g : new NDArray[] {leaf.getGradient(), w.getGradient()}) {
                    try (g;
                            NDArray bad = g.isNaN().logicalOr(g.isInfinite());
                            NDArray any = bad.any()) {
                        if (any.getBoolean()) {
                            return false;
                        }
                    }
                }
            }
            return true;
        }
    }

    /**
     * The output and the input gradient of {@code same(x, w)} against a fixed cotangent, from
     * the seed set in setUp (the same values at every call with the same shapes).
     */
    private double[][] valueAndInputGradient(Shape xs, Shape ws, DataType type) {
        Engine.getInstance().setRandomSeed(13);
        try (NDManager scope = manager.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray x = scope.randomNormal(0f, 1f, xs, DataType.FLOAT64).toType(type, false);
            NDArray w = scope.randomNormal(0f, 0.3f, ws, DataType.FLOAT64).toType(type, false);
            NDArray r = scope.randomNormal(0f, 1f, new Shape(xs.get(0), ws.get(0), xs.get(2),
                    xs.get(3)), DataType.FLOAT64).toType(type, false);
            x.setRequiresGradient(true);
            w.setRequiresGradient(true);
            NDArray y = Convolutions.same(x, w, null);
            collector.backward(y.mul(r).sum());
            try (NDArray g = x.getGradient()) {
                return new double[][] {
                    y.toType(DataType.FLOAT64, false).toDoubleArray(),
                    g.toType(DataType.FLOAT64, false).toDoubleArray()
                };
            }
        }
    }

    /** Compares with float64 (which never pads) to 1e-4 relative. */
    private void assertMatchesFloat64(double[][] got, Shape xs, Shape ws) {
        double[][] reference = valueAndInputGradient(xs, ws, DataType.FLOAT64);
        for (int i = 0; i < reference.length; i++) {
            assertEquals(reference[i].length, got[i].length);
            for (int j = 0; j < reference[i].length; j++) {
                assertEquals(reference[i][j], got[i][j], 1e-4 * (1 + Math.abs(reference[i][j])),
                        (i == 0 ? "value " : "input gradient ") + j);
            }
        }
    }
}
