/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * The Pathfinder contour task: the presets, the generator of images and masks, the data folders
 * {@code crbp generate} writes and the DJL dataset that reads them. The bottom of the program's
 * layers.
 */
package org.crbp.examples.pathfinder;
