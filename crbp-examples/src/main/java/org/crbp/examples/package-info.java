/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
/**
 * The crbp program's shared pieces: its one-line usage error ({@link
 * org.crbp.examples.CliException}) and its exit codes. The program's packages depend downwards
 * only: {@code cli} on {@code run} and {@code analysis}, {@code run} on {@code analysis} and
 * {@code config}, all of them on {@code pathfinder}.
 */
package org.crbp.examples;
