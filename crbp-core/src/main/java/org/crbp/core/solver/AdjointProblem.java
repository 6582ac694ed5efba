/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.solver;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * The linear system of recurrent back-propagation, {@code g^T (I - J) = v^T}, or {@code g = v +
 * J^T g}: {@code v = dL/dh_T} is the loss gradient at the last step and {@code J} the Jacobian of
 * one step with respect to the state at the fixed point. An {@link AdjointSolver} sees it only
 * through the right-hand side and vector-Jacobian products.
 */
public interface AdjointProblem {

    /**
     * Returns {@code v}, one array per state tensor. The solver must not change or close it.
     *
     * @return the right-hand side
     */
    NDList rightHandSide();

    /**
     * Computes {@code J^T u} (one first-order backward through the step at the fixed point).
     *
     * @param u one array per state tensor, shaped like the state
     * @param manager the manager of the result
     * @return {@code J^T u}, in {@code manager}
     */
    NDList vjp(NDList u, NDManager manager);
}
