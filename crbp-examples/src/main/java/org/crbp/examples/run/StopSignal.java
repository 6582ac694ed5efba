/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import java.util.concurrent.atomic.AtomicReference;

/**
 * How a training run stops early and cleanly, in one place: the time budget's deadline (checked
 * between the batches and, through the gradient method's step listener, between the recurrent
 * steps of one batch), a divergence with stop-on-divergence, or an explicit request. The first
 * reason given wins; the loop then leaves crbp-core's {@code fit} by a {@link StopException},
 * and the run keeps the last good checkpoint (or writes one of the partial epoch) and ends.
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
        /** Asked for explicitly: after a number of batches (tests), or by another thread. */
        REQUESTED,
        /** Asked to stop after an epoch, as an interruption would (tests). */
        EPOCH_LIMIT
    }

    /**
     * Thrown out of the training loop (between two batches, between the recurrent steps of a
     * batch, or after an epoch) when the run must stop now.
     */
    public static final class StopException extends RuntimeException {
        /** The serialisation version. */
        private static final long serialVersionUID = 1L;
        private final transient Reason reason;
        /** The batches of the current epoch done. */
        private final int batches;

        /**
         * Creates the stop.
         *
         * @param reason why
         * @param batches the batches of the current epoch done (counting those before a resume)
         */
        public StopException(Reason reason, int batches) {
            super("stopped: " + reason, null, false, false);
            this.reason = reason;
            this.batches = batches;
        }

        /**
         * Returns why.
         *
         * @return the reason
         */
        public Reason getReason() {
            return reason;
        }

        /**
         * Returns the number of the current epoch's batches done when the run stopped.
         *
         * @return the batches, counting those before a resume
         */
        public int getBatches() {
            return batches;
        }
    }

    /** No deadline: the run may take as long as it needs. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private volatile long deadlineNanos;
    private final AtomicReference<Reason> reason = new AtomicReference<>();
    private volatile String detail = "";

    private StopSignal(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    /**
     * A signal with no deadline (one may be set later with {@link #setDeadline}).
     *
     * @return the signal
     */
    public static StopSignal none() {
        return new StopSignal(NO_DEADLINE);
    }

    /**
     * A signal that fires at a {@link System#nanoTime()} deadline.
     *
     * @param deadlineNanos the deadline ({@link #NO_DEADLINE}: none)
     * @return the signal
     */
    public static StopSignal withDeadline(long deadlineNanos) {
        return new StopSignal(deadlineNanos);
    }

    /**
     * Sets the deadline, once the time a run has already spent is known.
     *
     * @param deadlineNanos a {@link System#nanoTime()} instant, or {@link #NO_DEADLINE}
     */
    public void setDeadline(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    /**
     * Returns the deadline, for work that bounds itself by it (validation between epochs).
     *
     * @return a {@link System#nanoTime()} instant, or {@link #NO_DEADLINE}
     */
    public long getDeadline() {
        return deadlineNanos;
    }

    /**
     * Returns whether an instant lies past the deadline; asks for nothing.
     *
     * @param nowNanos a {@link System#nanoTime()} instant
     * @return whether the time budget is spent at that instant
     */
    public boolean isPastDeadline(long nowNanos) {
        long deadline = deadlineNanos;
        return deadline != NO_DEADLINE && nowNanos - deadline > 0;
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
        if (reason.get() == null && isPastDeadline(System.nanoTime())) {
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
            throw new StopException(reason.get(), -1);
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
