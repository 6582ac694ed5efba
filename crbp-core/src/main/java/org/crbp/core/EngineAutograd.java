/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.function.Supplier;

/**
 * The only class in crbp that touches PyTorch-engine internals.
 *
 * <p>DJL's public autograd offers {@code GradientCollector.backward(target)} only: seeded with
 * ones, graph freed afterwards. Vector-Jacobian products need a backward with a chosen cotangent
 * that keeps the graph for the next product; PyTorch's engine has it. Second-order backward
 * ({@code create_graph}) is deliberately not exposed: in DJL it leaks native memory, and the
 * penalty's gradient is taken by finite differences of first-order passes instead.
 */
final class EngineAutograd {

    /** The engine name RBP and the penalty need. */
    static final String PYTORCH = "PyTorch";

    private EngineAutograd() {}

    /**
     * Throws a clear error unless {@code array} lives on the PyTorch engine.
     *
     * @param array an array of the batch
     * @param what the feature that needs the engine, for the message
     */
    static void requireSupport(NDArray array, String what) {
        if (!(array instanceof PtNDArray)) {
            NDManager manager = array.getManager();
            String engine =
                    manager == null || manager.getEngine() == null
                            ? array.getClass().getName()
                            : manager.getEngine().getEngineName();
            throw new UnsupportedOperationException(
                    what
                            + " needs the PyTorch engine (ai.djl.pytorch:pytorch-engine) for its"
                            + " vector-Jacobian products, but the data is on the "
                            + engine
                            + " engine. Create the model and data with"
                            + " Engine.getEngine(\"PyTorch\") or make PyTorch the default engine.");
        }
    }

    /**
     * Returns whether the default engine supports the vector-Jacobian products crbp needs.
     *
     * @return whether the default engine is PyTorch
     */
    static boolean defaultEngineSupported() {
        return PYTORCH.equals(Engine.getInstance().getEngineName());
    }

    /**
     * Returns whether {@code array} lives on an engine that supports vector-Jacobian products.
     *
     * @param array an array
     * @return whether the array is a PyTorch array
     */
    static boolean supports(NDArray array) {
        return array instanceof PtNDArray;
    }

    /**
     * Adds {@code cotangent^T d target / d leaf} into the gradient of every leaf that requires
     * one, keeping the graph when asked so that further products can follow.
     *
     * @param target the output to differentiate
     * @param cotangent the vector of the product, shaped like {@code target}
     * @param keepGraph whether to keep the graph for another backward
     */
    static void backward(NDArray target, NDArray cotangent, boolean keepGraph) {
        JniUtils.backward((PtNDArray) target, (PtNDArray) cotangent, keepGraph, false);
    }

    /**
     * Runs {@code body} with the engine recording operations on this thread (whatever the
     * caller's mode), and restores the caller's mode after it.
     *
     * @param body the work to record
     * @param <T> its result's type
     * @return what {@code body} returns
     */
    static <T> T recorded(Supplier<T> body) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try {
            return body.get();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /**
     * Sets the accumulated gradient of a leaf to zero, in place.
     *
     * @param leaf an array that requires a gradient
     */
    static void zeroGradient(NDArray leaf) {
        JniUtils.zeroGrad((PtNDArray) leaf);
    }
}
