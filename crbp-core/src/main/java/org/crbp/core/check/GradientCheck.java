/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.check;

import ai.djl.Device;
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
 * <p>For a new cell, start with {@link #checkNewCell}: it reports each trap a cell can fall into
 * (state kept between calls, weights read past the parameter store, wrong gradients such as the
 * scalar-operand trap's). {@link #maxRelativeError(Map, Map)} has an absolute floor, so that a
 * parameter without gradient does not read as a 100% error.
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
     * The default absolute floor of {@link #maxRelativeError(Map, Map)}, in the gradients' units:
     * a parameter whose gradients are both smaller than this in norm is compared in absolute
     * terms. In float64 with a loss of order 1, gradients by autograd agree to about {@code
     * 1e-12} and central differences to about {@code 1e-10}; below {@code 1e-8} a difference is
     * noise, not a wrong gradient, and would otherwise read as an error near 100%.
     */
    public static final double DEFAULT_FLOOR = 1e-8;

    /**
     * Returns {@code ||a - b|| / max(||a||, ||b||)} (0 when both are zero).
     *
     * @param a one gradient
     * @param b the other
     * @return the relative error
     */
    public static double relativeError(double[] a, double[] b) {
        return relativeError(a, b, 0);
    }

    /**
     * Returns {@code ||a - b|| / max(||a||, ||b||, floor)} (0 when both are zero): the relative
     * error, measured in absolute terms where both gradients are smaller than {@code floor}.
     *
     * @param a one gradient
     * @param b the other
     * @param floor the smallest divisor, in the gradients' units, 0 or more
     * @return the relative error
     */
    public static double relativeError(double[] a, double[] b, double floor) {
        if (!(floor >= 0) || Double.isInfinite(floor)) {
            throw new IllegalArgumentException(
                    "The floor must be a finite number, 0 or more, got " + floor);
        }
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
        double scale = Math.max(Math.max(Math.sqrt(normA), Math.sqrt(normB)), floor);
        return scale == 0 ? 0 : Math.sqrt(difference) / scale;
    }

    /**
     * Returns the largest {@link #relativeError(double[], double[], double)} over the parameters
     * both maps hold, with the absolute floor {@link #DEFAULT_FLOOR}: a parameter whose gradient
     * is (nearly) zero in both maps does not read as a 100% error.
     *
     * @param a gradients by parameter name
     * @param b gradients by parameter name
     * @return the largest relative error
     * @throws IllegalArgumentException if the maps name different parameters
     */
    public static double maxRelativeError(Map<String, double[]> a, Map<String, double[]> b) {
        return maxRelativeError(a, b, DEFAULT_FLOOR);
    }

    /**
     * Returns the largest {@link #relativeError(double[], double[], double)} over the parameters
     * both maps hold, with an absolute floor per parameter ({@code 0}: the plain relative error,
     * where tiny gradients dominate).
     *
     * @param a gradients by parameter name
     * @param b gradients by parameter name
     * @param floor the smallest divisor of each parameter's error, in the gradients' units
     * @return the largest relative error
     * @throws IllegalArgumentException if the maps name different parameters or the floor is
     *     negative
     */
    public static double maxRelativeError(Map<String, double[]> a, Map<String, double[]> b,
            double floor) {
        if (!a.keySet().equals(b.keySet())) {
            throw new IllegalArgumentException(
                    "The gradients name different parameters: " + a.keySet() + " and "
                            + b.keySet());
        }
        double max = 0;
        for (Map.Entry<String, double[]> entry : a.entrySet()) {
            max = Math.max(max, relativeError(entry.getValue(), b.get(entry.getKey()), floor));
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
     * <p>The check initialises the cell's parameters in float64 when they are not initialised
     * yet (a cell already initialised in float64 keeps its values; re-initialise a fresh cell for
     * training afterwards), then compares, for the drive, every state tensor and every parameter,
     * the directional derivative of {@code <c, F(x, h; w)>} along a random direction with its
     * central difference. {@link #checkNewCell} runs this check and the cell's other traps.
     *
     * @param cell the cell, not initialised or initialised in float64
     * @param driveShape the shape of the drive, batch first, e.g. {@code (2, 4, 6, 6)}
     * @param tolerance the largest relative error allowed, e.g. 1e-6
     * @return the largest relative error over the drive, the state tensors and the parameters
     * @throws IllegalStateException naming the first input whose gradient is wrong
     * @throws IllegalArgumentException if the cell's parameters are initialised in another type
     *     than float64
     */
    public static double checkCell(RecurrentCell cell, Shape driveShape, double tolerance) {
        try (CellFixture fixture = new CellFixture(cell, driveShape)) {
            double[] errors = directionalErrors(fixture);
            double worst = 0;
            for (int g = 0; g < errors.length; g++) {
                if (!(errors[g] <= tolerance)) {
                    throw new IllegalStateException(fixture.gradientFailure(g));
                }
                worst = Math.max(worst, errors[g]);
            }
            return worst;
        }
    }

    /**
     * Runs every check of a new cell with the tolerance {@code 1e-6}; see {@link
     * #checkNewCell(RecurrentCell, Shape, double)}.
     *
     * @param cell the cell, not initialised or initialised in float64
     * @param driveShape the shape of the drive, batch first, e.g. {@code (2, 4, 6, 6)}
     * @return the report; {@link CellCheckReport#throwIfFailed()} turns a failure into an
     *     exception
     * @throws IllegalArgumentException if the cell's parameters are initialised in another type
     *     than float64
     */
    public static CellCheckReport checkNewCell(RecurrentCell cell, Shape driveShape) {
        return checkNewCell(cell, driveShape, 1e-6);
    }

    /**
     * Runs every check of the traps a new cell can fall into, in float64, and reports each:
     *
     * <ol>
     *   <li><b>no state between calls</b>: the same inputs give the same outputs on a second
     *       call, and a call leaves the parameters unchanged. RBP's adjoint solve and the penalty
     *       call the step again; a cell that counts calls, updates running statistics or draws
     *       random numbers gives them another function than the one trained;
     *   <li><b>weights through the parameter store</b>: for each parameter, the output follows
     *       the value the store hands out. A cell that reads {@code parameter.getArray()}
     *       bypasses the gradient methods' detached and per-step views (its gradients and the
     *       auxiliary steps are then wrong, and on several devices it reads another copy);
     *   <li><b>gradients against finite differences</b> with a garbage collection forced before
     *       the backward pass ({@link #checkCell}): catches scalar (Number) operands on the
     *       recorded path and any other wrong gradient.
     * </ol>
     *
     * <p>The first two are what a mismatch between RBP with many terms and long BPTT points to on
     * a contractive network; checked on the cell alone they need no contraction. The parameters
     * are initialised in float64 when they are not initialised yet.
     *
     * @param cell the cell, not initialised or initialised in float64
     * @param driveShape the shape of the drive, batch first, e.g. {@code (2, 4, 6, 6)}
     * @param tolerance the largest relative error of a directional derivative, e.g. 1e-6
     * @return the report; {@link CellCheckReport#throwIfFailed()} turns a failure into an
     *     exception
     * @throws IllegalArgumentException if the cell's parameters are initialised in another type
     *     than float64
     */
    public static CellCheckReport checkNewCell(RecurrentCell cell, Shape driveShape,
            double tolerance) {
        CellCheckReport report = new CellCheckReport(cell.getClass().getSimpleName());
        try (CellFixture fixture = new CellFixture(cell, driveShape)) {
            checkRepeatable(fixture, report);
            checkParameterStore(fixture, report);
            double[] errors = directionalErrors(fixture);
            int worst = 0;
            for (int g = 0; g < errors.length; g++) {
                if (!(errors[g] <= errors[worst])) {
                    worst = g;
                }
            }
            boolean passed = errors[worst] <= tolerance;
            report.add("gradients against finite differences", passed, passed
                    ? String.format("largest relative error %.3g (%s), tolerance %.3g",
                            errors[worst], fixture.names.get(worst), tolerance)
                    : fixture.gradientFailure(worst));
        }
        return report;
    }

    /** The same inputs twice: the same outputs, and the parameters untouched. */
    private static void checkRepeatable(CellFixture fixture, CellCheckReport report) {
        String check = "no state between calls";
        NDList before = snapshot(fixture.parameters, fixture.manager);
        try (NDManager scope = fixture.manager.newSubManager()) {
            NDList first = fixture.cell.forward(fixture.store, fixture.inputs, true);
            first.attach(scope);
            NDList second = fixture.cell.forward(fixture.store, fixture.inputs, true);
            second.attach(scope);
            double outputs = maxRelativeDifference(second, first);
            NDList after = snapshot(fixture.parameters, scope);
            double parameters = maxRelativeDifference(after, before);
            if (outputs > 0) {
                report.add(check, false, String.format("a second call with the same inputs"
                        + " returned other outputs (relative difference %.3g): the cell keeps"
                        + " state between calls or draws random numbers; a step must be a pure"
                        + " function of the drive, the state and the weights", outputs));
            } else if (parameters > 0) {
                report.add(check, false, String.format("a call changed the parameters"
                        + " (relative difference %.3g): update no running statistics in"
                        + " forwardInternal; normalise with the batch's own", parameters));
            } else {
                report.add(check, true, "two calls gave identical outputs and parameters");
            }
        } finally {
            before.close();
        }
    }

    /**
     * For each parameter, the output with the store handing out a shifted value must equal the
     * output with the parameter itself set to that value.
     */
    private static void checkParameterStore(CellFixture fixture, CellCheckReport report) {
        List<String> bypassed = new ArrayList<>();
        double worst = 0;
        Random random = new Random(20200613);
        for (int k = 0; k < fixture.parameters.size(); k++) {
            Parameter parameter = fixture.parameters.get(k);
            try (NDManager scope = fixture.manager.newSubManager()) {
                NDArray original = parameter.getArray();
                NDArray kept = original.duplicate();
                kept.attach(scope);
                NDArray shift = randomArray(scope, original.getShape(), random);
                NDArray shifted = original.add(shift);
                shifted.attach(scope);
                ParameterStore substitute = new ParameterStore(fixture.manager, false) {
                    @Override
                    public NDArray getValue(Parameter p, Device device, boolean training) {
                        return p == parameter ? shifted : fixture.store.getValue(p, device,
                                training);
                    }
                };
                NDList throughStore = fixture.cell.forward(substitute, fixture.inputs, false);
                throughStore.attach(scope);
                original.set(shifted.toByteBuffer());
                NDList direct;
                try {
                    direct = fixture.cell.forward(fixture.store, fixture.inputs, false);
                    direct.attach(scope);
                } finally {
                    original.set(kept.toByteBuffer());
                }
                double difference = maxRelativeDifference(throughStore, direct);
                worst = Math.max(worst, difference);
                if (difference > 1e-12) {
                    bypassed.add(fixture.names.get(fixture.inputs.size() + k));
                }
            }
        }
        String check = "weights through the parameter store";
        if (bypassed.isEmpty()) {
            report.add(check, true, fixture.parameters.isEmpty() ? "the cell has no trainable"
                    + " parameters" : "the output followed the store's value of every parameter");
        } else {
            report.add(check, false, String.format("the output did not follow the value the"
                    + " store handed out for %s (relative difference %.3g): the cell reads it"
                    + " outside the store, e.g. with parameter.getArray(); read weights with"
                    + " parameterStore.getValue(parameter, device, training) in"
                    + " forwardInternal", String.join(", ", bypassed), worst));
        }
    }

    private static NDList snapshot(List<Parameter> parameters, NDManager manager) {
        NDList copy = new NDList(parameters.size());
        for (Parameter p : parameters) {
            NDArray c = p.getArray().duplicate();
            c.attach(manager);
            copy.add(c);
        }
        return copy;
    }

    /** The largest {@link #relativeError(double[], double[])} over the arrays of two lists. */
    private static double maxRelativeDifference(NDList a, NDList b) {
        double worst = 0;
        for (int i = 0; i < a.size(); i++) {
            double[] x = toDoubles(a.get(i));
            double[] y = toDoubles(b.get(i));
            worst = Math.max(worst, relativeError(x, y));
        }
        return worst;
    }

    private static double[] toDoubles(NDArray array) {
        try (NDArray asDouble = array.toType(DataType.FLOAT64, false)) {
            return asDouble.toDoubleArray();
        }
    }

    /** The relative errors of autograd's directional derivatives, one per input and parameter. */
    private static double[] directionalErrors(CellFixture f) {
        f.analytic = analyticDirectional(f.cell, f.store, f.inputs, f.parameters, f.directions,
                f.cotangents, f.manager);
        f.numeric = new double[f.names.size()];
        double[] errors = new double[f.names.size()];
        for (int g = 0; g < errors.length; g++) {
            f.numeric[g] = numericDirectional(f.cell, f.store, f.inputs, f.parameters,
                    f.directions, f.cotangents, g, 1e-6);
            errors[g] = Math.abs(f.analytic[g] - f.numeric[g])
                    / Math.max(Math.max(Math.abs(f.numeric[g]), Math.abs(f.analytic[g])), 1e-12);
        }
        return errors;
    }

    /**
     * Refuses a cell whose parameters are already initialised in another type than float64:
     * the float64 inputs of the checks would meet them in DJL's first operation with a raw error
     * such as "Input type (double) and bias type (float) should be the same".
     */
    private static void requireFloat64(RecurrentCell cell) {
        for (Pair<String, Parameter> p : cell.getParameters()) {
            Parameter parameter = p.getValue();
            if (parameter.isInitialized()
                    && parameter.getArray().getDataType() != DataType.FLOAT64) {
                throw new IllegalArgumentException("The cell "
                        + cell.getClass().getSimpleName() + " is already initialised in "
                        + parameter.getArray().getDataType() + " (parameter " + p.getKey()
                        + "), and the gradient checks run in float64, where finite differences"
                        + " are accurate. Pass a new cell (not initialised), or initialise it"
                        + " with DataType.FLOAT64 before the check.");
            }
        }
    }

    /**
     * A cell initialised in float64 with its random inputs, directions and cotangents, in the
     * draw order the checks' numbers depend on.
     */
    private static final class CellFixture implements AutoCloseable {
        final RecurrentCell cell;
        final NDManager manager = NDManager.newBaseManager();
        final ParameterStore store;
        final NDList inputs = new NDList();
        final NDList directions = new NDList();
        final List<String> names = new ArrayList<>();
        final List<Parameter> parameters = new ArrayList<>();
        final NDList cotangents = new NDList();
        double[] analytic;
        double[] numeric;

        CellFixture(RecurrentCell cell, Shape driveShape) {
            this.cell = cell;
            try {
                requireFloat64(cell);
                Random random = new Random(20200612);
                Shape[] stateShapes = cell.getStateShapes(driveShape);
                Shape[] inputShapes = new Shape[stateShapes.length + 1];
                inputShapes[0] = driveShape;
                System.arraycopy(stateShapes, 0, inputShapes, 1, stateShapes.length);
                cell.initialize(manager, DataType.FLOAT64, inputShapes);
                store = new ParameterStore(manager, false);

                // the inputs, the cotangents c and one random direction per input and parameter
                for (int i = 0; i < inputShapes.length; i++) {
                    inputs.add(randomArray(manager, inputShapes[i], random));
                    directions.add(randomArray(manager, inputShapes[i], random));
                    names.add(i == 0 ? "the drive" : "state tensor " + (i - 1));
                }
                for (Pair<String, Parameter> p : cell.getParameters()) {
                    if (p.getValue().requiresGradient()) {
                        parameters.add(p.getValue());
                        directions.add(randomArray(manager, p.getValue().getArray().getShape(),
                                random));
                        names.add("parameter " + p.getKey());
                    }
                }
                for (Shape shape : stateShapes) {
                    cotangents.add(randomArray(manager, shape, random));
                }
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }

        /** The message naming a wrong gradient and the likely cause. */
        String gradientFailure(int g) {
            double error = Math.abs(analytic[g] - numeric[g])
                    / Math.max(Math.max(Math.abs(numeric[g]), Math.abs(analytic[g])), 1e-12);
            return String.format(
                    "The cell %s has a wrong gradient with respect to %s: %.10g by autograd"
                            + " against %.10g by finite differences (relative error %.3g)."
                            + " A common cause is a scalar (Number) operand on the"
                            + " recorded path, such as h.mul(0.5f): after a garbage"
                            + " collection its buffer is freed before backward. Use an"
                            + " array constant, e.g. h.getManager().full(new Shape(),"
                            + " 0.5f, h.getDataType()).",
                    cell.getClass().getSimpleName(), names.get(g), analytic[g], numeric[g],
                    error);
        }

        @Override
        public void close() {
            manager.close();
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
