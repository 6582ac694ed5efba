/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.training;

import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;

import java.lang.reflect.Field;

/**
 * Reaches the trainer's own parameter store. Gradient methods must put their gradients into the
 * arrays the trainer's optimizer updates; with several devices those are per-device copies that
 * only the trainer's store knows, and DJL 0.36 offers no getter for it.
 */
final class TrainerAccess {

    private static final Field PARAMETER_STORE = findField();

    private TrainerAccess() {}

    private static Field findField() {
        try {
            Field field = Trainer.class.getDeclaredField("parameterStore");
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    static ParameterStore parameterStore(Trainer trainer) {
        if (PARAMETER_STORE == null) {
            throw new IllegalStateException(
                    "This DJL version's Trainer has no 'parameterStore' field; crbp is built for"
                            + " DJL 0.36. Call GradientMethod.forwardBackward with your own"
                            + " ParameterStore instead.");
        }
        try {
            return (ParameterStore) PARAMETER_STORE.get(trainer);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot read the trainer's parameter store", e);
        }
    }
}
