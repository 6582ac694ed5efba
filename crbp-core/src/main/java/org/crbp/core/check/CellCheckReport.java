/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What {@link GradientCheck#checkNewCell} found: one line per trap a cell can fall into, each
 * passed or failed with what to do about it.
 *
 * <pre>{@code
 * System.out.println(GradientCheck.checkNewCell(cell, new Shape(2, 4, 6, 6)).throwIfFailed());
 * }</pre>
 */
public final class CellCheckReport {

    private final String cell;
    private final List<Finding> findings = new ArrayList<>();

    CellCheckReport(String cell) {
        this.cell = cell;
    }

    void add(String check, boolean passed, String detail) {
        findings.add(new Finding(check, passed, detail));
    }

    /**
     * Returns the simple class name of the cell checked.
     *
     * @return the cell's name
     */
    public String getCell() {
        return cell;
    }

    /**
     * Returns the findings, in the order the checks ran.
     *
     * @return the findings, unmodifiable
     */
    public List<Finding> getFindings() {
        return Collections.unmodifiableList(findings);
    }

    /**
     * Returns whether every check passed.
     *
     * @return whether the cell fell into no trap
     */
    public boolean passed() {
        for (Finding finding : findings) {
            if (!finding.passed()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns this report when every check passed.
     *
     * @return this report
     * @throws IllegalStateException with the whole report as its message when a check failed
     */
    public CellCheckReport throwIfFailed() {
        if (!passed()) {
            throw new IllegalStateException(toString());
        }
        return this;
    }

    /**
     * Returns the report, one line per check: {@code [pass]} or {@code [FAIL]}, the check and
     * what it found.
     *
     * @return the readable report
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Cell check of ").append(cell).append(':');
        for (Finding finding : findings) {
            text.append(System.lineSeparator()).append(finding);
        }
        return text.toString();
    }

    /** The outcome of one check. */
    public static final class Finding {
        private final String check;
        private final boolean passed;
        private final String detail;

        Finding(String check, boolean passed, String detail) {
            this.check = check;
            this.passed = passed;
            this.detail = detail;
        }

        /**
         * Returns what was checked, e.g. {@code "weights through the parameter store"}.
         *
         * @return the check's name
         */
        public String getCheck() {
            return check;
        }

        /**
         * Returns whether the check passed.
         *
         * @return whether it passed
         */
        public boolean passed() {
            return passed;
        }

        /**
         * Returns what the check measured and, when it failed, the likely cause and the fix.
         *
         * @return the detail
         */
        public String getDetail() {
            return detail;
        }

        /**
         * Returns the finding as one line: {@code [pass]} or {@code [FAIL]}, the check, the detail.
         *
         * @return the line
         */
        @Override
        public String toString() {
            return (passed ? "  [pass] " : "  [FAIL] ") + check + ": " + detail;
        }
    }
}
