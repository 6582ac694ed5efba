/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * The {@code crbp} command line: one picocli command per verb (train, evaluate, analyze,
 * compare, reproduce, benchmark, generate), the option groups they share ({@code
 * CommonOptions}, {@code ForwardSolverOptions}) and the command line's spelling of the run's
 * settings ({@code OptionNames}). The top layer: nothing imports it.
 */
package org.crbp.examples.cli;
