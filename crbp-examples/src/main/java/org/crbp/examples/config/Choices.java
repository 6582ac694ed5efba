/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.config;

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
}
