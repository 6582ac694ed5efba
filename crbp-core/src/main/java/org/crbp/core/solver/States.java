/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.solver;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Helpers for states made of several tensors: flattening for vector solvers, and freeing. Only
 * {@link #closeExcept} is public: the network's unrolls free their intermediate states with it too.
 */
public final class States {

    private States() {}

    /** Returns the state as one {@code (batch, size)} array (a new array, in the manager). */
    static NDArray flatten(NDList state, NDManager manager) {
        long batch = state.head().getShape().get(0);
        NDList parts = new NDList(state.size());
        for (NDArray a : state) {
            parts.add(a.reshape(batch, -1));
        }
        NDArray flat = parts.size() == 1 ? parts.head().duplicate() : NDArrays.concat(parts, 1);
        flat.attach(manager);
        parts.close();
        return flat;
    }

    /** Splits a {@code (batch, size)} array back into tensors of the given shapes (new arrays). */
    static NDList unflatten(NDArray flat, Shape[] shapes, NDManager manager) {
        NDList out = new NDList(shapes.length);
        long offset = 0;
        for (Shape shape : shapes) {
            long size = shape.size() / shape.get(0);
            NDArray slice = flat.get(":, " + offset + ":" + (offset + size));
            NDArray part = slice.reshape(shape);
            part.attach(manager);
            slice.close();
            out.add(part);
            offset += size;
        }
        return out;
    }

    /**
     * Closes the arrays of {@code old} that {@code kept} does not hold (by identity): a step may
     * return some of its input arrays unchanged, and those must survive.
     *
     * @param old the previous state, whose own arrays are closed
     * @param kept the next state, none of whose arrays is closed
     */
    public static void closeExcept(NDList old, NDList kept) {
        for (NDArray array : old) {
            boolean alias = false;
            for (NDArray k : kept) {
                alias |= k == array;
            }
            if (!alias) {
                array.close();
            }
        }
    }

    /** Duplicates a list into a manager. */
    static NDList copy(NDList list, NDManager manager) {
        NDList out = new NDList(list.size());
        for (NDArray a : list) {
            NDArray c = a.duplicate();
            c.attach(manager);
            out.add(c);
        }
        return out;
    }

    /** Returns the Euclidean norm of all arrays together. */
    static double norm(NDList list) {
        double sum = 0;
        for (NDArray a : list) {
            sum += squares(a);
        }
        return Math.sqrt(sum);
    }

    /** Returns {@code ||a + b||} over all arrays together without keeping the sum. */
    static double normOfSum(NDList a, NDList b) {
        double sum = 0;
        for (int i = 0; i < a.size(); i++) {
            try (NDArray s = a.get(i).add(b.get(i))) {
                sum += squares(s);
            }
        }
        return Math.sqrt(sum);
    }

    private static double squares(NDArray a) {
        try (NDArray sq = a.square();
                NDArray total = sq.sum();
                NDArray asDouble = total.toType(DataType.FLOAT64, false)) {
            return asDouble.getDouble();
        }
    }
}
