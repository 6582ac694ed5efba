/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

/**
 * Thrown when a batch's loss or penalty is NaN or infinite. No gradient of that batch has been
 * added to the parameters when it is thrown, so the model is still the last good one.
 */
public class NonFiniteLossException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was not finite, and where
     */
    public NonFiniteLossException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what was not finite, and where
     * @param cause the exception from deeper down
     */
    public NonFiniteLossException(String message, Throwable cause) {
        super(message, cause);
    }
}
