/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/** Benchmark programs that need the models and the Pathfinder data (not part of any library). */
package org.crbp.examples.bench;
