/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.CliException;
import org.crbp.examples.config.MethodKind;
import org.crbp.examples.config.ModelKind;
import org.crbp.examples.config.RunConfig;
import org.crbp.examples.run.Setup;
import org.crbp.examples.run.Training;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import com.google.gson.JsonElement;

import org.crbp.examples.run.Checkpoints;
import org.crbp.examples.task.Tasks;
import org.crbp.examples.instances.InstancesTask;
import org.crbp.models.instances.RecurrentMaskHead;
import org.crbp.examples.config.Json;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code crbp train}: trains a model on a Pathfinder preset and writes report and pictures. */
@Command(
        usageHelpWidth = 100,
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train a recurrent CNN (or the feedforward control) on Pathfinder segmentation.",
            "Writes checkpoints every epoch (OUT/checkpoints), report.json and pictures to OUT."
        })
final class TrainCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    /** The options of a training run; unset ones come from the recipe. */
    static final class RunOptions {
        @Option(names = "--task", defaultValue = Tasks.DEFAULT, paramLabel = "<name>",
                description = "The task: pathfinder (contour segmentation of Pathfinder"
                        + " images). Default: ${DEFAULT-VALUE}.")
        String taskName;

        @Option(names = "--recipe", defaultValue = RunConfig.RECIPE_CPU, paramLabel = "<name>",
                description = "Where unset options come from: cpu (what learns Pathfinder fastest"
                        + " on a CPU, see docs/results/learning.md) or reference (the reference"
                        + " code's model, optimiser, initialisation and loss). Default:"
                        + " ${DEFAULT-VALUE}.")
        String recipe;

        @picocli.CommandLine.Mixin CommonOptions.Preset preset = new CommonOptions.Preset();

        @Option(names = {"--model", "--head"}, defaultValue = RunConfig.DEFAULT_MODEL,
                paramLabel = "<name>",
                description = "Model: hgru, convlstm or ff (the feedforward control); for the"
                        + " instances task (--head) the mask head, hgru or ff. Default:"
                        + " ${DEFAULT-VALUE}.")
        String model;

        @Option(names = "--method", defaultValue = RunConfig.DEFAULT_METHOD, paramLabel = "<name>",
                description = "Gradient method: bptt, cbptt, rbp, crbp or tbptt. Default:"
                        + " ${DEFAULT-VALUE}.")
        String method;

        @Option(names = "--steps", paramLabel = "<t>",
                description = "Recurrent steps. Default: " + RunConfig.DEFAULT_RBP_STEPS
                        + " for rbp/crbp (20 with the reference recipe), "
                        + RunConfig.DEFAULT_BPTT_STEPS + " for bptt/cbptt/tbptt.")
        Integer steps;

        @Option(names = "--lambda", paramLabel = "<bound>",
                description = "The penalty's bound on what --penalty-probe measures. Default: "
                        + RunConfig.CPU_LAMBDA + " (cpu), " + RunConfig.DEFAULT_LAMBDA
                        + " (reference).")
        Float lambda;

        @Option(names = "--penalty-weight", defaultValue = "" + RunConfig.DEFAULT_PENALTY_WEIGHT,
                paramLabel = "<weight>",
                description = "Weight of the Lipschitz penalty. Default: ${DEFAULT-VALUE}.")
        float penaltyWeight;

        @Option(names = "--penalty-reduction", paramLabel = "<name>",
                description = "How the penalty's squared excess relu(J^T 1 - lambda)^2 is"
                        + " reduced: mean (over all elements, the reference), sum, image (summed"
                        + " per image, averaged over the batch) or violating (the mean over the"
                        + " elements above lambda only). Default: image (cpu), mean (reference).")
        String penaltyReduction;

        @Option(names = "--penalty-probe", paramLabel = "<name>",
                description = "What the penalty bounds: ones (the column sums J^T 1, the paper's),"
                        + " power (||J^T u|| per image for the dominant direction u found by"
                        + " --penalty-iterations power iterations: the spectral radius) or"
                        + " residual (||J u|| per image along the direction the state still"
                        + " moves in, F(h) - h: the step's gain on its slowest mode)."
                        + " Default: residual (cpu), ones (reference).")
        String penaltyProbe;

        @Option(names = "--penalty-iterations", paramLabel = "<k>",
                description = "Power iterations of --penalty-probe power (vector-Jacobian"
                        + " products per batch). Default: 5.")
        Integer penaltyIterations;

        @Option(names = "--penalty-difference", paramLabel = "<name>",
                description = "How C-RBP differences the penalty's Hessian-vector product:"
                        + " one-sided (one extra step per batch) or central (two, second-order"
                        + " accurate). Default: central.")
        String penaltyDifference;

        @Option(names = "--truncation", defaultValue = "" + RunConfig.DEFAULT_TRUNCATION,
                paramLabel = "<steps>",
                description = "Steps that truncated BPTT (tbptt) records. Default:"
                        + " ${DEFAULT-VALUE}.")
        int truncation;

        @Option(names = "--epochs", defaultValue = "" + RunConfig.DEFAULT_EPOCHS,
                paramLabel = "<n>",
                description = "Number of epochs. Default: ${DEFAULT-VALUE}.")
        int epochs;

        @Option(names = "--train-size", defaultValue = "" + RunConfig.DEFAULT_TRAIN_SIZE,
                paramLabel = "<n>",
                description = "Training images per epoch. Default: ${DEFAULT-VALUE}.")
        int trainSize;

        @Option(names = "--val-size", defaultValue = "" + RunConfig.DEFAULT_VALIDATION_SIZE,
                paramLabel = "<n>",
                description = "Validation images (evaluated every epoch). Default:"
                        + " ${DEFAULT-VALUE}.")
        int validationSize;

        @Option(names = "--contraction-images",
                defaultValue = "" + RunConfig.DEFAULT_CONTRACTION_IMAGES, paramLabel = "<n>",
                description = "Validation images whose contraction (convergence to 1e-3 within"
                        + " 4T steps, spectral radius of the step's Jacobian) is measured after"
                        + " every epoch of a recurrent model; 0: off. The test images are all"
                        + " measured at the end. Default: ${DEFAULT-VALUE}.")
        int contractionImages;

        @Option(names = "--test-size", defaultValue = "" + RunConfig.DEFAULT_TEST_SIZE,
                paramLabel = "<n>",
                description = "Held-out test images (the report's metrics). Default:"
                        + " ${DEFAULT-VALUE}.")
        int testSize;

        @Option(names = "--lr", paramLabel = "<rate>",
                description = "Peak learning rate. Default: 0.01 (cpu), 0.001 (reference).")
        Float lr;

        @Option(names = "--optimizer", paramLabel = "<name>",
                description = "Optimiser: adam, or adamw (decoupled weight decay on convolution"
                        + " weights)."
                        + " Default: adamw (cpu), adam (reference).")
        String optimizer;

        @Option(names = "--weight-decay", paramLabel = "<decay>",
                description = "Weight decay of adamw. Default: 1e-4 (cpu), 0 (reference).")
        Float weightDecay;

        @Option(names = "--schedule", paramLabel = "<name>",
                description = "Learning-rate schedule: constant, or cosine (linear warm-up, then"
                        + " cosine decay to 0 over all epochs). Default: cosine (cpu), constant"
                        + " (reference).")
        String schedule;

        @Option(names = "--warmup", paramLabel = "<fraction>",
                description = "Warm-up of the cosine schedule, a fraction of all updates."
                        + " Default: 0.05 (cpu).")
        Float warmup;

        @Option(names = "--clip", paramLabel = "<norm>",
                description = "Largest global gradient norm; larger ones are scaled down (0: off)."
                        + " Default: 1 (cpu), 0 (reference).")
        Float clipNorm;

        @Option(names = "--loss", paramLabel = "<name>",
                description = "Loss: focal, or focal-dice (focal plus a soft Dice term on the"
                        + " contour)."
                        + " Default: focal-dice (cpu), focal (reference).")
        String loss;

        @Option(names = "--dice-weight", paramLabel = "<weight>",
                description = "Weight of the Dice term of focal-dice. Default: 1.")
        Float diceWeight;

        @Option(names = "--gate-init", paramLabel = "<name>",
                description = "hGRU gate biases: chronos (b1 = log U(1, T-1)) or reference (b1 ~"
                        + " U(1, 7)); b2 = -b1. Default: chronos (cpu), reference (reference).")
        String gateInit;

        @Option(names = "--gate-floor", paramLabel = "<f>",
                description = "Floor of the hGRU's update gate, g2 = f + (1 - f) sigma(...): the"
                        + " old state's leak is at most 1 - f, which bounds the slowest mode of"
                        + " the dynamics (0: the reference's gate). Default: 0.")
        Float gateFloor;

        @Option(names = "--fresh-data", negatable = true, fallbackValue = "true",
                description = "Generate new training images every epoch (--no-fresh-data: the same"
                        + " images every epoch). Default: on (cpu), off (reference).")
        Boolean freshData;

        @Option(names = "--curriculum", split = ",", paramLabel = "<lengths>",
                description = "Shorter contour lengths to train first, e.g. 6,10: they share the"
                        + " first half of the epochs, the preset's length the rest. Default: none.")
        java.util.List<Integer> curriculum;

        @Option(names = "--seed", defaultValue = "" + RunConfig.DEFAULT_SEED, paramLabel = "<seed>",
                description = "Seed of initialisation, data, order and flips. Default:"
                        + " ${DEFAULT-VALUE}.")
        long seed;

        @picocli.CommandLine.Mixin CommonOptions.DeviceChoice device =
                new CommonOptions.DeviceChoice();

        @Option(names = "--data", paramLabel = "<dir>",
                description = "Read images from DIR/train, DIR/validation, DIR/test (written by"
                        + " 'crbp generate') instead of generating them on the fly.")
        Path data;

        @picocli.CommandLine.Mixin ModelOptions size = new ModelOptions();

        @picocli.CommandLine.Mixin SolverOptions solvers = new SolverOptions();

        RunConfig toConfig() {
            RunConfig c = RunConfig.forRecipe(recipe, OptionNames.OPTIONS);
            // a Pathfinder run names no task, as its files did before tasks had names
            String task = Tasks.byName(taskName, OptionNames.OPTIONS).name();
            c.task = Tasks.DEFAULT.equals(task) ? null : task;
            c.preset = preset.preset;
            c.model = ModelKind.parse(model, OptionNames.OPTIONS);
            c.method = MethodKind.parse(method, OptionNames.OPTIONS);
            c.steps = steps != null ? steps : c.defaultSteps();
            c.neumannTerms = ModelOptions.or(size.neumannTerms, c.neumannTerms);
            c.lambda = lambda != null ? lambda : c.lambda;
            c.penaltyWeight = penaltyWeight;
            c.penaltyReduction = penaltyReduction != null ? penaltyReduction : c.penaltyReduction;
            c.penaltyProbe = penaltyProbe != null ? penaltyProbe : c.penaltyProbe;
            c.penaltyIterations = penaltyIterations != null ? penaltyIterations
                    : c.penaltyIterations;
            c.penaltyDifference = penaltyDifference != null ? penaltyDifference
                    : c.penaltyDifference;
            c.truncation = truncation;
            // the instances task's mask head: the paper's 3x3 hGRU kernel unless given
            c.kernel = ModelOptions.or(size.kernel, InstancesTask.NAME.equals(task)
                    ? RecurrentMaskHead.DEFAULT_KERNEL : c.kernel);
            c.channels = ModelOptions.or(size.channels, c.channels);
            c.epochs = epochs;
            c.batch = ModelOptions.or(size.batch, c.batch);
            c.trainSize = trainSize;
            c.validationSize = validationSize;
            c.contractionImages = contractionImages;
            c.testSize = testSize;
            c.lr = lr != null ? lr : c.lr;
            c.optimizer = optimizer != null ? optimizer : c.optimizer;
            c.weightDecay = weightDecay != null ? weightDecay : c.weightDecay;
            c.schedule = schedule != null ? schedule : c.schedule;
            c.warmup = warmup != null ? warmup : c.warmup;
            c.clipNorm = clipNorm != null ? clipNorm : c.clipNorm;
            c.loss = loss != null ? loss : c.loss;
            c.diceWeight = diceWeight != null ? diceWeight : c.diceWeight;
            c.gateInit = gateInit != null ? gateInit : c.gateInit;
            c.gateFloor = gateFloor != null ? gateFloor : c.gateFloor;
            c.freshData = freshData != null ? freshData : c.freshData;
            if (curriculum != null) {
                c.curriculum = new java.util.ArrayList<>(curriculum);
            }
            c.seed = seed;
            c.device = device.device;
            c.data = data == null ? null : data.toString();
            solvers.applyTo(c, steps != null);
            c.validate(OptionNames.OPTIONS);
            return c;
        }
    }

    @picocli.CommandLine.Mixin RunOptions run = new RunOptions();

    @Option(names = "--out", paramLabel = "<dir>",
            description = "Run folder. Default: runs/PRESET-MODEL-METHOD.")
    Path out;

    @Option(names = "--resume",
            description = "Continue from the last checkpoint in OUT (same result as an"
                    + " uninterrupted run), with the run's settings (OUT/config.json). Options"
                    + " given again must agree with them, except --epochs, --time-budget,"
                    + " --threads, --quiet, --out, --analysis-steps, --no-pictures and"
                    + " --stop-on-divergence.")
    boolean resume;

    @Option(names = "--resume-from", paramLabel = "<checkpoint>",
            description = "Continue from this checkpoint of OUT (for example epoch-003) instead of"
                    + " the last one; implies --resume.")
    String resumeFrom;

    @Option(names = "--stop-on-divergence",
            description = "Stop when the loss or the penalty rises more than 100x above its"
                    + " running median (a warning otherwise); the last good checkpoint is kept.")
    boolean stopOnDivergence;

    @Option(names = "--analysis-steps", defaultValue = "0", paramLabel = "<t>",
            description = "Last step of the extrapolation curve and state-space picture."
                    + " 0 means max(2 x steps, steps + 10). Default: ${DEFAULT-VALUE}.")
    int analysisSteps;

    @picocli.CommandLine.Mixin CommonOptions.Pictures pictures = new CommonOptions.Pictures();

    @Option(names = "--time-budget", defaultValue = "24", paramLabel = "<minutes>",
            description = "Stop training after this many minutes (checked between the recurrent"
                    + " steps of every batch; a checkpoint keeps the place for --resume), then test"
                    + " and report (0: no limit). Default: ${DEFAULT-VALUE}.")
    double timeBudget;

    @picocli.CommandLine.Mixin CommonOptions.Threads threads = new CommonOptions.Threads();

    @Option(names = {"-q", "--quiet"},
            description = "Print only warnings, errors and the result lines (no progress"
                    + " bars, no per-epoch lines); metrics.csv and report.json are written as"
                    + " usual.")
    boolean quiet;

    @Option(names = "--stop-after-batches", defaultValue = "0", hidden = true,
            description = "Stop inside the first epoch trained after this many batches (for"
                    + " tests).")
    int stopAfterBatches;

    @Option(names = "--stop-after-epoch", defaultValue = "0", hidden = true,
            description = "Stop after this epoch, as an interruption would (for tests).")
    int stopAfterEpoch;

    @Option(names = "--config", paramLabel = "<file>",
            description = "Read options from this file: a JSON object (or a .properties file)"
                    + " of options by their long names, such as {\"lr\": 0.02, \"epochs\": 3}."
                    + " Options on the command line override it.")
    Path config;

    /**
     * Options that may differ from the run's settings on {@code --resume}: how long and how
     * verbosely it runs, where, and what it does after training; everything else must agree.
     */
    static final List<String> RESUME_MAY_CHANGE = Training.MAY_CHANGE_ON_RESUME;

    /**
     * Whether this command starts a run (not a resume of one with stored settings): decided in
     * {@link #resolve}; only a new run is checked for options without effect.
     */
    boolean newRun;

    /** The name of the effective settings in every run folder. */
    static final String CONFIG_FILE = Training.SETTINGS_FILE;

    /** {@inheritDoc} */
    @Override
    public Integer call() throws Exception {
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        // the arguments after "train" (the program's own options come before it)
        int at = spec.parent() == null ? -1 : all.indexOf(spec.name());
        List<String> own = all.subList(at + 1, all.size());
        return resolve(own).execute(own, spec.commandLine().getOut());
    }

    /**
     * The command with its settings complete: those of the command line, then the --config file,
     * then (on --resume) the run's stored settings, which options given again must agree with.
     */
    TrainCommand resolve(List<String> original) {
        Set<String> onCommandLine = new HashSet<>();
        for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            onCommandLine.add(o.longestName().substring(2));
        }
        Map<String, JsonElement> fromFile = config == null ? Map.of() : RunSettings.read(config);
        // the file's values checked on their own first, so that an error names the file
        parse(RunSettings.toArgs(spec, fromFile, Set.of(), config), "config " + config + ": ");
        List<String> args = new ArrayList<>(RunSettings.toArgs(spec, fromFile, onCommandLine,
                config));
        args.addAll(original);
        TrainCommand t = parse(args, "");
        Map<String, Path> sourceOf = new HashMap<>();
        for (String name : fromFile.keySet()) {
            if (!onCommandLine.contains(name)) {
                sourceOf.put(name, config);
            }
        }
        if (!t.resume && t.resumeFrom == null) {
            checkNamingTheSource(t, sourceOf, true);
            t.newRun = true;
            return t;
        }
        RunConfig c = checkNamingTheSource(t, sourceOf, false);
        Path dir = t.dir(c);
        OutputFolder.check(dir);
        Path source = dir.resolve(CONFIG_FILE);
        Map<String, JsonElement> stored = stored(dir, t.resumeFrom);
        if (stored == null) {
            // nothing to resume: a new run (Training says so)
            checkNamingTheSource(t, sourceOf, true);
            t.newRun = true;
            return t;
        }
        Set<String> given = new HashSet<>(onCommandLine);
        given.addAll(fromFile.keySet());
        agreeWithTheRun(given, stored, RunSettings.effective(t.spec, c, dir, false), source);
        Set<String> skip = new HashSet<>(given);
        skip.add("out");
        List<String> resumed = new ArrayList<>(RunSettings.toArgs(spec, stored, skip, source));
        resumed.addAll(args);
        TrainCommand r = parse(resumed, "");
        for (String name : stored.keySet()) {
            if (!skip.contains(name)) {
                sourceOf.put(name, source);
            }
        }
        checkNamingTheSource(r, sourceOf, false);
        return r;
    }

    /**
     * Refuses options given again on resume that disagree with the run's stored settings, except
     * those that may change on resume.
     */
    private static void agreeWithTheRun(Set<String> given, Map<String, JsonElement> stored,
            Map<String, Object> now, Path source) {
        for (String name : given) {
            if (RESUME_MAY_CHANGE.contains(name) || !stored.containsKey(name)
                    || !now.containsKey(name)) {
                continue;
            }
            String was = RunSettings.canonical(stored.get(name));
            String is = RunSettings.canonical(now.get(name));
            if (!was.equals(is)) {
                throw new CliException("cannot resume with another configuration: --" + name
                        + " is " + was + " in the run's settings ("
                        + (Files.exists(source) ? source : "its checkpoint") + ") but " + is
                        + " here; leave it out to keep the run's value (only --"
                        + String.join(", --", RESUME_MAY_CHANGE) + " may change on resume)");
            }
        }
    }

    /**
     * Builds and checks the configuration; a value that came from a file (--config, or the
     * run's config.json on --resume) is refused naming that file.
     */
    private static RunConfig checkNamingTheSource(TrainCommand t, Map<String, Path> sourceOf,
            boolean newRun) {
        try {
            RunConfig c = t.run.toConfig();
            if (newRun) {
                t.checkNewRun(c);
            }
            return c;
        } catch (CliException e) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^--([a-z0-9-]+)")
                    .matcher(String.valueOf(e.getMessage()));
            Path file = m.find() ? sourceOf.get(m.group(1)) : null;
            if (file == null) {
                throw e;
            }
            throw new CliException(file + ": " + e.getMessage() + " (the value comes from this"
                    + " file)", e.getExitCode(), e);
        }
    }

    /**
     * The stored settings of the run a --resume continues: its config.json (written when the run
     * started, before any checkpoint), completed from the checkpoint's configuration for settings
     * that config.json lacks (a run folder from an older crbp, or without config.json).
     *
     * @return the settings, or null if the folder holds neither config.json nor a checkpoint
     */
    private Map<String, JsonElement> stored(Path dir, String resumeFrom) {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        Checkpoints.Found found = resumeFrom != null ? Checkpoints.named(dir, resumeFrom)
                : Checkpoints.latestIn(dir, OptionNames.OPTIONS);
        Path file = dir.resolve(CONFIG_FILE);
        if (found == null && !Files.exists(file)) {
            return null;
        }
        Map<String, JsonElement> s = new LinkedHashMap<>();
        if (Files.exists(file)) {
            s.putAll(RunSettings.read(file));
        }
        if (found != null) {
            TrainCommand fresh = parse(List.of(), "");
            Map<String, Object> model = RunSettings.effective(fresh.spec, found.state.config,
                    dir, true);
            for (Map.Entry<String, Object> e : model.entrySet()) {
                // where both say, the run's config.json rules: a checkpoint that disagrees
                // with it is refused when it is loaded (Training)
                s.putIfAbsent(e.getKey(), Json.GSON.toJsonTree(e.getValue()));
            }
        }
        s.keySet().removeIf(name -> {
            OptionSpec o = spec.findOption("--" + name);
            return o == null || o.hidden() || RunSettings.NOT_SETTINGS.contains(name);
        });
        return s;
    }

    private static TrainCommand parse(List<String> args, String prefix) {
        TrainCommand t = new TrainCommand();
        try {
            new CommandLine(t).parseArgs(args.toArray(new String[0]));
        } catch (CommandLine.ParameterException e) {
            throw new CliException(prefix + e.getMessage());
        }
        return t;
    }

    private Path dir(RunConfig c) {
        return out != null ? out : Paths.get("runs", c.preset + "-" + c.model + "-" + c.method);
    }

    /**
     * The settings of a run that {@code crbp reproduce} starts, as {@code train} would write them.
     *
     * @param c the configuration
     * @param dir the run folder
     * @param o the run's options
     * @return the settings by option name
     */
    static Map<String, Object> settingsFor(RunConfig c, Path dir, Training.Options o) {
        TrainCommand t = parse(List.of(), "");
        t.timeBudget = o.timeBudgetMinutes;
        t.pictures.noPictures = !o.pictures;
        t.analysisSteps = o.analysisSteps;
        t.stopOnDivergence = o.stopOnDivergence;
        t.quiet = o.quiet;
        return RunSettings.effective(t.spec, c, dir, false);
    }

    /**
     * A new run records nothing that has no effect (a resumed run keeps what it was started
     * with); with --data the recipe's fresh data is turned off.
     */
    private void checkNewRun(RunConfig c) {
        if (c.data != null && Boolean.TRUE.equals(run.freshData)) {
            throw new CliException("--fresh-data has no effect with --data, which reads the"
                    + " folder's images every epoch; leave one out");
        }
        c.checkEffective(OptionNames.OPTIONS);
    }

    private Integer execute(List<String> original, java.io.PrintWriter console) throws Exception {
        threads.apply();
        RunConfig c = run.toConfig();
        Path dir = dir(c);
        if (newRun) {
            checkNewRun(c);
        }
        Main.writableFolder(dir, "--out");
        Training.Options o = new Training.Options();
        o.names = OptionNames.OPTIONS;
        o.resume = resume || resumeFrom != null;
        o.resumeFrom = resumeFrom;
        o.stopOnDivergence = stopOnDivergence;
        o.pictures = !pictures.noPictures;
        o.analysisSteps = analysisSteps;
        o.stopAfterEpoch = stopAfterEpoch;
        o.timeBudgetMinutes = timeBudget;
        o.stopAfterBatches = stopAfterBatches;
        o.quiet = quiet;
        if (quiet) {
            // before DJL's first logger: its info lines go too
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        if (!(timeBudget >= 0)) {
            throw new CliException("--time-budget must be 0 or more minutes, got " + timeBudget);
        }
        o.commandLine.add("crbp");
        o.commandLine.add("train");
        o.commandLine.addAll(original);
        o.settings = RunSettings.effective(spec, c, dir, false);
        if (analysisSteps < 0 || analysisSteps > 10_000) {
            throw new CliException("--analysis-steps must be from 0 to 10000, got "
                    + analysisSteps);
        }
        Training.run(c, dir, o, console);
        return 0;
    }
}
