/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * Process memory readings ({@link org.crbp.core.bench.ProcessMemory}) for benchmarks and
 * reports. The benchmark programs themselves live in the test sources, outside the library jar.
 */
package org.crbp.core.bench;
