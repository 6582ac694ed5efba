/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.pathfinder.PathfinderPreset;

import java.util.Locale;
import java.util.Objects;

/**
 * The full configuration of a training run, as stored in checkpoints and {@code report.json}. A
 * plain object so that Gson writes and reads it field by field.
 */
public final class RunConfig {

    /** The default preset, the CPU-sized Pathfinder with contours of 14 paddles. */
    public static final String DEFAULT_PRESET = "pf-mini-14";
    /** The default number of C-RBP (and RBP) steps on the CPU. */
    public static final int DEFAULT_RBP_STEPS = 12;
    /** The default number of BPTT (and C-BPTT, truncated BPTT) steps, the paper's 6. */
    public static final int DEFAULT_BPTT_STEPS = 6;

    /** The Pathfinder preset trained on. */
    public String preset = DEFAULT_PRESET;
    /** The model: hgru, convlstm or ff. */
    public String model = "hgru";
    /** The gradient method: bptt, cbptt, rbp, crbp or tbptt. */
    public String method = "crbp";
    /** The number of recurrent steps T. */
    public int steps = DEFAULT_RBP_STEPS;
    /** The largest number of Neumann terms of (C-)RBP. */
    public int neumannTerms = 8;
    /** The penalty's bound lambda on J^T 1. */
    public float lambda = 0.9f;
    /** The penalty's weight in the loss. */
    public float penaltyWeight = 10f;
    /** The number of recorded steps of truncated BPTT. */
    public int truncation = 3;
    /** The kernel size of the recurrent cell (of the six blocks for ff). */
    public int kernel = 5;
    /** The number of channels. */
    public int channels = 8;
    /** The number of epochs. */
    public int epochs = 8;
    /** The batch size. */
    public int batch = 16;
    /** The number of training images. */
    public int trainSize = 4000;
    /** The number of validation images (one evaluation per epoch). */
    public int validationSize = 256;
    /** The number of held-out test images (the report's metrics). */
    public int testSize = 512;
    /** Adam's learning rate. */
    public float lr = 1e-3f;
    /** The seed of everything random: initialisation, data, order, flips. */
    public long seed = 1;
    /** The requested device: cpu, gpu or auto. */
    public String device = "cpu";
    /** The data folder (with train/, validation/, test/), or null to generate on the fly. */
    public String data;

    /** Creates the default configuration. */
    public RunConfig() {}

    /**
     * Returns a copy.
     *
     * @return the copy
     */
    public RunConfig copy() {
        return Json.GSON.fromJson(Json.GSON.toJson(this), RunConfig.class);
    }

    /**
     * Returns whether the model is recurrent (hgru, convlstm), as opposed to the ff control.
     *
     * @return whether the model is recurrent
     */
    public boolean recurrent() {
        return !"ff".equals(model);
    }

    /**
     * Returns the preset.
     *
     * @return the preset
     * @throws CliException if the name is unknown
     */
    public PathfinderPreset presetValue() {
        return preset(preset);
    }

    /**
     * Looks a preset up, as a usage error when unknown.
     *
     * @param name the name
     * @return the preset
     */
    public static PathfinderPreset preset(String name) {
        try {
            return PathfinderPreset.byName(name);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
    }

    /**
     * Returns the method's display name: BPTT, C-BPTT, RBP, C-RBP, TBPTT, or FF for the control.
     *
     * @return the display name
     */
    public String methodLabel() {
        if (!recurrent()) {
            return "FF";
        }
        switch (method) {
            case "cbptt":
                return "C-BPTT";
            case "crbp":
                return "C-RBP";
            default:
                return method.toUpperCase(Locale.ROOT);
        }
    }

    /**
     * Checks every value and throws a one-line usage error naming the first bad one.
     *
     * @throws CliException if a value is out of range
     */
    public void validate() {
        presetValue();
        model = lower(model);
        method = lower(method);
        device = lower(device);
        require(model.equals("hgru") || model.equals("convlstm") || model.equals("ff"),
                "--model must be hgru, convlstm or ff, got '" + model + "'");
        require(method.matches("bptt|cbptt|rbp|crbp|tbptt"),
                "--method must be bptt, cbptt, rbp, crbp or tbptt, got '" + method + "'");
        require(device.matches("cpu|gpu|auto"), "--device must be cpu, gpu or auto, got '" + device
                + "'");
        require(steps >= 1, "--steps must be at least 1, got " + steps);
        require(neumannTerms >= 1, "--neumann-terms must be at least 1, got " + neumannTerms);
        require(lambda >= 0 && lambda < 1, "--lambda must be in [0, 1), got " + lambda);
        require(penaltyWeight >= 0 && Float.isFinite(penaltyWeight),
                "--penalty-weight must be finite and >= 0, got " + penaltyWeight);
        require(truncation >= 1, "--truncation must be at least 1, got " + truncation);
        require(kernel >= 1 && kernel % 2 == 1, "--kernel must be an odd number >= 1, got "
                + kernel);
        require(channels >= 1, "--channels must be at least 1, got " + channels);
        require(epochs >= 1, "--epochs must be at least 1, got " + epochs);
        require(batch >= 2, "--batch must be at least 2 (the cells normalise over the batch), got "
                + batch);
        require(trainSize >= batch, "--train-size (" + trainSize + ") must be at least --batch ("
                + batch + ")");
        require(validationSize >= 1, "--val-size must be at least 1, got " + validationSize);
        require(testSize >= 1, "--test-size must be at least 1, got " + testSize);
        require(lr > 0 && Float.isFinite(lr), "--lr must be a positive number, got " + lr);
    }

    private static String lower(String s) {
        return s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new CliException(message);
        }
    }

    /**
     * Returns whether another configuration trains the same model the same way (everything but
     * the number of epochs, which a resumed run may extend).
     *
     * @param other the other configuration
     * @return whether a run of {@code other} may continue a checkpoint of this one
     */
    public boolean resumableAs(RunConfig other) {
        RunConfig a = copy();
        RunConfig b = other.copy();
        a.epochs = 0;
        b.epochs = 0;
        return Objects.equals(Json.GSON.toJson(a), Json.GSON.toJson(b));
    }
}
