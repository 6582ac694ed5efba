/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.util.HashMap;
import java.util.Map;

/**
 * A parameter store that hands out per-scope views of another store's parameters.
 *
 * <p>Two problems of running a cell many times per batch are solved here:
 *
 * <ul>
 *   <li><b>Memory.</b> In DJL an operation's result belongs to the manager of its first operand.
 *       A cell that writes {@code alpha.mul(h)} with {@code alpha} taken straight from the model
 *       would leave every result in the model's manager, which lives as long as the model. The
 *       views handed out here belong to the current scope (for example one step's sub-manager),
 *       so everything the step creates is freed with that scope.
 *   <li><b>Clean gradients.</b> With {@code detach} on, the views are cut from the autograd graph:
 *       auxiliary evaluations of a step (Neumann terms, no-gradient unrolls) then add nothing
 *       into the parameters' gradients.
 * </ul>
 *
 * <p>Views are created once per parameter, device and scope; {@link #setScope(NDManager)} starts
 * a new scope. The store is not thread safe: use one per thread.
 */
public class ScopedParameterStore extends ParameterStore {

    private final ParameterStore delegate;
    private final boolean detach;
    private final Map<String, NDArray> views = new HashMap<>();
    private NDManager scope;

    /**
     * Creates a store of views of {@code delegate}'s parameters.
     *
     * @param delegate the store that owns the parameters (the trainer's)
     * @param scope the manager that owns the views until {@link #setScope(NDManager)} is called
     * @param detach whether the views are cut from the autograd graph
     */
    public ScopedParameterStore(ParameterStore delegate, NDManager scope, boolean detach) {
        super(delegate.getManager(), false);
        this.delegate = delegate;
        this.scope = scope;
        this.detach = detach;
    }

    /**
     * Starts a new scope: later views belong to {@code newScope}. Views of the old scope are
     * freed when the old scope closes.
     *
     * @param newScope the manager that owns the views from now on
     */
    public void setScope(NDManager newScope) {
        this.scope = newScope;
        views.clear();
    }

    /**
     * Returns whether the views are cut from the autograd graph.
     *
     * @return whether the views are detached
     */
    public boolean isDetached() {
        return detach;
    }

    /**
     * Returns the store whose parameters this store views.
     *
     * @return the underlying store
     */
    public ParameterStore getDelegate() {
        return delegate;
    }

    /** {@inheritDoc} */
    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        if (parameter == null) {
            return null;
        }
        String key = parameter.getId() + '@' + device;
        NDArray view = views.get(key);
        if (view == null) {
            NDArray value = delegate.getValue(parameter, device, training);
            // reshape to the same shape is a differentiable alias of the parameter
            view = detach ? value.stopGradient() : value.reshape(value.getShape());
            view.attach(scope);
            views.put(key, view);
        }
        return view;
    }

    /** {@inheritDoc} */
    @Override
    public NDManager getManager() {
        // blocks initialise lazily in this manager: it must outlive every scope
        return delegate.getManager();
    }

    /** {@inheritDoc} */
    @Override
    public void updateAllParameters() {
        delegate.updateAllParameters();
    }

    /** {@inheritDoc} */
    @Override
    public void sync() {
        delegate.sync();
    }
}
