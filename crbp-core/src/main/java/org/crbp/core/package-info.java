/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * Contractive recurrent networks for DJL: a {@link org.crbp.core.RecurrentNet} (encoder, a
 * {@link org.crbp.core.RecurrentCell} run {@code T} times, readout) and the {@link
 * org.crbp.core.GradientMethod}s that train it: back-propagation through time ({@link
 * org.crbp.core.Bptt}), recurrent back-propagation at a fixed point ({@link org.crbp.core.Rbp}),
 * and either with the Lipschitz coefficient penalty ({@link org.crbp.core.LipschitzPenalty}) that
 * keeps the step contractive (C-BPTT, C-RBP). {@link org.crbp.core.GradientMethods} builds the
 * usual ones in one call; {@link org.crbp.core.ContractionAnalysis} measures how contractive a
 * trained network is.
 *
 * <p>The number of steps {@code T} is set on the network ({@code RecurrentNet.Builder.optSteps});
 * a gradient method built without {@code setSteps} runs the network's.
 */
package org.crbp.core;
