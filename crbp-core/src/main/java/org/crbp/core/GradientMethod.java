/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;

/**
 * How a recurrent network is run forward and how its gradient returns, for one batch.
 *
 * <p>Implementations: back-propagation through time ({@link GradientMethods#bptt}, truncated with
 * {@link GradientMethods#truncatedBptt}), recurrent back-propagation by a Neumann series ({@link
 * GradientMethods#rbp}), and either with the Lipschitz coefficient penalty ({@link
 * GradientMethods#cbptt}, {@link GradientMethods#crbp}). Richer options are on {@link Bptt#builder()}
 * and {@link Rbp#builder()}.
 */
public interface GradientMethod {

    /**
     * Runs forward and backward for one batch on one device and <em>adds</em> the gradients into
     * the parameters (DJL semantics: the optimizer step zeroes them).
     *
     * <p>Called with no gradient collector open. The returned predictions belong to the manager
     * of {@code data}; every other array created here is closed before returning.
     *
     * @param net the network
     * @param parameterStore the store that owns the parameters (the trainer's)
     * @param data the network's inputs
     * @param labels the labels
     * @param loss the task loss
     * @return the predictions, the loss, the penalty and diagnostics
     * @throws NonFiniteLossException if the loss or the penalty is NaN or infinite; then no
     *     gradient of this batch was added
     */
    StepResult forwardBackward(
            RecurrentNet net,
            ParameterStore parameterStore,
            NDList data,
            NDList labels,
            Loss loss);

    /**
     * Returns the number of forward steps the method was built with, or 0 when it takes them from
     * the network it trains ({@link RecurrentNet#getSteps()}). A method built with a number runs
     * only networks of that number of steps.
     *
     * @return the number of steps, or 0 for the network's
     */
    int getSteps();

    /**
     * Returns a short name of the method for logs and reports, such as {@code "C-RBP"}.
     *
     * @return the name
     */
    String getName();
}
