/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The hook a training loop polls to stop early and cleanly: a time budget (checked between the
 * batches and, where the gradient method offers a per-step callback, between the recurrent steps
 * of one batch), a divergence with {@code --stop-on-divergence}, or an explicit request from
 * another thread. The first reason given wins; the loop then keeps the last good checkpoint (or
 * writes one of the partial epoch) and ends.
 *
 * <pre>{@code
 * StopSignal stop = StopSignal.withDeadline(System.nanoTime() + budgetNanos);
 * for (Batch b : batches) {
 *     train(b);
 *     if (stop.shouldStop()) { checkpoint(); break; }
 * }
 * }</pre>
 */
public final class StopSignal {

    /** Why a run stopped. */
    public enum Reason {
        /** The time budget is spent. */
        TIME_BUDGET,
        /** The loss or penalty blew up and the run was asked to stop on divergence. */
        DIVERGENCE,
        /** Asked for explicitly (tests, a signal handler). */
        REQUESTED
    }

    /** Thrown from inside a batch (between recurrent steps) when the run must stop now. */
    public static final class StopException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Reason reason;

        StopException(Reason reason) {
            super("stopped: " + reason);
            this.reason = reason;
        }

        /**
         * Returns why.
         *
         * @return the reason
         */
        public Reason getReason() {
            return reason;
        }
    }

    private final long deadlineNanos;
    private final AtomicReference<Reason> reason = new AtomicReference<>();
    private volatile String detail = "";

    private StopSignal(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    /**
     * A signal with no deadline.
     *
     * @return the signal
     */
    public static StopSignal none() {
        return new StopSignal(Long.MAX_VALUE);
    }

    /**
     * A signal that fires at a {@link System#nanoTime()} deadline.
     *
     * @param deadlineNanos the deadline ({@code Long.MAX_VALUE}: none)
     * @return the signal
     */
    public static StopSignal withDeadline(long deadlineNanos) {
        return new StopSignal(deadlineNanos);
    }

    /**
     * Asks the run to stop; the first request is kept.
     *
     * @param why the reason
     * @param text one line saying what happened, for the console
     */
    public void request(Reason why, String text) {
        if (reason.compareAndSet(null, why)) {
            detail = text == null ? "" : text;
        }
    }

    /**
     * Whether the run should stop now; passing the deadline counts as a request.
     *
     * @return whether to stop
     */
    public boolean shouldStop() {
        if (reason.get() == null && deadlineNanos != Long.MAX_VALUE
                && System.nanoTime() - deadlineNanos > 0) {
            request(Reason.TIME_BUDGET, "time budget reached");
        }
        return reason.get() != null;
    }

    /**
     * For a per-step callback inside a batch: throws when the run should stop.
     *
     * @throws StopException if {@link #shouldStop()}
     */
    public void check() {
        if (shouldStop()) {
            throw new StopException(reason.get());
        }
    }

    /**
     * Returns the reason, or {@code null} while running.
     *
     * @return the reason
     */
    public Reason getReason() {
        return reason.get();
    }

    /**
     * Returns the line given with the request.
     *
     * @return the detail, empty if none
     */
    public String getDetail() {
        return detail;
    }
}
