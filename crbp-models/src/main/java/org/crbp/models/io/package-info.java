/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * Weights in and out of the Pathfinder models: {@link org.crbp.models.io.TrainedModel} loads a
 * model trained by the {@code crbp train} program from its run folder, and {@link
 * org.crbp.models.io.ReferenceWeights} moves weights to and from the reference PyTorch
 * implementation as NumPy {@code .npz} files.
 */
package org.crbp.models.io;
