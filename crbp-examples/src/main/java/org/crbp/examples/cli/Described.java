/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.config.AdjointSolverKind;
import org.crbp.examples.config.ForwardSolverKind;

import java.util.Arrays;
import java.util.Iterator;

/**
 * The choices of an option with what each does, for its help's {@code ${COMPLETION-CANDIDATES}}:
 * the help text reads them from the same enum that validation and setup use.
 */
final class Described {

    private Described() {}

    private static Iterator<String> of(Object[] kinds, java.util.function.Function<Object,
            String> description) {
        return Arrays.stream(kinds).map(k -> k + " (" + description.apply(k) + ")").iterator();
    }

    /** The forward solvers of {@code --solver}. */
    static final class ForwardSolvers implements Iterable<String> {
        /** {@inheritDoc} */
        @Override
        public Iterator<String> iterator() {
            return of(ForwardSolverKind.values(), k -> ((ForwardSolverKind) k).description());
        }
    }

    /** The adjoint solvers of {@code --backward}. */
    static final class AdjointSolvers implements Iterable<String> {
        /** {@inheritDoc} */
        @Override
        public Iterator<String> iterator() {
            return of(AdjointSolverKind.values(), k -> ((AdjointSolverKind) k).description());
        }
    }
}
