/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.solver;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * A map {@code z -> F(z)} whose fixed point a {@link FixedPointSolver} looks for: one step of a
 * recurrent cell with the drive and the weights held fixed (the state may have several tensors),
 * or the adjoint map {@code g -> v + J^T g}.
 *
 * <p>Evaluations record no gradient. An implementation must not change or close {@code z}, and
 * must free its temporaries before returning.
 */
@FunctionalInterface
public interface FixedPointMap {

    /**
     * Evaluates the map once.
     *
     * @param z the point, one array per state tensor; its first dimension is the batch
     * @param manager the manager the result must belong to
     * @return {@code F(z)}, arrays of {@code z}'s shapes, in {@code manager}
     */
    NDList apply(NDList z, NDManager manager);
}
