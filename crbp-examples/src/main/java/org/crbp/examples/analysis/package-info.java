/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * Measurements of a trained model: scores on a test set, the contraction of its dynamics, the
 * paper's analyses, the statistics behind them and the charts. Builds on the Pathfinder data
 * only, not on a training run.
 */
package org.crbp.examples.analysis;
