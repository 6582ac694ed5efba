/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * The initialisations the reference PyTorch implementation uses, as DJL {@link Initializer}s.
 *
 * <p>Random draws go through the manager's random generator, so {@code
 * Engine.getInstance().setRandomSeed(...)} makes them reproducible. Every initializer honours the
 * requested data type (float32 or float64).
 */
public final class Initializers {

    private Initializers() {}

    /**
     * PyTorch's default for convolution weights and biases: {@code U(-1/sqrt(fanIn),
     * 1/sqrt(fanIn))} (the weights' {@code kaiming_uniform_(a=sqrt(5))} reduces to this bound).
     *
     * @param fanIn the number of inputs of one output unit ({@code inChannels * k * k})
     * @return the initializer
     */
    public static Initializer torchDefault(long fanIn) {
        if (fanIn < 1) {
            throw new IllegalArgumentException("fanIn must be at least 1, got " + fanIn);
        }
        float bound = (float) (1.0 / Math.sqrt(fanIn));
        return uniform(-bound, bound);
    }

    /**
     * Uniform values in {@code [low, high)}.
     *
     * @param low the lower bound
     * @param high the upper bound, greater than {@code low}
     * @return the initializer
     */
    public static Initializer uniform(float low, float high) {
        if (!(high > low)) {
            throw new IllegalArgumentException(
                    "uniform needs low < high, got [" + low + ", " + high + ")");
        }
        return (manager, shape, dataType) ->
                manager.randomUniform(low, high, shape, DataType.FLOAT64, manager.getDevice())
                        .toType(dataType, false);
    }

    /**
     * The logarithm of uniform values in {@code [low, high)}: {@code log U(low, high)}.
     *
     * @param low the lower bound, positive
     * @param high the upper bound, greater than {@code low}
     * @return the initializer
     */
    public static Initializer logUniform(float low, float high) {
        if (!(low > 0) || !(high > low)) {
            throw new IllegalArgumentException(
                    "logUniform needs 0 < low < high, got [" + low + ", " + high + ")");
        }
        return (manager, shape, dataType) -> {
            try (NDArray u =
                    manager.randomUniform(low, high, shape, DataType.FLOAT64, manager.getDevice())) {
                return u.log().toType(dataType, false);
            }
        };
    }

    /**
     * A constant value.
     *
     * @param value the value
     * @return the initializer
     */
    public static Initializer constant(double value) {
        return (manager, shape, dataType) -> {
            double[] values = new double[Math.toIntExact(shape.size())];
            java.util.Arrays.fill(values, value);
            return create(manager, values, shape, dataType);
        };
    }

    /**
     * PyTorch's {@code xavier_normal_}: normal with standard deviation {@code sqrt(2 / (fanIn +
     * fanOut))}, where for a convolution weight {@code (out, in, kh, kw)} {@code fanIn = in*kh*kw}
     * and {@code fanOut = out*kh*kw}.
     *
     * @return the initializer
     */
    public static Initializer xavierNormal() {
        return (manager, shape, dataType) -> {
            long receptive = 1;
            for (int i = 2; i < shape.dimension(); i++) {
                receptive *= shape.get(i);
            }
            long fanIn = shape.get(1) * receptive;
            long fanOut = shape.get(0) * receptive;
            float std = (float) Math.sqrt(2.0 / (fanIn + fanOut));
            return manager.randomNormal(0f, std, shape, DataType.FLOAT64, manager.getDevice())
                    .toType(dataType, false);
        };
    }

    /**
     * PyTorch's {@code orthogonal_} (gain 1): the tensor is flattened to {@code rows = shape[0]}
     * by {@code cols = size / rows}; the rows (if {@code rows <= cols}) or the columns are made
     * orthonormal, starting from a standard normal matrix, as a QR decomposition with the signs of
     * {@code R}'s diagonal fixed would do (a Haar-distributed orthogonal matrix).
     *
     * @return the initializer
     */
    public static Initializer orthogonal() {
        return (manager, shape, dataType) -> {
            int rows = Math.toIntExact(shape.get(0));
            int cols = Math.toIntExact(shape.size() / rows);
            double[] a;
            try (NDArray normal =
                    manager.randomNormal(
                            0f, 1f, new Shape(rows, cols), DataType.FLOAT64, manager.getDevice())) {
                a = normal.toDoubleArray();
            }
            orthonormalise(a, rows, cols);
            return create(manager, a, shape, dataType);
        };
    }

    /**
     * Makes the rows (when {@code rows <= cols}) or the columns of a row-major matrix orthonormal
     * by modified Gram-Schmidt, in place.
     */
    static void orthonormalise(double[] a, int rows, int cols) {
        boolean byRows = rows <= cols;
        int count = byRows ? rows : cols;
        int length = byRows ? cols : rows;
        int stride = byRows ? 1 : cols;
        for (int i = 0; i < count; i++) {
            int bi = byRows ? i * cols : i;
            for (int j = 0; j < i; j++) {
                int bj = byRows ? j * cols : j;
                double dot = 0;
                for (int k = 0; k < length; k++) {
                    dot += a[bi + k * stride] * a[bj + k * stride];
                }
                for (int k = 0; k < length; k++) {
                    a[bi + k * stride] -= dot * a[bj + k * stride];
                }
            }
            double norm = 0;
            for (int k = 0; k < length; k++) {
                norm += a[bi + k * stride] * a[bi + k * stride];
            }
            norm = Math.sqrt(norm);
            for (int k = 0; k < length; k++) {
                a[bi + k * stride] /= norm;
            }
        }
    }

    /**
     * Fixed values, in row-major order; the shape asked for must have {@code values.length}
     * elements.
     *
     * @param values the values
     * @return the initializer
     */
    public static Initializer fixed(double[] values) {
        double[] copy = values.clone();
        return (manager, shape, dataType) -> {
            if (shape.size() != copy.length) {
                throw new IllegalArgumentException(
                        "fixed initializer has "
                                + copy.length
                                + " values, the parameter's shape "
                                + shape
                                + " needs "
                                + shape.size());
            }
            return create(manager, copy, shape, dataType);
        };
    }

    static NDArray create(NDManager manager, double[] values, Shape shape, DataType dataType) {
        return manager.create(values, shape)
                .toDevice(manager.getDevice(), false)
                .toType(dataType, false);
    }
}
