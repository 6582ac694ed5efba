/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.config;

import org.crbp.examples.CliException;
import org.crbp.examples.pathfinder.PathfinderConfig;
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
    /** The recipe of the defaults: the settings chosen for learning Pathfinder on a CPU. */
    public static final String RECIPE_CPU = "cpu";
    /** The recipe of the reference code: its model size, optimiser, initialisation and loss. */
    public static final String RECIPE_REFERENCE = "reference";
    /** The default number of C-RBP (and RBP) steps on the CPU. */
    public static final int DEFAULT_RBP_STEPS = 12;
    /** The default number of BPTT (and C-BPTT, truncated BPTT) steps, the paper's 6. */
    public static final int DEFAULT_BPTT_STEPS = 6;
    /** The default model. */
    public static final String DEFAULT_MODEL = "hgru";
    /** The default gradient method. */
    public static final String DEFAULT_METHOD = "crbp";
    /** The penalty's bound of the reference recipe (on J^T 1) and of runs without a recipe. */
    public static final float DEFAULT_LAMBDA = 0.9f;
    /** The cpu recipe's bound on the step's gain along its residual (the residual probe). */
    public static final float CPU_LAMBDA = 0.7f;
    /** The cpu recipe's budget of adjoint products (Anderson, to the adjoint tolerance). */
    public static final int CPU_ADJOINT_BUDGET = 20;
    /** The default weight of the penalty (a whole number, as the help shows it). */
    public static final int DEFAULT_PENALTY_WEIGHT = 10;
    /** The default number of steps truncated BPTT records. */
    public static final int DEFAULT_TRUNCATION = 3;
    /** The default number of epochs of a training run. */
    public static final int DEFAULT_EPOCHS = 5;
    /** The default number of training images per epoch (and of a generated training split). */
    public static final int DEFAULT_TRAIN_SIZE = 4000;
    /** The default number of validation images. */
    public static final int DEFAULT_VALIDATION_SIZE = 256;
    /** The default number of validation images whose contraction is measured every epoch. */
    public static final int DEFAULT_CONTRACTION_IMAGES = 64;
    /** The default number of held-out test images. */
    public static final int DEFAULT_TEST_SIZE = 512;
    /** The default seed. */
    public static final long DEFAULT_SEED = 1;

    /**
     * The recipe the defaults came from: cpu or reference (see {@link #forRecipe}); null in
     * checkpoints written before recipes existed, whose missing fields keep the values below (the
     * settings they were trained with).
     */
    public String recipe;
    /** The Pathfinder preset trained on. */
    public String preset = DEFAULT_PRESET;
    /** The model: hgru, convlstm or ff. */
    public ModelKind model = ModelKind.byName(DEFAULT_MODEL);
    /** The gradient method: bptt, cbptt, rbp, crbp or tbptt. */
    public MethodKind method = MethodKind.byName(DEFAULT_METHOD);
    /** The number of recurrent steps T. */
    public int steps = DEFAULT_RBP_STEPS;
    /** The adjoint budget of (C-)RBP: the most products (Neumann terms or solver iterations). */
    public int neumannTerms = 8;
    /** The forward solver of rbp/crbp: naive (plain iteration) or anderson. */
    public ForwardSolverKind solver = ForwardSolverKind.NAIVE;
    /** The forward solve's relative-residual tolerance (0: all steps, the fixed depth). */
    public double tolerance;
    /** The adjoint solver of rbp/crbp: neumann, fixed-point, anderson, jfb or phantom. */
    public AdjointSolverKind backward = AdjointSolverKind.NEUMANN;
    /** The relative residual at which the fixed-point and anderson adjoint solves stop. */
    public double adjointTolerance = 1e-2;
    /** The history window of Anderson acceleration. */
    public int window = 5;
    /** The penalty's bound lambda on what the probe measures. */
    public float lambda = DEFAULT_LAMBDA;
    /** The penalty's weight in the loss. */
    public float penaltyWeight = DEFAULT_PENALTY_WEIGHT;
    /** How the penalty's per-element excess is reduced: mean, sum, image or violating. */
    public String penaltyReduction = "mean";
    /** The penalty's probe: ones (the paper's J^T 1), power or residual (a mode's gain). */
    public String penaltyProbe = "ones";
    /** The power iterations of the power probe. */
    public int penaltyIterations = 5;
    /** The difference of the penalty's Hessian-vector product in C-RBP: one-sided or central. */
    public String penaltyDifference = "one-sided";
    /** The number of recorded steps of truncated BPTT. */
    public int truncation = DEFAULT_TRUNCATION;
    /** The kernel size of the recurrent cell (of the six blocks for ff). */
    public int kernel = 5;
    /** The number of channels. */
    public int channels = 8;
    /** The number of epochs. */
    public int epochs = DEFAULT_EPOCHS;
    /** The batch size. */
    public int batch = 16;
    /** The number of training images. */
    public int trainSize = DEFAULT_TRAIN_SIZE;
    /** The number of validation images (one evaluation per epoch). */
    public int validationSize = DEFAULT_VALIDATION_SIZE;
    /**
     * The validation images whose contraction is measured after every epoch (0: none; recurrent
     * models only).
     */
    public int contractionImages = DEFAULT_CONTRACTION_IMAGES;
    /** The number of held-out test images (the report's metrics). */
    public int testSize = DEFAULT_TEST_SIZE;
    /** The peak learning rate. */
    public float lr = 1e-3f;
    /** The optimiser: adam or adamw (decoupled weight decay on the convolution weights). */
    public String optimizer = "adam";
    /** AdamW's weight decay (ignored by adam). */
    public float weightDecay = 0f;
    /** The learning-rate schedule: constant, or cosine (linear warm-up, then cosine to 0). */
    public String schedule = "constant";
    /** The warm-up of the cosine schedule, as a fraction of all updates. */
    public float warmup = 0f;
    /** The largest global norm of the gradient; larger gradients are scaled down (0: off). */
    public float clipNorm = 0f;
    /** The loss: focal, or focal-dice (focal plus a soft Dice term on the contour). */
    public String loss = "focal";
    /** The weight of the Dice term of focal-dice. */
    public float diceWeight = 1f;
    /** The hGRU's gate-bias initialisation: reference (b1 ~ U(1,7)) or chronos (log U(1,T-1)). */
    public String gateInit = "reference";
    /**
     * The floor f of the hGRU's update gate, g2 = f + (1 - f) sigma(...): the old state's leak
     * is at most 1 - f (0: the reference's gate).
     */
    public float gateFloor = 0f;
    /** Whether every epoch trains on newly generated images (else the same trainSize images). */
    public boolean freshData;
    /**
     * Shorter contour lengths trained first, in order, sharing the first half of the epochs
     * (empty: none).
     */
    public java.util.List<Integer> curriculum = new java.util.ArrayList<>();
    /** The seed of everything random: initialisation, data, order, flips. */
    public long seed = DEFAULT_SEED;
    /** The requested device: cpu, gpu or auto. */
    public String device = "cpu";
    /** The data folder (with train/, validation/, test/), or null to generate on the fly. */
    public String data;
    /**
     * The task trained, by name ({@code org.crbp.examples.task.Tasks}); null for Pathfinder, the
     * first task, so that a Pathfinder run's files read as they did before tasks had names.
     */
    @FlatFields.OmitWhenNull
    public String task;

    /** Creates the default configuration. */
    public RunConfig() {}

    /**
     * Returns the configuration of a recipe, before any option changes it.
     *
     * <ul>
     *   <li>{@code cpu}, the default: what docs/results/learning.md found to learn Pathfinder
     *       fastest per CPU-minute.
     *   <li>{@code reference}: the reference code's setting: 25 channels, 15x15 kernels, 20
     *       C-RBP steps (6 for BPTT), 15 Neumann terms, Adam at a constant 1e-3, focal loss, gate
     *       biases b1 ~ U(1, 7), a fixed training set, 32 images per batch (one GPU's share of
     *       the reference's 128).
     * </ul>
     *
     * @param name cpu or reference
     * @return the configuration
     * @throws CliException if the name is unknown
     */
    public static RunConfig forRecipe(String name) {
        return forRecipe(name, SettingNames.KEYS);
    }

    /**
     * Returns the configuration of a recipe, naming the setting as a front end spells it when
     * the name is unknown.
     *
     * @param name cpu or reference
     * @param n how an error names the setting
     * @return the configuration
     * @throws CliException if the name is unknown
     */
    public static RunConfig forRecipe(String name, SettingNames n) {
        RunConfig c = new RunConfig();
        // new runs difference the penalty centrally (docs/results/contraction.md); the field's
        // own value stays the one runs had before, for configurations stored without it
        c.penaltyDifference = "central";
        switch (lower(name)) {
            case RECIPE_REFERENCE:
                c.recipe = RECIPE_REFERENCE;
                c.channels = 25;
                c.kernel = 15;
                c.steps = 20;
                c.neumannTerms = 15;
                c.batch = 32;
                break;
            case RECIPE_CPU:
                c.recipe = RECIPE_CPU;
                c.channels = 16;
                c.kernel = 5;
                c.steps = DEFAULT_RBP_STEPS;
                c.batch = 8;
                c.lr = 1e-2f;
                c.optimizer = "adamw";
                c.weightDecay = 1e-4f;
                c.schedule = "cosine";
                c.warmup = 0.05f;
                c.clipNorm = 1f;
                c.loss = "focal-dice";
                c.gateInit = "chronos";
                c.freshData = true;
                // docs/results/contraction.md: the only reduction that kept every epoch's
                // adjoint solves uncut, at the best IoU per CPU-second of the study
                c.penaltyReduction = "image";
                // docs/results/contraction.md: bounding the step's gain along the state's own
                // residual at 0.7 kept every epoch's validation images contracting with the
                // adjoint solves uncut, where J^T 1 let a slow mode of 0.94 through; Anderson
                // solves the adjoint to 1e-2 in about 5 products where the reference's series
                // stops on its growth guard and norm cap
                c.penaltyProbe = "residual";
                c.lambda = CPU_LAMBDA;
                c.backward = AdjointSolverKind.ANDERSON;
                c.neumannTerms = CPU_ADJOINT_BUDGET;
                // no floor on the update gate: over the main job's 2,500 updates a floor of 0.4
                // traded the slow mode for batches that do not settle in 12 steps (95% of the
                // adjoint solves cut); docs/results/contraction.md
                break;
            default:
                throw new CliException(n.of("recipe") + " must be cpu or reference, got '" + name
                        + "'");
        }
        return c;
    }

    /**
     * The number of steps a method uses when none is given: the recipe's for (C-)RBP, the paper's
     * 6 for the BPTT family.
     *
     * @return the default number of steps of this configuration's method
     */
    public int defaultSteps() {
        if (method != null && method.rbpFamily()) {
            return RECIPE_REFERENCE.equals(recipe) ? 20 : DEFAULT_RBP_STEPS;
        }
        return DEFAULT_BPTT_STEPS;
    }

    /**
     * Returns the contour length trained in an epoch: the curriculum's lengths share the first
     * half of the epochs, the preset's length the rest.
     *
     * @param epoch the epoch, from 0
     * @return the number of paddles of the target contours
     */
    public int contourLength(int epoch) {
        int n = curriculum == null ? 0 : curriculum.size();
        if (n > 0) {
            int each = Math.max(1, (epochs / 2) / n);
            if (epoch / each < n) {
                return curriculum.get(epoch / each);
            }
        }
        return presetValue().config().getContourLength();
    }

    /**
     * The number of optimiser updates the configuration asks for (the horizon of the schedule).
     *
     * @return epochs times batches per epoch
     */
    public long totalUpdates() {
        return (long) epochs * (trainSize / batch);
    }

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
        return model != ModelKind.FF;
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
        return recurrent() ? method.label() : "FF";
    }

    /**
     * Checks every value and throws a one-line usage error naming the first bad one.
     *
     * @param n how the error names the setting (its key, or a front end's spelling)
     * @throws CliException if a value is out of range
     */
    public void validate(SettingNames n) {
        presetValue();
        device = lower(device);
        require(model != null, n.of("model") + " must be hgru, convlstm or ff");
        require(method != null, n.of("method") + " must be bptt, cbptt, rbp, crbp or tbptt");
        require(device.matches("cpu|gpu|auto"), n.of("device")
                + " must be cpu, gpu or auto, got '" + device
                + "'");
        require(steps >= 1, n.of("steps") + " must be at least 1, got " + steps);
        require(neumannTerms >= 1, n.of("neumann-terms") + " must be at least 1, got "
                + neumannTerms);
        require(lambda >= 0 && lambda < 1, n.of("lambda") + " must be in [0, 1), got " + lambda);
        require(penaltyWeight >= 0 && Float.isFinite(penaltyWeight),
                n.of("penalty-weight") + " must be finite and >= 0, got " + penaltyWeight);
        penaltyReduction = penaltyReduction == null ? "mean" : lower(penaltyReduction);
        require(penaltyReduction.matches("mean|sum|image|violating"),
                n.of("penalty-reduction") + " must be mean, sum, image or violating, got '"
                        + penaltyReduction + "'");
        penaltyProbe = penaltyProbe == null ? "ones" : lower(penaltyProbe);
        require(penaltyProbe.matches("ones|power|residual"),
                n.of("penalty-probe") + " must be ones, power or residual, got '" + penaltyProbe
                        + "'");
        require(penaltyIterations >= 1, n.of("penalty-iterations") + " must be at least 1, got "
                + penaltyIterations);
        penaltyDifference = penaltyDifference == null ? "one-sided" : lower(penaltyDifference);
        require(penaltyDifference.matches("one-sided|central"),
                n.of("penalty-difference") + " must be one-sided or central, got '"
                        + penaltyDifference
                        + "'");
        require(truncation >= 1, n.of("truncation") + " must be at least 1, got " + truncation);
        require(kernel >= 1 && kernel % 2 == 1, n.of("kernel") + " must be an odd number >= 1, got "
                + kernel);
        require(channels >= 1, n.of("channels") + " must be at least 1, got " + channels);
        require(epochs >= 1, n.of("epochs") + " must be at least 1, got " + epochs);
        require(batch >= 2, n.of("batch")
                + " must be at least 2 (the cells normalise over the batch), got "
                + batch);
        require(trainSize >= batch, n.of("train-size") + " (" + trainSize + ") must be at least "
                + n.of("batch") + " ("
                + batch + ")");
        require(validationSize >= 1, n.of("val-size") + " must be at least 1, got "
                + validationSize);
        require(testSize >= 1, n.of("test-size") + " must be at least 1, got " + testSize);
        require(contractionImages >= 0, n.of("contraction-images")
                + " must be 0 (off) or more, got "
                + contractionImages);
        require(lr > 0 && Float.isFinite(lr), n.of("lr") + " must be a positive number, got " + lr);
        optimizer = lower(optimizer);
        schedule = lower(schedule);
        loss = lower(loss);
        gateInit = lower(gateInit);
        // a stored configuration without them (or with a name this crbp does not know) reads as
        // null: the classic solvers, as before they existed
        solver = solver == null ? ForwardSolverKind.NAIVE : solver;
        backward = backward == null ? AdjointSolverKind.NEUMANN : backward;
        require(tolerance >= 0 && tolerance < 1,
                n.of("tol") + " must be a relative residual in [0, 1), got " + tolerance);
        require(adjointTolerance > 0 && adjointTolerance < 1,
                n.of("adjoint-tol") + " must be a relative residual in (0, 1), got "
                        + adjointTolerance);
        require(window >= 1, n.of("window") + " must be at least 1, got " + window);
        require(optimizer.equals("adam") || optimizer.equals("adamw"),
                n.of("optimizer") + " must be adam or adamw, got '" + optimizer + "'");
        require(weightDecay >= 0 && weightDecay < 1,
                n.of("weight-decay") + " must be in [0, 1), got " + weightDecay);
        require(schedule.equals("constant") || schedule.equals("cosine"),
                n.of("schedule") + " must be constant or cosine, got '" + schedule + "'");
        require(warmup >= 0 && warmup < 1, n.of("warmup") + " must be a fraction in [0, 1), got "
                + warmup);
        require(clipNorm >= 0 && Float.isFinite(clipNorm),
                n.of("clip") + " must be 0 (off) or a positive number, got " + clipNorm);
        require(loss.equals("focal") || loss.equals("focal-dice"),
                n.of("loss") + " must be focal or focal-dice, got '" + loss + "'");
        require(diceWeight > 0 && Float.isFinite(diceWeight),
                n.of("dice-weight") + " must be a positive number, got " + diceWeight);
        if (curriculum == null) {
            curriculum = new java.util.ArrayList<>();
        }
        for (int length : curriculum) {
            require(length >= 2 && length < presetValue().config().getContourLength(),
                    n.of("curriculum") + " lengths must be from 2 to the preset's length minus 1 ("
                            + (presetValue().config().getContourLength() - 1) + "), got " + length);
        }
        require(gateInit.equals("reference") || gateInit.equals("chronos"),
                n.of("gate-init") + " must be reference or chronos, got '" + gateInit + "'");
        require(gateFloor >= 0 && gateFloor <= 0.9f,
                n.of("gate-floor") + " must be in [0, 0.9], got " + gateFloor);

    }

    /** The largest sizes accepted: beyond them a run takes days on any machine crbp targets. */
    static final int MAX_STEPS = 1000;
    static final int MAX_CHANNELS = 1024;
    static final int MAX_BATCH = 4096;
    static final int MAX_TRAIN_SIZE = 10_000_000;
    static final int MAX_EVAL_SIZE = 1_000_000;
    static final int MAX_EPOCHS = 100_000;

    /**
     * Refuses settings that would be recorded without any effect, and sizes the engine cannot
     * run: a recurrent setting on the feedforward model, a penalty setting on a method without
     * the penalty, a hGRU setting on another cell, a truncation above the steps, the curriculum
     * or fresh data with a data folder, a batch that does not divide the training set (its last
     * images would never be trained), a kernel larger than the images, sizes far beyond reason.
     * A setting counts as given when it differs from what the recipe would record. With a data
     * folder the recipe's fresh data is turned off here (the run trains on the folder's images),
     * so that the run's records say what it does.
     *
     * @param n how the error names the setting (its key, or a front end's spelling)
     * @throws CliException naming the setting and why it has no effect
     */
    public void checkEffective(SettingNames n) {
        RunConfig d = RunConfig.forRecipe(recipe);
        MethodKind recipeMethod = d.method;
        d.method = method;
        d.model = model;
        String notRecurrent = "the ff model (it is not recurrent)";
        boolean ff = model == ModelKind.FF;
        String what = ff ? notRecurrent : null;
        if (ff) {
            d.steps = d.defaultSteps();
            // crbp reproduce records its ff runs as bptt with bptt's steps: not a choice made
            noEffect(method != recipeMethod
                    && !(method == MethodKind.BPTT && steps == DEFAULT_BPTT_STEPS),
                    n.of("method"), what);
            noEffect(steps != d.steps, n.of("steps"), what);
            noEffect(contractionImages != d.contractionImages, n.of("contraction-images"), what);
        }
        if (what == null && !method.penalized()) {
            what = n.of("method") + " " + method
                    + " (it has no Lipschitz penalty; cbptt and crbp do)";
        }
        if (what != null) {
            noEffect(lambda != d.lambda, n.of("lambda"), what);
            noEffect(penaltyWeight != d.penaltyWeight, n.of("penalty-weight"), what);
            noEffect(!penaltyReduction.equals(d.penaltyReduction), n.of("penalty-reduction"), what);
            noEffect(!penaltyProbe.equals(d.penaltyProbe), n.of("penalty-probe"), what);
            noEffect(penaltyIterations != d.penaltyIterations, n.of("penalty-iterations"), what);
            noEffect(!penaltyDifference.equals(d.penaltyDifference),
                    n.of("penalty-difference"), what);
        }
        noEffect(!penaltyProbe.equals("power") && penaltyIterations != d.penaltyIterations,
                n.of("penalty-iterations"), n.of("penalty-probe") + " " + penaltyProbe
                        + " (it counts the power probe's iterations)");
        noEffect(!penaltyDifference.equals(d.penaltyDifference) && method != MethodKind.CRBP
                        && !ff && method.penalized(),
                n.of("penalty-difference"), n.of("method") + " " + method
                        + " (only crbp differences its penalty; cbptt backpropagates it)");
        String notRbp = ff ? notRecurrent
                : n.of("method") + " " + method + " (it has no adjoint solve; rbp and crbp do)";
        noEffect((ff || !method.rbpFamily())
                        && neumannTerms != d.neumannTerms, n.of("neumann-terms"), notRbp);
        String notTbptt = ff ? notRecurrent
                : n.of("method") + " " + method + " (only tbptt truncates)";
        noEffect(method != MethodKind.TBPTT && truncation != d.truncation, n.of("truncation"),
                notTbptt);
        require(method != MethodKind.TBPTT || ff || truncation <= steps,
                n.of("truncation") + " " + truncation + " is above " + n.of("steps") + " " + steps
                        + ": it would record every step, plain BPTT (use " + n.of("method")
                        + " bptt, or a"
                        + " truncation of at most " + steps + ")");
        String notHgru = n.of("model") + " " + model
                + " (only the hgru has gates with these biases)";
        noEffect(model != ModelKind.HGRU && !gateInit.equals(d.gateInit),
                n.of("gate-init"), notHgru);
        noEffect(model != ModelKind.HGRU && gateFloor != d.gateFloor, n.of("gate-floor"), notHgru);
        if (data != null) {
            require(curriculum.isEmpty(), n.of("curriculum")
                    + " generates shorter contours; it has no"
                    + " effect with " + n.of("data")
                    + ", which reads the folder's images (leave one out)");
            // the recipe's fresh data cannot apply to a folder: the run trains on its images
            freshData = false;
        }
        require(trainSize % batch == 0, n.of("train-size") + " " + trainSize
                + " is not a multiple of"
                + " " + n.of("batch") + " " + batch + ": the last " + (trainSize % batch)
                + " images of every"
                + " epoch would never be trained (use " + n.of("train-size") + " "
                + (trainSize / batch * batch)
                + " or " + ((trainSize / batch + 1) * batch) + ")");
        PathfinderConfig images = presetValue().config();
        int side = Math.min(images.getOutputWidth(), images.getOutputHeight());
        require(kernel <= side, n.of("kernel") + " " + kernel + " is larger than the " + preset
                + " images (" + images.getOutputWidth() + "x" + images.getOutputHeight()
                + "): at most " + (side % 2 == 1 ? side : side - 1));
        require(steps <= MAX_STEPS, n.of("steps") + " " + steps + " is above " + MAX_STEPS
                + " (a run that would take days); use " + n.of("tol") + " with fewer steps");
        require(neumannTerms <= MAX_STEPS, n.of("neumann-terms") + " " + neumannTerms + " is above "
                + MAX_STEPS);
        require(channels <= MAX_CHANNELS, n.of("channels") + " " + channels + " is above "
                + MAX_CHANNELS);
        require(batch <= MAX_BATCH, n.of("batch") + " " + batch + " is above " + MAX_BATCH);
        require(trainSize <= MAX_TRAIN_SIZE, n.of("train-size") + " " + trainSize + " is above "
                + MAX_TRAIN_SIZE);
        require(validationSize <= MAX_EVAL_SIZE, n.of("val-size") + " " + validationSize
                + " is above "
                + MAX_EVAL_SIZE);
        require(testSize <= MAX_EVAL_SIZE, n.of("test-size") + " " + testSize + " is above "
                + MAX_EVAL_SIZE);
        require(epochs <= MAX_EPOCHS, n.of("epochs") + " " + epochs + " is above " + MAX_EPOCHS);
        long need = trainingStepBytes();
        // on the CPU the host's memory holds the arrays (a GPU's is not known here)
        long have = "cpu".equals(device) ? physicalMemoryBytes() : 0;
        require(have <= 0 || need <= have, String.format(Locale.ROOT, n.of("batch") + " %d with "
                + n.of("channels")
                + " %d on %dx%d images needs at least %.0f GiB for one training step"
                + " (estimated), more than this machine's %.0f GiB; lower " + n.of("batch")
                + " or " + n.of("channels"),
                batch, channels, images.getOutputWidth(), images.getOutputHeight(),
                need / GIB, have / GIB));
        require(window <= 100, n.of("window") + " " + window
                + " is above 100 (Anderson keeps that many"
                + " states of the whole batch)");
        require(penaltyIterations <= 100, n.of("penalty-iterations") + " " + penaltyIterations
                + " is above 100");
    }

    private static final double GIB = 1024.0 * 1024 * 1024;

    /**
     * A lower bound on the memory of one training step: the arrays of every recorded step (at
     * least eight state-sized arrays per hGRU or convLSTM step; BPTT records every step, RBP one
     * step and the penalty's few evaluations), or the six feature maps of the ff control.
     */
    long trainingStepBytes() {
        PathfinderConfig images = presetValue().config();
        double state = 4.0 * batch * channels * images.getOutputWidth()
                * images.getOutputHeight();
        int recorded = model == ModelKind.FF ? 1 : method.rbpFamily() ? 4 : steps;
        return (long) Math.min(Long.MAX_VALUE, state * (model == ModelKind.FF ? 6 : 8) * recorded);
    }

    private static long physicalMemoryBytes() {
        java.lang.management.OperatingSystemMXBean os =
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getTotalMemorySize();
        }
        return 0; // unknown: no check
    }

    private static void noEffect(boolean given, String option, String what) {
        require(!given, option + " has no effect with " + what + "; leave it out");
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
