/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * Instance-segmentation blocks at CPU scale, for the paper's second experiment: Mask R-CNN's mask
 * head replaced by an hGRU trained with C-RBP.
 *
 * <ul>
 *   <li>{@link org.crbp.models.instances.RoiAlign}: bilinear ROIAlign ("aligned" pixel centres)
 *       written with the engine's differentiable operations;
 *   <li>{@link org.crbp.models.instances.FeedforwardMaskHead}: Mask R-CNN's head (four 3×3
 *       convolutions, a 2× transposed convolution, a 1×1 per-class predictor);
 *   <li>{@link org.crbp.models.instances.RecurrentMaskHead}: the same readout behind one {@link
 *       org.crbp.models.HgruCell} with 3×3 kernels, as a {@link org.crbp.core.RecurrentNet} that
 *       every {@link org.crbp.core.GradientMethod} trains;
 *   <li>{@link org.crbp.models.instances.InstanceBackbone}, {@link
 *       org.crbp.models.instances.SemanticHead}, {@link org.crbp.models.instances.MaskLoss};
 *   <li>{@link org.crbp.models.instances.RoiFeatureEncoder} and {@link
 *       org.crbp.models.instances.InstanceSegmentationModel}: the whole model trained in one step
 *       per batch, the backbone taking gradients from the mask loss (through any gradient method)
 *       and the semantic loss.
 * </ul>
 */
package org.crbp.models.instances;
