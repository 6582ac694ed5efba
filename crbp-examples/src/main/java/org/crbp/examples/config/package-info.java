/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * What a training run is and records, as plain data: its configuration ({@link
 * org.crbp.examples.config.RunConfig}), the kinds of model and gradient method it names, an
 * epoch's running statistics, and the JSON and atomic files they are written with. The bottom of
 * the program's layers: the commands and the run build on it, it builds on none of them.
 */
package org.crbp.examples.config;
