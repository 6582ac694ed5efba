/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.task;

import java.util.ArrayList;
import java.util.List;

/** A run's finished epochs as a task's pictures draw them: number, loss, penalty, metrics. */
public final class TrainingHistory {

    private final List<Integer> epochs = new ArrayList<>();
    private final List<Double> losses = new ArrayList<>();
    private final List<Double> penalties = new ArrayList<>();
    private final List<Metrics> metrics = new ArrayList<>();

    /** Creates an empty history. */
    public TrainingHistory() {}

    /**
     * Adds an epoch.
     *
     * @param epoch the epoch, from 1
     * @param loss its mean training loss
     * @param penalty its mean penalty
     * @param epochMetrics its named metrics
     */
    public void add(int epoch, double loss, double penalty, Metrics epochMetrics) {
        epochs.add(epoch);
        losses.add(loss);
        penalties.add(penalty);
        metrics.add(epochMetrics);
    }

    /**
     * Returns the number of epochs.
     *
     * @return the epochs held
     */
    public int size() {
        return epochs.size();
    }

    /**
     * Returns the epoch numbers.
     *
     * @return one per epoch
     */
    public double[] epochs() {
        return epochs.stream().mapToDouble(Integer::doubleValue).toArray();
    }

    /**
     * Returns the mean training losses.
     *
     * @return one per epoch
     */
    public double[] losses() {
        return losses.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * Returns the mean penalties.
     *
     * @return one per epoch
     */
    public double[] penalties() {
        return penalties.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * Returns one named metric of every epoch.
     *
     * @param name the metric
     * @return one per epoch, NaN where an epoch lacks it
     */
    public double[] metric(String name) {
        return metrics.stream().mapToDouble(m -> m.get(name)).toArray();
    }
}
