/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/** Benchmarks of the gradient methods: peak memory against the number of steps, and time. */
package org.crbp.core.bench;
