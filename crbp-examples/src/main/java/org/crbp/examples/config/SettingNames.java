/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.config;

/**
 * How a message names a setting. The run and its configuration name settings by their keys (as
 * in a run folder's {@code config.json}: {@code train-size}, {@code tol}); a front end that
 * spells them otherwise (the command line's {@code --train-size}) passes its own spelling, so that
 * the run's messages use the words its user typed without the run knowing them.
 */
@FunctionalInterface
public interface SettingNames {

    /** Settings named by their keys, the run's own neutral words. */
    SettingNames KEYS = key -> key;

    /**
     * Returns how a message names a setting.
     *
     * @param key the setting's key, as in {@code config.json}
     * @return the name to print
     */
    String of(String key);
}
