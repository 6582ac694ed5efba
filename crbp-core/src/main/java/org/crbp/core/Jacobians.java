/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * Vector-Jacobian products of one cell step by repeated first-order backward passes, and the
 * small numeric helpers the gradient methods share.
 *
 * <p>The products are taken on a graph whose only inputs that require a gradient are the state
 * leaves (parameters and drive detached), so a backward adds into the leaves' gradients and
 * nowhere else; the leaves' gradients are zeroed before every product.
 */
final class Jacobians {

    private Jacobians() {}

    /**
     * Makes detached copies of a state that require a gradient: the inputs of a step whose
     * Jacobian products are wanted.
     *
     * @param state the state
     * @param manager the manager of the leaves
     * @return the leaves
     */
    static NDList leaves(NDList state, NDManager manager) {
        NDList leaves = new NDList(state.size());
        for (NDArray array : state) {
            NDArray leaf = array.stopGradient();
            leaf.attach(manager);
            leaf.setRequiresGradient(true);
            leaves.add(leaf);
        }
        return leaves;
    }

    /**
     * Computes {@code J^T v}: the cotangent {@code v} of the step's outputs pulled back to its
     * state inputs. The graph of {@code outputs} is kept for further products.
     *
     * @param outputs the step's outputs (its graph must reach {@code leaves})
     * @param cotangents one cotangent per output, shaped like it
     * @param leaves the state inputs of the step
     * @param manager the manager of the result and of temporaries
     * @return {@code J^T v}, one array per leaf, in {@code manager}
     */
    static NDList vjp(NDList outputs, NDList cotangents, NDList leaves, NDManager manager) {
        zero(leaves);
        backward(outputs, cotangents, true);
        return gradients(leaves, manager);
    }

    /**
     * Adds {@code sum_i <cotangent_i, d output_i / d w>} into the gradient of every leaf {@code
     * w} the outputs depend on.
     *
     * @param outputs the outputs to differentiate
     * @param cotangents one cotangent per output, shaped like it
     * @param keepGraph whether to keep the graph for another backward
     */
    static void backward(NDList outputs, NDList cotangents, boolean keepGraph) {
        if (outputs.size() == 1) {
            EngineAutograd.backward(outputs.head(), cotangents.head(), keepGraph);
            return;
        }
        // one scalar <outputs, cotangents> pulls every output back in one pass; results of ops
        // belong to the first operand's manager, which the caller scopes
        NDArray target = null;
        for (int i = 0; i < outputs.size(); i++) {
            NDArray term = outputs.get(i).mul(cotangents.get(i)).sum();
            target = target == null ? term : target.add(term);
        }
        try (NDArray ones = target.onesLike()) {
            EngineAutograd.backward(target, ones, keepGraph);
        }
    }

    /**
     * Computes the diagonal blocks' column sums {@code u_i = J_ii^T 1}: for each state tensor
     * {@code i}, the gradient of {@code sum(output_i)} with respect to {@code state_i}.
     *
     * @param outputs the step's outputs
     * @param leaves the state inputs of the step
     * @param manager the manager of the result
     * @return one array of column sums per state tensor
     */
    static NDList columnSums(NDList outputs, NDList leaves, NDManager manager) {
        NDList sums = new NDList(outputs.size());
        for (int i = 0; i < outputs.size(); i++) {
            zero(leaves);
            try (NDArray ones = outputs.get(i).onesLike()) {
                EngineAutograd.backward(outputs.get(i), ones, true);
            }
            NDArray gradient = leaves.get(i).getGradient();
            NDArray copy = gradient.duplicate();
            gradient.close();
            copy.attach(manager);
            sums.add(copy);
        }
        return sums;
    }

    /**
     * Computes {@code J_ii^T p}: the cotangent {@code p} of output {@code i} pulled back to state
     * input {@code i} only (the block of the Jacobian that {@link #columnSums} sums). The graph is
     * kept.
     *
     * @param outputs the step's outputs
     * @param leaves the state inputs of the step
     * @param index the state tensor
     * @param cotangent shaped like output {@code index}
     * @param manager the manager of the result
     * @return the product, shaped like leaf {@code index}
     */
    static NDArray blockVjp(NDList outputs, NDList leaves, int index, NDArray cotangent,
            NDManager manager) {
        zero(leaves);
        EngineAutograd.backward(outputs.get(index), cotangent, true);
        NDArray gradient = leaves.get(index).getGradient();
        NDArray copy = gradient.duplicate();
        gradient.close();
        copy.attach(manager);
        return copy;
    }

    private static NDList gradients(NDList leaves, NDManager manager) {
        NDList result = new NDList(leaves.size());
        for (NDArray leaf : leaves) {
            NDArray gradient = leaf.getGradient();
            NDArray copy = gradient.duplicate();
            gradient.close();
            copy.attach(manager);
            result.add(copy);
        }
        return result;
    }

    private static void zero(NDList leaves) {
        for (NDArray leaf : leaves) {
            EngineAutograd.zeroGradient(leaf);
        }
    }

    /**
     * Returns the Euclidean norm of all arrays of a list taken together.
     *
     * @param list the arrays
     * @return the norm, as a double
     */
    static double norm(NDList list) {
        double sum = 0;
        for (NDArray array : list) {
            try (NDArray squares = array.square();
                    NDArray total = squares.sum()) {
                sum += toDouble(total);
            }
        }
        return Math.sqrt(sum);
    }

    /**
     * Returns {@code ||a - b|| / ||a||} over all arrays of the lists taken together.
     *
     * @param a the new state
     * @param b the old state
     * @return the relative difference (0 when both are 0)
     */
    static double relativeDifference(NDList a, NDList b) {
        double difference = 0;
        for (int i = 0; i < a.size(); i++) {
            try (NDArray d = a.get(i).sub(b.get(i));
                    NDArray squares = d.square();
                    NDArray total = squares.sum()) {
                difference += toDouble(total);
            }
        }
        double reference = norm(a);
        return reference == 0 ? Math.sqrt(difference) : Math.sqrt(difference) / reference;
    }

    /**
     * Returns the root mean square of an array.
     *
     * @param array the array
     * @return the root mean square
     */
    static double rms(NDArray array) {
        try (NDArray squares = array.square();
                NDArray meanSquare = squares.mean()) {
            return Math.sqrt(toDouble(meanSquare));
        }
    }

    /**
     * Reads a scalar array of any floating type as a double.
     *
     * @param scalar an array with one element
     * @return its value
     */
    static double toDouble(NDArray scalar) {
        if (scalar.getDataType() == DataType.FLOAT64) {
            return scalar.getDouble();
        }
        try (NDArray asDouble = scalar.toType(DataType.FLOAT64, false)) {
            return asDouble.getDouble();
        }
    }

    /** Adds {@code part} into {@code total} element by element ({@code part} itself when total is null). */
    static double[] addInto(double[] total, double[] part) {
        if (total == null) {
            return part;
        }
        for (int j = 0; j < total.length; j++) {
            total[j] += part[j];
        }
        return total;
    }

    /** Per image (first axis), the sum of squares of an array, in doubles. */
    static double[] perImageSquares(NDArray array) {
        long images = array.getShape().get(0);
        try (NDArray flat = array.reshape(images, -1);
                NDArray wide = flat.toType(DataType.FLOAT64, false);
                NDArray squares = wide.square();
                NDArray sums = squares.sum(new int[] {1})) {
            return sums.toDoubleArray();
        }
    }

    /** Per image (first axis), the Euclidean norm over all arrays of a list together. */
    static double[] perImageNorms(NDList list) {
        double[] squares = null;
        for (NDArray a : list) {
            squares = addInto(squares, perImageSquares(a));
        }
        for (int j = 0; j < squares.length; j++) {
            squares[j] = Math.sqrt(squares[j]);
        }
        return squares;
    }

    /** Divides each image's block by its norm (a block of norm 0 or not finite stays). */
    static NDList normalisePerImage(NDList list, double[] norms, NDManager manager) {
        double[] inverse = new double[norms.length];
        for (int j = 0; j < norms.length; j++) {
            inverse[j] = norms[j] > 0 && Double.isFinite(norms[j]) ? 1 / norms[j] : 1;
        }
        return scalePerImage(list, inverse, manager);
    }

    /** Multiplies each image's block (first axis) by its factor; the result is in {@code manager}. */
    static NDList scalePerImage(NDList list, double[] factors, NDManager manager) {
        NDList out = new NDList(list.size());
        for (NDArray a : list) {
            long[] dims = new long[a.getShape().dimension()];
            Arrays.fill(dims, 1);
            dims[0] = factors.length;
            try (NDArray wide = manager.create(factors, new Shape(dims));
                    NDArray typed = wide.toType(a.getDataType(), false)) {
                NDArray scaled = a.mul(typed);
                scaled.attach(manager);
                out.add(scaled);
            }
        }
        return out;
    }
}
