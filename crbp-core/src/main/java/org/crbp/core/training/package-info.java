/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * Training-loop glue that runs a {@link org.crbp.core.GradientMethod} inside DJL's {@link
 * ai.djl.training.Trainer}, so that DJL's listeners, evaluators, progress bar and checkpoints
 * work unchanged.
 */
package org.crbp.core.training;
