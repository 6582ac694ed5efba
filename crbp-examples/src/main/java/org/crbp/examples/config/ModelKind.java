/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.config;

import com.google.gson.annotations.SerializedName;

import org.crbp.examples.CliException;

import java.util.Locale;

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
     * @return the model
     * @throws CliException naming the choices if the name is unknown
     */
    public static ModelKind parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (ModelKind m : values()) {
            if (m.spelling.equals(n)) {
                return m;
            }
        }
        throw new CliException("--model must be hgru, convlstm or ff, got '" + name + "'");
    }

    /** @return the command-line spelling: hgru, convlstm or ff */
    @Override
    public String toString() {
        return spelling;
    }
}
