/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.config;

import com.google.gson.annotations.SerializedName;

import org.crbp.examples.CliException;

/** The gradient methods the program trains with, by their command-line spelling. */
public enum MethodKind {
    /** Back-propagation through time. */
    @SerializedName("bptt")
    BPTT("bptt", "BPTT"),
    /** BPTT with the Lipschitz coefficient penalty. */
    @SerializedName("cbptt")
    CBPTT("cbptt", "C-BPTT"),
    /** Recurrent back-propagation. */
    @SerializedName("rbp")
    RBP("rbp", "RBP"),
    /** Contractive RBP: RBP with the Lipschitz coefficient penalty. */
    @SerializedName("crbp")
    CRBP("crbp", "C-RBP"),
    /** Truncated BPTT. */
    @SerializedName("tbptt")
    TBPTT("tbptt", "TBPTT");

    private final String spelling;
    private final String label;

    MethodKind(String spelling, String label) {
        this.spelling = spelling;
        this.label = label;
    }

    /**
     * Returns the display name: BPTT, C-BPTT, RBP, C-RBP or TBPTT.
     *
     * @return the display name
     */
    public String label() {
        return label;
    }

    /**
     * Returns whether the method takes the implicit gradient at a fixed point (rbp, crbp).
     *
     * @return whether it is RBP or C-RBP
     */
    public boolean rbpFamily() {
        return this == RBP || this == CRBP;
    }

    /**
     * Returns whether the method adds the Lipschitz coefficient penalty (cbptt, crbp).
     *
     * @return whether it is C-BPTT or C-RBP
     */
    public boolean penalized() {
        return this == CBPTT || this == CRBP;
    }

    /**
     * Looks a method up by its spelling, case-insensitive.
     *
     * @param name the name
     * @return the method, or {@code null} if unknown
     */
    public static MethodKind byName(String name) {
        return Choices.byName(values(), name);
    }

    /**
     * Reads a method's name (setting {@code method}), case-insensitive.
     *
     * @param name bptt, cbptt, rbp, crbp or tbptt
     * @param names how the error names the setting
     * @return the method
     * @throws CliException naming the choices if the name is unknown
     */
    public static MethodKind parse(String name, SettingNames names) {
        return Choices.parse(values(), name, names.of("method"));
    }

    /** @return the command-line spelling */
    @Override
    public String toString() {
        return spelling;
    }
}
