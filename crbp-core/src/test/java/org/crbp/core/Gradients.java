/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Gradient read-out and finite differences for tests, in float64. */
final class Gradients {

    private Gradients() {}

    static void zero(RecurrentNet net) {
        for (Pair<String, Parameter> p : net.getParameters()) {
            NDArray array = p.getValue().getArray();
            if (array.hasGradient()) {
                try (NDArray g = array.getGradient()) {
                    g.subi(g);
                }
            }
        }
    }

    /** Runs the method once from zero gradients and returns a copy of every gradient. */
    static Map<String, double[]> of(
            RecurrentNet net, GradientMethod method, ParameterStore ps, NDList data,
            NDList labels, Loss loss) {
        zero(net);
        method.forwardBackward(net, ps, data, labels, loss).predictions().close();
        return read(net);
    }

    static Map<String, double[]> read(RecurrentNet net) {
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

    /** Central differences of {@code f} in every element of every parameter. */
    static Map<String, double[]> finiteDifferences(
            RecurrentNet net, NDManager manager, double epsilon, ToDoubleFunction<RecurrentNet> f) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            NDArray array = p.getValue().getArray();
            if (!p.getValue().requiresGradient()) {
                continue;
            }
            int size = (int) array.size();
            double[] g = new double[size];
            for (int i = 0; i < size; i++) {
                double[] delta = new double[size];
                delta[i] = epsilon;
                try (NDArray d = manager.create(delta, array.getShape())) {
                    array.addi(d);
                    double plus = f.applyAsDouble(net);
                    array.subi(d).subi(d);
                    double minus = f.applyAsDouble(net);
                    array.addi(d);
                    g[i] = (plus - minus) / (2 * epsilon);
                }
            }
            out.put(p.getKey(), g);
        }
        return out;
    }

    static double relativeError(double[] a, double[] b) {
        double diff = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            diff += (a[i] - b[i]) * (a[i] - b[i]);
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        double scale = Math.max(Math.sqrt(na), Math.sqrt(nb));
        return scale == 0 ? 0 : Math.sqrt(diff) / scale;
    }

    static double norm(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v * v;
        }
        return Math.sqrt(s);
    }
}
