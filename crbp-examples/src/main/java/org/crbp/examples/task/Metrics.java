/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.task;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named metrics in a fixed order: what a task's evaluator says about a model, as an epoch's
 * record, a report or a console line carries it. The order is the task's own (it is the order
 * of the keys in {@code state.json} and {@code report.json}).
 */
public final class Metrics {

    /** No metrics. */
    public static final Metrics EMPTY = new Metrics(new LinkedHashMap<>());

    private final Map<String, Double> values;

    private Metrics(Map<String, Double> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /**
     * Makes metrics from a map, keeping its iteration order.
     *
     * @param values the values by name
     * @return the metrics
     */
    public static Metrics of(Map<String, Double> values) {
        return new Metrics(new LinkedHashMap<>(values));
    }

    /**
     * Returns these metrics and one more (or one replaced, in its place).
     *
     * @param name the metric's name
     * @param value its value
     * @return the new metrics
     */
    public Metrics with(String name, double value) {
        Map<String, Double> m = new LinkedHashMap<>(values);
        m.put(name, value);
        return new Metrics(m);
    }

    /**
     * Returns these metrics followed by others.
     *
     * @param more the others (a name already here keeps its place and takes the new value)
     * @return the new metrics
     */
    public Metrics and(Metrics more) {
        Map<String, Double> m = new LinkedHashMap<>(values);
        m.putAll(more.values);
        return new Metrics(m);
    }

    /**
     * Returns one metric.
     *
     * @param name its name
     * @return its value, NaN if these metrics do not hold it
     */
    public double get(String name) {
        Double v = values.get(name);
        return v == null ? Double.NaN : v;
    }

    /**
     * Returns whether a metric is here.
     *
     * @param name its name
     * @return whether it is held
     */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /**
     * Returns the names in order.
     *
     * @return the names
     */
    public List<String> names() {
        return new ArrayList<>(values.keySet());
    }

    /**
     * Returns the metrics as an ordered, unmodifiable map.
     *
     * @return the map
     */
    public Map<String, Double> asMap() {
        return values;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return values.toString();
    }
}
