/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The categories of a panoptic data set, in file order, and the class indices a network
 * predicts for them.
 *
 * <p>Semantic classes (the per-pixel head): 0 is "thing" (any thing category), {@code 1 + k} is
 * the {@code k}-th stuff category in file order; void pixels are {@link
 * PanopticTargets#IGNORE}. Thing classes (the per-instance head): the {@code k}-th thing category
 * in file order is class {@code k}.
 */
public final class PanopticCategories {

    /** The semantic class of every thing pixel. */
    public static final int THING_SEMANTIC_CLASS = 0;

    private final List<PanopticCategory> all;
    private final List<PanopticCategory> things;
    private final List<PanopticCategory> stuff;
    private final Map<Integer, PanopticCategory> byId = new HashMap<>();
    private final Map<Integer, Integer> classIndex = new HashMap<>();

    /**
     * Creates the category list.
     *
     * @param categories the categories, in file order
     * @throws IllegalArgumentException if it is empty or an id is repeated
     */
    public PanopticCategories(List<PanopticCategory> categories) {
        if (categories.isEmpty()) {
            throw new IllegalArgumentException("there must be at least one category");
        }
        List<PanopticCategory> t = new ArrayList<>();
        List<PanopticCategory> s = new ArrayList<>();
        for (PanopticCategory c : categories) {
            if (byId.put(c.id(), c) != null) {
                throw new IllegalArgumentException("category id " + c.id() + " is listed twice");
            }
            if (c.thing()) {
                classIndex.put(c.id(), t.size());
                t.add(c);
            } else {
                classIndex.put(c.id(), s.size());
                s.add(c);
            }
        }
        all = Collections.unmodifiableList(new ArrayList<>(categories));
        things = Collections.unmodifiableList(t);
        stuff = Collections.unmodifiableList(s);
    }

    /**
     * Returns every category, in file order.
     *
     * @return the categories
     */
    public List<PanopticCategory> all() {
        return all;
    }

    /**
     * Returns the thing categories, in file order (the thing classes).
     *
     * @return the thing categories
     */
    public List<PanopticCategory> things() {
        return things;
    }

    /**
     * Returns the stuff categories, in file order.
     *
     * @return the stuff categories
     */
    public List<PanopticCategory> stuff() {
        return stuff;
    }

    /**
     * Returns a category by id.
     *
     * @param id the category id
     * @return the category, or {@code null} if unknown
     */
    public PanopticCategory get(int id) {
        return byId.get(id);
    }

    /**
     * Returns whether a category id is known.
     *
     * @param id the category id
     * @return whether it is listed
     */
    public boolean contains(int id) {
        return byId.containsKey(id);
    }

    /**
     * Returns the number of semantic classes: "thing" and every stuff category.
     *
     * @return {@code 1 + stuff().size()}
     */
    public int semanticClassCount() {
        return 1 + stuff.size();
    }

    /**
     * Returns the semantic class of a category: {@link #THING_SEMANTIC_CLASS} for a thing,
     * {@code 1 + k} for the {@code k}-th stuff category.
     *
     * @param categoryId the category id
     * @return the class
     * @throws IllegalArgumentException if the id is unknown
     */
    public int semanticClass(int categoryId) {
        PanopticCategory c = require(categoryId);
        return c.thing() ? THING_SEMANTIC_CLASS : 1 + classIndex.get(categoryId);
    }

    /**
     * Returns the thing class of a thing category: its position among the thing categories.
     *
     * @param categoryId the category id
     * @return the class, 0 to {@code things().size() - 1}
     * @throws IllegalArgumentException if the id is unknown or a stuff category
     */
    public int thingClass(int categoryId) {
        PanopticCategory c = require(categoryId);
        if (!c.thing()) {
            throw new IllegalArgumentException("category " + categoryId + " (" + c.name()
                    + ") is stuff, not a thing");
        }
        return classIndex.get(categoryId);
    }

    private PanopticCategory require(int categoryId) {
        PanopticCategory c = byId.get(categoryId);
        if (c == null) {
            throw new IllegalArgumentException("unknown category id " + categoryId);
        }
        return c;
    }
}
