/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.check;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;

import org.crbp.core.GradientMethod;
import org.crbp.core.RecurrentCell;
import org.crbp.core.RecurrentNet;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;

/**
 * Gradient checks for cells and gradient methods, in the habit of double-precision
 * finite-difference checks: initialise the network in float64, compare a method's gradients with
 * central differences of the loss or with another method's gradients, parameter by parameter.
 *
 * <pre>{@code
 * net.initialize(manager, DataType.FLOAT64, inputShape);
 * Map<String, double[]> rbp = GradientCheck.gradients(net, GradientMethods.rbp(60, 200), ps, x, y, loss);
 * Map<String, double[]> bptt = GradientCheck.gradients(net, GradientMethods.bptt(60), ps, x, y, loss);
 * double error = GradientCheck.maxRelativeError(rbp, bptt);   // expect < 1e-6 for a contractive cell
 * }</pre>
 *
 * <p>For a new cell, start with {@link #checkCell}: it catches the scalar-operand trap.
 */
public final class GradientCheck {

    private GradientCheck() {}

    /**
     * Sets every parameter gradient of the network to zero.
     *
     * @param net the network
     */
    public static void zeroGradients(RecurrentNet net) {
        for (Pair<String, Parameter> p : net.getParameters()) {
            NDArray array = p.getValue().getArray();
            if (array.hasGradient()) {
                try (NDArray g = array.getGradient()) {
                    g.subi(g);
                }
            }
        }
    }

    /**
     * Runs the method once from zero gradients and returns a copy of every parameter gradient.
     *
     * @param net the network
     * @param method the gradient method
     * @param parameterStore the parameter store
     * @param data the inputs
     * @param labels the labels
     * @param loss the loss
     * @return the gradients by parameter name
     */
    public static Map<String, double[]> gradients(
            RecurrentNet net,
            GradientMethod method,
            ParameterStore parameterStore,
            NDList data,
            NDList labels,
            Loss loss) {
        zeroGradients(net);
        method.forwardBackward(net, parameterStore, data, labels, loss).predictions().close();
        return readGradients(net);
    }

    /**
     * Returns a copy of every parameter gradient, as doubles.
     *
     * @param net the network
     * @return the gradients by parameter name
     */
    public static Map<String, double[]> readGradients(RecurrentNet net) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            NDArray array = p.getValue().getArray();
            if (array.hasGradient()) {
                try (NDArray g = array.getGradient();
                        NDArray asDouble = g.toType(DataType.FLOAT64, false)) {
                    out.put(p.getKey(), asDouble.toDoubleArray());
                }
            }
        }
        return out;
    }

    /**
     * Central differences of the loss of a {@code steps}-step forward pass, in every element of
     * every trainable parameter.
     *
     * @param net the network (use float64)
     * @param parameterStore the parameter store
     * @param data the inputs
     * @param labels the labels
     * @param loss the loss
     * @param steps the number of steps
     * @param epsilon the perturbation, e.g. 1e-6 in float64
     * @return the numeric gradients by parameter name
     */
    public static Map<String, double[]> lossFiniteDifferences(
            RecurrentNet net,
            ParameterStore parameterStore,
            NDList data,
            NDList labels,
            Loss loss,
            int steps,
            double epsilon) {
        return finiteDifferences(net, epsilon, n -> {
            NDManager manager = data.head().getManager();
            try (NDManager scope = manager.newSubManager()) {
                NDList predictions = n.forward(parameterStore, data, steps, true);
                predictions.attach(scope);
                NDArray value = loss.evaluate(labels, predictions);
                value.attach(scope);
                try (NDArray asDouble = value.toType(DataType.FLOAT64, false)) {
                    return asDouble.getDouble();
                }
            }
        });
    }

    /**
     * Central differences of any function of the network, in every element of every trainable
     * parameter. The parameters are restored afterwards.
     *
     * @param net the network (use float64)
     * @param epsilon the perturbation
     * @param function the function
     * @return the numeric gradients by parameter name
     */
    public static Map<String, double[]> finiteDifferences(
            RecurrentNet net, double epsilon, ToDoubleFunction<RecurrentNet> function) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            if (!p.getValue().requiresGradient()) {
                continue;
            }
            NDArray array = p.getValue().getArray();
            int size = Math.toIntExact(array.size());
            double[] gradient = new double[size];
            for (int i = 0; i < size; i++) {
                try (NDArray delta = array.zerosLike()) {
                    delta.set(new NDIndex(flatIndex(array, i)), epsilon);
                    array.addi(delta);
                    double plus = function.applyAsDouble(net);
                    array.subi(delta).subi(delta);
                    double minus = function.applyAsDouble(net);
                    array.addi(delta);
                    gradient[i] = (plus - minus) / (2 * epsilon);
                }
            }
            out.put(p.getKey(), gradient);
        }
        return out;
    }

    private static String flatIndex(NDArray array, int flat) {
        long[] shape = array.getShape().getShape();
        long[] index = new long[shape.length];
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = rest % shape[d];
            rest /= shape[d];
        }
        StringBuilder text = new StringBuilder();
        for (int d = 0; d < index.length; d++) {
            text.append(d == 0 ? "" : ",").append(index[d]);
        }
        return text.toString();
    }

    /**
     * Returns {@code ||a - b|| / max(||a||, ||b||)} (0 when both are zero).
     *
     * @param a one gradient
     * @param b the other
     * @return the relative error
     */
    public static double relativeError(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "Gradients of different sizes: " + a.length + " and " + b.length);
        }
        double difference = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            difference += (a[i] - b[i]) * (a[i] - b[i]);
            normA += a[i] * a[i];
            normB += b[i] * b[i];
        }
        double scale = Math.max(Math.sqrt(normA), Math.sqrt(normB));
        return scale == 0 ? 0 : Math.sqrt(difference) / scale;
    }

    /**
     * Returns the largest {@link #relativeError} over the parameters both maps hold.
     *
     * @param a gradients by parameter name
     * @param b gradients by parameter name
     * @return the largest relative error
     * @throws IllegalArgumentException if the maps name different parameters
     */
    public static double maxRelativeError(Map<String, double[]> a, Map<String, double[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            throw new IllegalArgumentException(
                    "The gradients name different parameters: " + a.keySet() + " and "
                            + b.keySet());
        }
        double max = 0;
        for (Map.Entry<String, double[]> entry : a.entrySet()) {
            max = Math.max(max, relativeError(entry.getValue(), b.get(entry.getKey())));
        }
        return max;
    }

    /**
     * Returns the Euclidean norm of a gradient.
     *
     * @param gradient the gradient
     * @return its norm
     */
    public static double norm(double[] gradient) {
        double sum = 0;
        for (double v : gradient) {
            sum += v * v;
        }
        return Math.sqrt(sum);
    }

    /**
     * Checks a cell's gradients against finite differences, with a garbage collection forced
     * between the forward and the backward pass, and throws if they disagree.
     *
     * <p>The collection is what makes the <b>scalar-operand trap</b> fail loudly: an operation with
     * a Java number such as {@code h.mul(0.5f)} makes DJL wrap the number in a Java buffer that it
     * releases after the operation, while autograd keeps using the memory for the backward pass;
     * once the garbage collector has run, the gradient is garbage. In training this happens now
     * and then; here it happens every time. Write constants as arrays instead, e.g. {@code
     * h.getManager().full(new Shape(), 0.5f, h.getDataType())}.
     *
     * <p>The check initialises the cell's parameters in float64 (use a fresh cell or re-initialise
     * it afterwards), then compares, for the drive, every state tensor and every parameter, the
     * directional derivative of {@code <c, F(x, h; w)>} along a random direction with its central
     * difference.
     *
     * @param cell the cell (its parameters are re-initialised in float64)
     * @param driveShape the shape of the drive, batch first, e.g. {@code (2, 4, 6, 6)}
     * @param tolerance the largest relative error allowed, e.g. 1e-6
     * @return the largest relative error over the drive, the state tensors and the parameters
     * @throws IllegalStateException naming the first input whose gradient is wrong
     */
    public static double checkCell(RecurrentCell cell, Shape driveShape, double tolerance) {
        Random random = new Random(20200612);
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape[] stateShapes = cell.getStateShapes(driveShape);
            Shape[] inputShapes = new Shape[stateShapes.length + 1];
            inputShapes[0] = driveShape;
            System.arraycopy(stateShapes, 0, inputShapes, 1, stateShapes.length);
            cell.initialize(manager, DataType.FLOAT64, inputShapes);
            ParameterStore store = new ParameterStore(manager, false);

            // the inputs, the cotangents c and one random direction per input and parameter
            NDList inputs = new NDList();
            NDList directions = new NDList();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < inputShapes.length; i++) {
                inputs.add(randomArray(manager, inputShapes[i], random));
                directions.add(randomArray(manager, inputShapes[i], random));
                names.add(i == 0 ? "the drive" : "state tensor " + (i - 1));
            }
            List<Parameter> parameters = new ArrayList<>();
            for (Pair<String, Parameter> p : cell.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    parameters.add(p.getValue());
                    directions.add(randomArray(manager, p.getValue().getArray().getShape(), random));
                    names.add("parameter " + p.getKey());
                }
            }
            NDList cotangents = new NDList();
            for (Shape shape : stateShapes) {
                cotangents.add(randomArray(manager, shape, random));
            }

            double[] analytic = analyticDirectional(cell, store, inputs, parameters, directions,
                    cotangents, manager);
            double worst = 0;
            for (int g = 0; g < names.size(); g++) {
                double numeric = numericDirectional(cell, store, inputs, parameters, directions,
                        cotangents, g, 1e-6);
                double error = Math.abs(analytic[g] - numeric)
                        / Math.max(Math.max(Math.abs(numeric), Math.abs(analytic[g])), 1e-12);
                if (!(error <= tolerance)) {
                    throw new IllegalStateException(String.format(
                            "The cell %s has a wrong gradient with respect to %s: %.10g by autograd"
                                    + " against %.10g by finite differences (relative error %.3g)."
                                    + " A common cause is a scalar (Number) operand on the"
                                    + " recorded path, such as h.mul(0.5f): after a garbage"
                                    + " collection its buffer is freed before backward. Use an"
                                    + " array constant, e.g. h.getManager().full(new Shape(),"
                                    + " 0.5f, h.getDataType()).",
                            cell.getClass().getSimpleName(), names.get(g), analytic[g], numeric,
                            error));
                }
                worst = Math.max(worst, error);
            }
            return worst;
        }
    }

    private static NDArray randomArray(NDManager manager, Shape shape, Random random) {
        double[] values = new double[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble() * 2 - 1;
        }
        return manager.create(values, shape);
    }

    /** {@code <c, F>} differentiated by autograd, with a forced GC before the backward. */
    private static double[] analyticDirectional(RecurrentCell cell, ParameterStore store,
            NDList inputs, List<Parameter> parameters, NDList directions, NDList cotangents,
            NDManager manager) {
        int groups = directions.size();
        double[] result = new double[groups];
        try (NDManager scope = manager.newSubManager()) {
            NDList leaves = new NDList();
            for (NDArray input : inputs) {
                NDArray leaf = input.duplicate();
                leaf.attach(scope);
                leaf.setRequiresGradient(true);
                leaves.add(leaf);
            }
            for (Parameter p : parameters) {
                p.getArray().setRequiresGradient(true);
            }
            List<ByteBuffer> litter = new ArrayList<>();
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDList outputs = cell.forward(store, leaves, true);
                outputs.attach(scope);
                NDArray target = null;
                for (int i = 0; i < outputs.size(); i++) {
                    NDArray term = outputs.get(i).mul(cotangents.get(i)).sum();
                    target = target == null ? term : target.add(term);
                }
                target.attach(scope);
                // free what the forward pass let go of, and reuse the memory, before backward
                for (int round = 0; round < 3; round++) {
                    System.gc();
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                for (int i = 0; i < 20000; i++) {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(8);
                    buffer.putLong(0, 0x7FF4_0000_4000_7FF4L);
                    litter.add(buffer);
                }
                collector.backward(target);
            }
            for (int g = 0; g < groups; g++) {
                NDArray variable = g < leaves.size()
                        ? leaves.get(g)
                        : parameters.get(g - leaves.size()).getArray();
                try (NDArray gradient = variable.getGradient();
                        NDArray product = gradient.mul(directions.get(g));
                        NDArray total = product.sum()) {
                    result[g] = total.toType(DataType.FLOAT64, false).getDouble();
                }
            }
            litter.clear();
            for (Parameter p : parameters) {
                try (NDArray gradient = p.getArray().getGradient()) {
                    gradient.subi(gradient);
                }
            }
        }
        return result;
    }

    /** The central difference of {@code <c, F>} along the direction of one input or parameter. */
    private static double numericDirectional(RecurrentCell cell, ParameterStore store,
            NDList inputs, List<Parameter> parameters, NDList directions, NDList cotangents,
            int group, double epsilon) {
        double[] sides = new double[2];
        for (int side = 0; side < 2; side++) {
            double sign = side == 0 ? 1 : -1;
            NDManager manager = inputs.head().getManager();
            try (NDManager scope = manager.newSubManager()) {
                NDList shifted = new NDList();
                for (int i = 0; i < inputs.size(); i++) {
                    NDArray x = inputs.get(i).duplicate();
                    x.attach(scope);
                    if (i == group) {
                        x.addi(directions.get(i).mul(sign * epsilon));
                    }
                    shifted.add(x);
                }
                NDArray parameter = null;
                NDArray delta = null;
                if (group >= inputs.size()) {
                    parameter = parameters.get(group - inputs.size()).getArray();
                    delta = directions.get(group).mul(sign * epsilon);
                    delta.attach(scope);
                    parameter.addi(delta);
                }
                NDList outputs = cell.forward(store, shifted, false);
                outputs.attach(scope);
                double value = 0;
                for (int i = 0; i < outputs.size(); i++) {
                    try (NDArray product = outputs.get(i).mul(cotangents.get(i));
                            NDArray total = product.sum()) {
                        value += total.toType(DataType.FLOAT64, false).getDouble();
                    }
                }
                if (parameter != null) {
                    parameter.subi(delta);
                }
                sides[side] = value;
            }
        }
        return (sides[0] - sides[1]) / (2 * epsilon);
    }
}
