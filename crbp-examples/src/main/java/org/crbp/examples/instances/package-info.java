/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * Panoptic segmentation data at CPU scale: a seeded generator of scenes whose instances need
 * long-range grouping ({@link org.crbp.examples.instances.SceneGenerator}), COCO panoptic and COCO
 * instance files (written and read, {@link org.crbp.examples.instances.PanopticFolder}, {@link
 * org.crbp.examples.instances.CocoInstances}, {@link org.crbp.examples.instances.CocoRle}), the
 * training targets of a recurrent mask head ({@link
 * org.crbp.examples.instances.PanopticTargets}) and Panoptic Quality as the COCO panoptic API
 * computes it ({@link org.crbp.examples.instances.PanopticQuality}). See {@code
 * docs/instances.md}.
 */
package org.crbp.examples.instances;
