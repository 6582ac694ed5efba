/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.crbp.core.solver.FixedPointMap;
import org.crbp.core.solver.FixedPointSolver;
import org.crbp.core.solver.States;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A recurrent network: {@code image -> encoder -> drive x -> cell^T -> readout -> predictions}.
 *
 * <p>The encoder computes the drive once; the {@link RecurrentCell} runs {@code steps} times from
 * its initial state with that drive; the readout maps the final state to predictions. The block's
 * own forward is plain inference (or plain BPTT when a DJL gradient collector is open); training
 * with RBP or the Lipschitz penalty goes through a {@link GradientMethod}, which uses the pieces
 * this class exposes: {@link #drive}, {@link #step}, {@link #advance} and {@link #readout}.
 *
 * <p>Every step runs in its own sub-manager, so that an unroll of any length holds only the
 * current state in memory (plus what autograd saves when it records).
 *
 * <pre>{@code
 * RecurrentNet net = RecurrentNet.builder()
 *         .setEncoder(encoder)
 *         .setCell(cell)
 *         .setReadout(readout)
 *         .optSteps(20)
 *         .build();
 * }</pre>
 */
public final class RecurrentNet extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Block encoder;
    private final RecurrentCell cell;
    private final Block readout;
    private final int steps;

    private RecurrentNet(Builder builder) {
        super(VERSION);
        encoder = addChildBlock("encoder", builder.encoder);
        cell = addChildBlock("cell", builder.cell);
        readout = addChildBlock("readout", builder.readout);
        steps = builder.steps;
    }

    /**
     * Creates a builder for a {@code RecurrentNet}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the encoder, which computes the drive from the input.
     *
     * @return the encoder block
     */
    public Block getEncoder() {
        return encoder;
    }

    /**
     * Returns the recurrent cell.
     *
     * @return the cell
     */
    public RecurrentCell getCell() {
        return cell;
    }

    /**
     * Returns the readout, which maps a state to predictions.
     *
     * @return the readout block
     */
    public Block getReadout() {
        return readout;
    }

    /**
     * Returns the number of steps the forward pass runs.
     *
     * @return the number of steps
     */
    public int getSteps() {
        return steps;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        return forward(parameterStore, inputs, steps, training);
    }

    /**
     * Runs the network for a given number of steps, which may differ from the trained number.
     *
     * @param parameterStore the parameter store
     * @param inputs the network's inputs (the image batch)
     * @param numSteps the number of cell steps, at least 1
     * @param training whether this is a training pass
     * @return the readout's predictions, in the inputs' manager
     */
    public NDList forward(
            ParameterStore parameterStore, NDList inputs, int numSteps, boolean training) {
        Checks.checkSteps(numSteps);
        NDManager outer = inputs.head().getManager();
        try (NDManager scope = outer.newSubManager()) {
            // the inputs visit the scope so that the encoder's results are freed with it
            inputs.tempAttach(scope);
            ScopedParameterStore store = new ScopedParameterStore(parameterStore, scope, false);
            NDArray drive = drive(store, inputs, training);
            NDList state = cell.initialState(drive);
            NDList last = advance(parameterStore, drive, state, numSteps, false, training, null);
            NDList predictions = readout(store, last, training);
            predictions.attach(outer);
            return predictions;
        }
    }

    /**
     * Computes the drive {@code x} from the network's inputs.
     *
     * @param parameterStore the parameter store
     * @param inputs the network's inputs
     * @param training whether this is a training pass
     * @return the drive
     */
    public NDArray drive(ParameterStore parameterStore, NDList inputs, boolean training) {
        NDList out = encoder.forward(parameterStore, inputs, training);
        if (out.size() != 1) {
            throw new IllegalStateException(
                    "The encoder must return exactly one array (the drive), it returned "
                            + out.size());
        }
        return out.head();
    }

    /**
     * Runs one cell step and checks that the new state has the old state's shapes.
     *
     * @param parameterStore the parameter store
     * @param drive the drive
     * @param state the current state
     * @param training whether this is a training pass
     * @return the next state
     * @throws IllegalStateException if the cell returns other shapes than its state's
     */
    public NDList step(
            ParameterStore parameterStore, NDArray drive, NDList state, boolean training) {
        NDList inputs = new NDList(state.size() + 1);
        inputs.add(drive);
        inputs.addAll(state);
        NDList next = cell.forward(parameterStore, inputs, training);
        if (next.size() != state.size()
                || !Arrays.equals(next.getShapes(), state.getShapes())) {
            throw new IllegalStateException(
                    "The cell "
                            + cell.getClass().getSimpleName()
                            + " returned states of shapes "
                            + Arrays.toString(next.getShapes())
                            + " for a state of shapes "
                            + Arrays.toString(state.getShapes())
                            + ": a cell's outputs must have exactly its state's shapes");
        }
        return next;
    }

    /**
     * Applies the readout to a state.
     *
     * @param parameterStore the parameter store
     * @param state the state
     * @param training whether this is a training pass
     * @return the predictions
     */
    public NDList readout(ParameterStore parameterStore, NDList state, boolean training) {
        return readout.forward(parameterStore, cell.readoutInput(state), training);
    }

    /**
     * Runs {@code numSteps} cell steps from {@code state}, each in its own sub-manager.
     *
     * <p>The returned state belongs to the manager of {@code state}'s first array; the
     * intermediate states are closed as soon as the next one exists, and {@code state} itself is
     * left to the caller. With {@code detach} the steps record no gradient (the drive and the state
     * should then be detached too) and memory is constant in {@code numSteps}.
     *
     * @param parameterStore the store that owns the parameters
     * @param drive the drive
     * @param state the state to start from
     * @param numSteps the number of steps, 0 or more
     * @param detach whether to run the steps without recording gradients to the parameters
     * @param training whether this is a training pass
     * @param visitor called after every step inside that step's scope, or {@code null}
     * @return the state after {@code numSteps} steps ({@code state} itself when 0)
     */
    public NDList advance(
            ParameterStore parameterStore,
            NDArray drive,
            NDList state,
            int numSteps,
            boolean detach,
            boolean training,
            StepVisitor visitor) {
        NDManager outer = state.head().getManager();
        ScopedParameterStore store = new ScopedParameterStore(parameterStore, outer, detach);
        NDList current = state;
        for (int t = 1; t <= numSteps; t++) {
            NDList next;
            try (NDManager stepScope = outer.newSubManager()) {
                store.setScope(stepScope);
                drive.tempAttach(stepScope);
                current.tempAttach(stepScope);
                next = step(store, drive, current, training);
                next.attach(outer);
                if (visitor != null) {
                    visitor.onStep(t, next, store);
                }
            }
            if (current != state) {
                States.closeExcept(current, next);
            }
            current = next;
        }
        return current;
    }

    /**
     * Returns one step with the drive and the weights held fixed as a map for a {@link
     * FixedPointSolver}: each evaluation records no gradient (the weights are read detached; the
     * drive and the state should be detached too) and runs in its own sub-manager, so that a solve
     * of any length holds only the solver's own iterates.
     *
     * <pre>{@code
     * NDArray drive = net.drive(ps, inputs, false).stopGradient();
     * FixedPointResult solved = Anderson.builder().optTolerance(1e-3).build()
     *         .solve(net.stepMap(ps, drive, false), net.getCell().initialState(drive), 40);
     * }</pre>
     *
     * @param parameterStore the store that owns the parameters
     * @param drive the drive
     * @param training whether this is a training pass
     * @return the map {@code h -> F(x, h; w)}
     */
    public FixedPointMap stepMap(ParameterStore parameterStore, NDArray drive, boolean training) {
        ScopedParameterStore store =
                new ScopedParameterStore(parameterStore, drive.getManager(), true);
        return (state, target) -> {
            try (NDManager stepScope = target.newSubManager()) {
                store.setScope(stepScope);
                drive.tempAttach(stepScope);
                state.tempAttach(stepScope);
                NDList next = step(store, drive, state, training);
                next.attach(target);
                return next;
            }
        };
    }

    /**
     * Runs the network without gradients and calls {@code visitor} after every step, for
     * analysis: per-step readouts, distances between states, state-space projections. Memory is
     * constant in {@code numSteps}: the arrays a visitor sees are freed after its call, so it must
     * copy ({@code duplicate()} and {@code attach}) what it keeps.
     *
     * @param parameterStore the parameter store
     * @param inputs the network's inputs
     * @param numSteps the number of steps, at least 1
     * @param visitor called after each step with that step's state
     */
    public void visitSteps(
            ParameterStore parameterStore, NDList inputs, int numSteps, StepVisitor visitor) {
        Checks.checkSteps(numSteps);
        NDManager outer = inputs.head().getManager();
        try (NDManager scope = outer.newSubManager()) {
            inputs.tempAttach(scope);
            ScopedParameterStore store = new ScopedParameterStore(parameterStore, scope, true);
            NDArray drive = drive(store, inputs, false).stopGradient();
            NDList state = cell.initialState(drive);
            advance(parameterStore, drive, state, numSteps, true, false, visitor);
        }
    }

    /**
     * Returns the whole trajectory for analysis, without gradients: every step's state and,
     * optionally, the readout applied at every step. The arrays belong to the inputs' manager.
     * Memory grows with {@code numSteps}; use {@link #visitSteps} for long runs.
     *
     * @param parameterStore the parameter store
     * @param inputs the network's inputs
     * @param numSteps the number of steps, at least 1
     * @param withReadout whether to apply the readout at every step
     * @return the trajectory
     */
    public Trajectory trajectory(
            ParameterStore parameterStore, NDList inputs, int numSteps, boolean withReadout) {
        NDManager outer = inputs.head().getManager();
        List<NDList> states = new ArrayList<>(numSteps);
        List<NDList> predictions = new ArrayList<>(numSteps);
        visitSteps(
                parameterStore,
                inputs,
                numSteps,
                (t, state, stepStore) -> {
                    states.add(keep(state, outer));
                    if (withReadout) {
                        predictions.add(keep(readout(stepStore, state, false), outer));
                    }
                });
        return new Trajectory(states, withReadout ? predictions : null);
    }

    private static NDList keep(NDList list, NDManager manager) {
        NDList copy = new NDList(list.size());
        for (NDArray array : list) {
            NDArray duplicate = array.stopGradient().duplicate();
            duplicate.attach(manager);
            copy.add(duplicate);
        }
        return copy;
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        encoder.initialize(manager, dataType, inputShapes);
        Shape driveShape = encoder.getOutputShapes(inputShapes)[0];
        Shape[] stateShapes = cell.getStateShapes(driveShape);
        Shape[] cellInputs = new Shape[stateShapes.length + 1];
        cellInputs[0] = driveShape;
        System.arraycopy(stateShapes, 0, cellInputs, 1, stateShapes.length);
        cell.initialize(manager, dataType, cellInputs);
        readout.initialize(manager, dataType, cell.getReadoutInputShapes(stateShapes));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape driveShape = encoder.getOutputShapes(inputShapes)[0];
        Shape[] stateShapes = cell.getStateShapes(driveShape);
        return readout.getOutputShapes(cell.getReadoutInputShapes(stateShapes));
    }

    /** A callback for every step of an unroll. */
    @FunctionalInterface
    public interface StepVisitor {

        /**
         * Called after step {@code step} inside that step's scope.
         *
         * @param step the step just taken, from 1
         * @param state the state after that step (freed after the call unless copied)
         * @param stepStore a parameter store whose views live as long as this step
         */
        void onStep(int step, NDList state, ParameterStore stepStore);
    }

    /** Every step's state and, optionally, readout, as returned by {@link #trajectory}. */
    public static final class Trajectory {

        private final List<NDList> states;
        private final List<NDList> predictions;

        Trajectory(List<NDList> states, List<NDList> predictions) {
            this.states = states;
            this.predictions = predictions;
        }

        /**
         * Returns the states after steps 1..T (index 0 holds step 1).
         *
         * @return the states
         */
        public List<NDList> getStates() {
            return states;
        }

        /**
         * Returns the readout applied after steps 1..T, or {@code null} if not requested.
         *
         * @return the per-step predictions
         */
        public List<NDList> getPredictions() {
            return predictions;
        }
    }

    /** The builder for {@link RecurrentNet}. */
    public static final class Builder {

        private Block encoder;
        private RecurrentCell cell;
        private Block readout;
        private int steps = 1;

        Builder() {}

        /**
         * Sets the encoder that computes the drive from the input (required).
         *
         * @param encoder the encoder block
         * @return this builder
         */
        public Builder setEncoder(Block encoder) {
            this.encoder = encoder;
            return this;
        }

        /**
         * Sets the recurrent cell (required).
         *
         * @param cell the cell
         * @return this builder
         */
        public Builder setCell(RecurrentCell cell) {
            this.cell = cell;
            return this;
        }

        /**
         * Sets the readout that maps the final state to predictions (required).
         *
         * @param readout the readout block
         * @return this builder
         */
        public Builder setReadout(Block readout) {
            this.readout = readout;
            return this;
        }

        /**
         * Sets the number of steps of the forward pass (default 1). A {@link GradientMethod}
         * built without a number of steps of its own runs this one; one built with another
         * number is refused when it trains this network, so that validation (this network's
         * forward) and training use one depth.
         *
         * @param steps the number of steps, at least 1
         * @return this builder
         */
        public Builder optSteps(int steps) {
            this.steps = steps;
            return this;
        }

        /**
         * Builds the network.
         *
         * @return the network
         * @throws IllegalArgumentException if a required block is missing or steps is below 1
         */
        public RecurrentNet build() {
            if (encoder == null || cell == null || readout == null) {
                throw new IllegalArgumentException(
                        "A RecurrentNet needs an encoder, a cell and a readout; missing: "
                                + (encoder == null ? "encoder " : "")
                                + (cell == null ? "cell " : "")
                                + (readout == null ? "readout" : ""));
            }
            Checks.checkSteps(steps);
            return new RecurrentNet(this);
        }
    }
}
