/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * The paper's models as DJL blocks: the recurrent cells {@link org.crbp.models.HgruCell} and
 * {@link org.crbp.models.ConvLstmCell} (for {@link org.crbp.core.RecurrentNet}), the Gabor input
 * layer with its Gabor bank, the segmentation readout with batch-statistics normalisation ({@link
 * org.crbp.models.BatchStatsNorm}), stride-1 "same" convolutions, the reference's initialisations,
 * the focal and focal-Dice losses and the foreground F1/IoU evaluator; {@link
 * org.crbp.models.PathfinderModels} assembles the Pathfinder models (and the feedforward control)
 * from them.
 *
 * <p>The hGRU and convLSTM models normalise with the batch's statistics in evaluation too, as the
 * reference code does: their predictions depend on the batch they are evaluated in.
 */
package org.crbp.models;
