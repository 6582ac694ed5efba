/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.config;

import org.crbp.examples.CliException;

import java.util.Locale;

/** The choices of a setting in words: "a, b or c". */
public final class Choices {

    private Choices() {}

    /**
     * Lists the names of choices, the last one after "or".
     *
     * @param choices the choices, named by their {@code toString()}
     * @return "a, b or c"
     */
    public static String of(Object... choices) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < choices.length; i++) {
            if (i > 0) {
                sb.append(i == choices.length - 1 ? " or " : ", ");
            }
            sb.append(choices[i]);
        }
        return sb.toString();
    }

    /**
     * Looks a choice up by its name (its {@code toString()}), case-insensitive.
     *
     * @param choices the choices
     * @param name the name, with or without surrounding spaces
     * @param <T> the type of the choices
     * @return the choice, or {@code null} if none has that name
     */
    public static <T> T byName(T[] choices, String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (T c : choices) {
            if (c.toString().equals(n)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Reads a setting's value by its name, as a usage error listing the choices when unknown.
     *
     * @param choices the choices
     * @param name the name given
     * @param setting how the error names the setting
     * @param <T> the type of the choices
     * @return the choice
     * @throws CliException naming the setting and the choices if the name is unknown
     */
    public static <T> T parse(T[] choices, String name, String setting) {
        T c = byName(choices, name);
        if (c == null) {
            throw new CliException(setting + " must be " + of((Object[]) choices) + ", got '"
                    + name + "'");
        }
        return c;
    }
}
