/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.config.SettingNames;

/**
 * The command line's spelling of a setting: its key with two dashes ({@code train-size} is
 * {@code --train-size}), so that the run's messages name the options the user typed.
 */
final class OptionNames {

    /** Every setting as the option of the same name. */
    static final SettingNames OPTIONS = key -> "--" + key;

    private OptionNames() {}
}
