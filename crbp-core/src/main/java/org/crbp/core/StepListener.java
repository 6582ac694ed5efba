/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

/**
 * Called by a gradient method between the recurrent steps of one batch: after each forward
 * evaluation of the cell and after each adjoint product. A batch of a long unroll (hundreds of
 * steps at paper size) can take minutes, so this is where a time budget, a progress line or a
 * cancel button looks in.
 *
 * <p>A listener may throw an unchecked exception to abandon the batch. The method then returns
 * nothing and frees everything it made for the batch; gradients already accumulated into the
 * parameters (the readout's, when the adjoint solve was interrupted) are left for the caller to
 * discard: do not take an optimizer step after an abandoned batch.
 *
 * <pre>{@code
 * long deadline = System.nanoTime() + budget;
 * GradientMethod method = Rbp.builder().setSteps(20)
 *         .optStepListener((phase, index) -> {
 *             if (System.nanoTime() > deadline) {
 *                 throw new CancellationException("time budget spent");
 *             }
 *         })
 *         .build();
 * }</pre>
 */
@FunctionalInterface
public interface StepListener {

    /** A listener that does nothing (the default). */
    StepListener NONE = (phase, index) -> {};

    /** Which half of the method a step belongs to. */
    enum Phase {
        /** An evaluation of the cell: a forward step (recorded or not). */
        FORWARD,
        /** A vector-Jacobian product of the adjoint solve. */
        ADJOINT
    }

    /**
     * Called after a step.
     *
     * @param phase the phase the step belongs to
     * @param index the step's number within its phase and batch, from 1
     */
    void afterStep(Phase phase, int index);
}
