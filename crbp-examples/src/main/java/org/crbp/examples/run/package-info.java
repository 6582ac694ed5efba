/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * A training run and what it reads and writes: {@link org.crbp.examples.run.Training} with its
 * loop, watch, stop signal and report, checkpoints and the run folder, and the setup that turns
 * a configuration into a block, a gradient method and data. Names settings by their keys; a
 * front end passes its own spelling.
 */
package org.crbp.examples.run;
