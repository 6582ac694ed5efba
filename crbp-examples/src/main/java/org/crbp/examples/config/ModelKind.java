/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.config;

import com.google.gson.annotations.SerializedName;

import org.crbp.examples.CliException;

/** The models the program trains, by their command-line (and checkpoint) spelling. */
public enum ModelKind {
    /** The hGRU, the paper's recurrent cell. */
    @SerializedName("hgru")
    HGRU("hgru"),
    /** The convolutional LSTM. */
    @SerializedName("convlstm")
    CONVLSTM("convlstm"),
    /** The six-block feedforward control. */
    @SerializedName("ff")
    FF("ff");

    private final String spelling;

    ModelKind(String spelling) {
        this.spelling = spelling;
    }

    /**
     * Returns whether the model is recurrent (hgru, convlstm), as opposed to the ff control.
     *
     * @return whether the model is recurrent
     */
    public boolean recurrent() {
        return this != FF;
    }

    /**
     * Reads a model name, case-insensitive.
     *
     * @param name hgru, convlstm or ff
     * @param names how the error names the setting ({@code model})
     * @return the model
     * @throws CliException naming the choices if the name is unknown
     */
    public static ModelKind parse(String name, SettingNames names) {
        return Choices.parse(values(), name, names.of("model"));
    }

    /**
     * Looks a model up by its name, case-insensitive.
     *
     * @param name the name
     * @return the model, or {@code null} if unknown
     */
    public static ModelKind byName(String name) {
        return Choices.byName(values(), name);
    }

    /** @return the command-line spelling: hgru, convlstm or ff */
    @Override
    public String toString() {
        return spelling;
    }
}
