/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * Speed measurements of the models' building blocks: {@link
 * org.crbp.models.bench.HgruStepBenchmark} times an hGRU step against its two horizontal
 * convolutions alone.
 */
package org.crbp.models.bench;
