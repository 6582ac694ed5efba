/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;

import java.util.Arrays;

/**
 * One step of a recurrent network, written as a DJL block.
 *
 * <p>A cell's forward is a single step {@code h' = F(x, h; w)}: its inputs are {@code [drive,
 * state...]} and its outputs are {@code [next state...]}, one output per state tensor and of the
 * same shape. The drive {@code x} is computed once by the network's encoder and fed unchanged to
 * every step. Every {@link GradientMethod} works for any cell written this way; a cell may carry
 * several state tensors (a convLSTM's {@code h} and {@code c}).
 *
 * <p>Rules a cell must keep so that the gradient methods are exact and memory stays bounded:
 *
 * <ul>
 *   <li>read weights only through {@code parameterStore.getValue(...)} in {@code forwardInternal};
 *   <li>keep no state between calls: auxiliary evaluations (Neumann terms, the penalty) call the
 *       step again and must not change the model (normalise with batch statistics, never update
 *       running statistics);
 *   <li>create new arrays from the inputs' managers (for example {@code drive.getManager()}), so
 *       that each step's temporaries are freed with the step;
 *   <li><b>no scalar (Number) operands</b> on anything that depends on the inputs or the
 *       weights: {@code h.mul(0.5f)} makes DJL wrap {@code 0.5f} in a Java buffer that it
 *       releases after the operation while autograd still reads it in the backward pass, so
 *       after a garbage collection the gradients are silently wrong. Write constants as arrays,
 *       e.g. {@code h.getManager().full(new Shape(), 0.5f, h.getDataType())}.
 * </ul>
 *
 * <p>Check a new cell with {@link org.crbp.core.check.GradientCheck#checkCell}: it forces a
 * garbage collection between forward and backward, so the scalar-operand trap fails loudly.
 */
public abstract class RecurrentCell extends AbstractBlock {

    private static final byte VERSION = 1;

    /** Creates a cell with version 1. */
    protected RecurrentCell() {
        super(VERSION);
    }

    /**
     * Creates a cell with the given block version (stored with saved parameters).
     *
     * @param version the version of the cell's parameter format
     */
    protected RecurrentCell(byte version) {
        super(version);
    }

    /**
     * Returns whether RBP's adjoint solve iterates on state tensor {@code index} (default: every
     * tensor). A tensor that is not implicit is held at its fixed-point value: the adjoint system
     * becomes {@code g_h = v_h + J_hh^T g_h} on the implicit tensors only, and the gradient reaches
     * the weights through the recorded step's implicit outputs. The reference's convLSTM runs RBP
     * on {@code h} alone, with {@code c_(T-1)} detached.
     *
     * @param index the state tensor's index, from 0
     * @return whether the implicit gradient iterates on it
     */
    public boolean isImplicitState(int index) {
        return true;
    }

    /**
     * Returns the shapes of the state tensors for a drive of the given shape.
     *
     * <p>The default is one state tensor with the drive's shape.
     *
     * @param driveShape the shape of the drive
     * @return the shapes of the state tensors, in the order the cell takes and returns them
     */
    public Shape[] getStateShapes(Shape driveShape) {
        return new Shape[] {driveShape};
    }

    /**
     * Returns the state before the first step: zeros of {@link #getStateShapes(Shape)} with the
     * drive's data type, on the drive's device and in the drive's manager.
     *
     * @param drive the drive computed by the encoder
     * @return the initial state tensors
     */
    public NDList initialState(NDArray drive) {
        NDList state = new NDList();
        for (Shape shape : getStateShapes(drive.getShape())) {
            state.add(drive.getManager().zeros(shape, drive.getDataType()));
        }
        return state;
    }

    /**
     * Selects what the readout sees of a state. The default is the first state tensor (the hidden
     * state {@code h}).
     *
     * @param state the state tensors
     * @return the readout's inputs
     */
    public NDList readoutInput(NDList state) {
        return new NDList(state.get(0));
    }

    /**
     * The shapes of {@link #readoutInput(NDList)} for states of the given shapes.
     *
     * @param stateShapes the shapes of the state tensors
     * @return the shapes of the readout's inputs
     */
    public Shape[] getReadoutInputShapes(Shape[] stateShapes) {
        return new Shape[] {stateShapes[0]};
    }

    /**
     * {@inheritDoc}
     *
     * <p>A cell's outputs have the shapes of its state inputs.
     */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return Arrays.copyOfRange(inputShapes, 1, inputShapes.length);
    }
}
