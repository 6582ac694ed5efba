/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.docs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

import org.crbp.core.RecurrentCell;

/**
 * The custom cell of docs/method.md: a leaky integrator {@code h' = (1 - a) h + a relu(W * h + x)}
 * with a per-channel rate {@code a}. Its forward is one step; every gradient method trains it.
 */
public class LeakyReluCell extends RecurrentCell {

    private final Parameter weight;
    private final Parameter rate;

    /**
     * Creates the cell.
     *
     * @param channels the number of channels of the drive and the state
     */
    public LeakyReluCell(int channels) {
        weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(channels, channels, 3, 3))
                .optInitializer(new NormalInitializer(0.1f))
                .build());
        rate = addParameter(Parameter.builder()
                .setName("rate")
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(channels, 1, 1))
                .optInitializer(new ConstantInitializer(0.5f))
                .build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray drive = inputs.get(0); // computed once by the encoder
        NDArray h = inputs.get(1); // the state
        NDArray w = ps.getValue(weight, drive.getDevice(), training);
        NDArray a = ps.getValue(rate, drive.getDevice(), training);
        NDArray input = Conv2d.conv2d(h, w, null, new Shape(1, 1), new Shape(1, 1)).head();
        // state first in each product: results belong to the first operand's manager
        NDArray next = h.sub(h.mul(a)).add(Activation.relu(input.add(drive)).mul(a));
        return new NDList(next); // same shape as the state
    }
}
