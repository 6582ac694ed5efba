/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.check;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;

import org.crbp.core.GradientMethod;
import org.crbp.core.RecurrentNet;

import java.util.LinkedHashMap;
import java.util.Map;
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
}
