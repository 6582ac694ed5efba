/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;

import org.crbp.core.Convolutions;
import org.crbp.core.GradientMethod;
import org.crbp.core.bench.ProcessMemory;
import org.crbp.core.training.CrbpTrain;
import org.crbp.examples.analysis.Stats;
import org.crbp.examples.config.MethodKind;
import org.crbp.examples.config.ModelKind;
import org.crbp.examples.config.RunConfig;
import org.crbp.examples.instances.InstancesTask;
import org.crbp.examples.instances.PanopticCategories;
import org.crbp.examples.instances.PanopticSample;
import org.crbp.examples.instances.SceneConfig;
import org.crbp.examples.instances.SceneGenerator;
import org.crbp.examples.run.CheckpointAdam;
import org.crbp.examples.run.Setup;
import org.crbp.examples.run.Training;
import org.crbp.examples.task.Task;
import org.crbp.examples.task.Tasks;
import org.crbp.models.PathfinderModels;
import org.crbp.models.instances.RecurrentMaskHead;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The training memory and time of the instances task's model, as {@code crbp train --task
 * instances} trains it: the task's model (backbone, semantic head, the ff or hGRU mask head) and
 * its own training step (the semantic pass by autograd, the mask head by the gradient method),
 * then the optimizer's step, on one batch of scenes from the task's generator, made in memory
 * (no data folder). One warm-up and a few timed iterations; the result is the process's peak
 * resident memory and its resident size before the first iteration, so that the difference is
 * what the training step holds at its peak.
 *
 * <p>Run in a fresh JVM ({@link #inFreshJvm}, the hidden command {@code
 * benchmark-instances-probe}) the peak is that configuration's own: {@code crbp benchmark --task
 * instances} and {@code crbp reproduce --task instances} use it.
 */
@Command(name = "benchmark-instances-probe", hidden = true)
final class InstancesProbe implements Callable<Integer> {

    /**
     * The fewest thing instances drawn per scene: many ROIs per image, so that the mask head's
     * activations, which grow with the ROIs, are large beside the backbone's and the semantic
     * head's, which grow with the pixels (about 14 ROIs per 64 px scene).
     */
    static final int MIN_INSTANCES = 12;
    /** The most thing instances drawn per scene. */
    static final int MAX_INSTANCES = 16;
    /** The scenes' side where none is given: the smallest, for the same reason. */
    static final int DEFAULT_SIZE = 64;
    /**
     * The width of backbone and heads where none is given: with the default batch a hGRU state
     * array of all ROIs (about 1.4 MiB) is above the 1 MiB from which freed blocks go back to
     * the system ({@code MALLOC_MMAP_THRESHOLD_}); smaller ones come from the allocator's heap,
     * which keeps what it once held and blurs the peak.
     */
    static final int DEFAULT_CHANNELS = 32;
    /** The scenes per batch where none is given: about 220 ROIs. */
    static final int DEFAULT_BATCH = 16;

    /** What one probe measures. */
    static final class Config {
        /** The gradient method of the hGRU mask head; null for the ff mask head. */
        MethodKind method;
        /** The mask head's steps (0 for ff). */
        int steps;
        /** The width of backbone and heads. */
        int channels = DEFAULT_CHANNELS;
        /** The hGRU mask head's kernel. */
        int kernel = RecurrentMaskHead.DEFAULT_KERNEL;
        /** The scenes per batch. */
        int batch = DEFAULT_BATCH;
        /** The scenes' side in pixels. */
        int size = DEFAULT_SIZE;
        /** The adjoint budget of rbp and crbp. */
        int neumannTerms = RunConfig.CPU_ADJOINT_BUDGET;
        /** Timed iterations after the warm-up. */
        int iterations = 3;
        /** The recipe (optimizer, penalty, adjoint solver), as train takes it. */
        String recipe = RunConfig.RECIPE_CPU;
        /** The seed of the weights and the scenes. */
        long seed = 1;
        /** The engine's operator threads (0: as this JVM has them). */
        int threads;

        /**
         * Returns this configuration with another head, method and steps.
         *
         * @param newMethod the method, null for the ff head
         * @param newSteps the steps (ignored for ff)
         * @return a copy
         */
        Config with(MethodKind newMethod, int newSteps) {
            Config c = copy();
            c.method = newMethod;
            c.steps = newMethod == null ? 0 : newSteps;
            return c;
        }

        private Config copy() {
            Config c = new Config();
            c.method = method;
            c.steps = steps;
            c.channels = channels;
            c.kernel = kernel;
            c.batch = batch;
            c.size = size;
            c.neumannTerms = neumannTerms;
            c.iterations = iterations;
            c.recipe = recipe;
            c.seed = seed;
            c.threads = threads;
            return c;
        }

        /** The method's name, {@code ff} for the ff head. */
        String methodName() {
            return method == null ? "ff" : method.toString();
        }

        /** {@code ff} or {@code crbp T=20}, for messages. */
        String label() {
            return method == null ? "ff" : method + " T=" + steps;
        }

        /** The settings, as the probe's result repeats them. */
        Map<String, Object> settings() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("head", method == null ? "ff" : "hgru");
            m.put("method", methodName());
            m.put("steps", steps);
            m.put("channels", channels);
            m.put("kernel", method == null ? 3 : kernel);
            m.put("batch", batch);
            m.put("size", size);
            m.put("instancesPerScene", MIN_INSTANCES + "-" + MAX_INSTANCES);
            m.put("neumannTerms", method != null && method.rbpFamily() ? neumannTerms : 0);
            m.put("iterations", iterations);
            m.put("recipe", recipe);
            m.put("seed", seed);
            return m;
        }

        /** The hidden command's arguments for this configuration. */
        List<String> arguments() {
            List<String> a = new ArrayList<>();
            a.add("benchmark-instances-probe");
            add(a, "--method", methodName());
            add(a, "--steps", Integer.toString(steps));
            add(a, "--channels", Integer.toString(channels));
            add(a, "--kernel", Integer.toString(kernel));
            add(a, "--batch", Integer.toString(batch));
            add(a, "--size", Integer.toString(size));
            add(a, "--neumann-terms", Integer.toString(neumannTerms));
            add(a, "--iterations", Integer.toString(iterations));
            add(a, "--recipe", recipe);
            add(a, "--seed", Long.toString(seed));
            add(a, "--threads", Integer.toString(threads));
            return a;
        }

        private static void add(List<String> a, String option, String value) {
            a.add(option);
            a.add(value);
        }
    }

    @Option(names = "--method", required = true) String method;
    @Option(names = "--steps", defaultValue = "0") int steps;
    @Option(names = "--channels", defaultValue = "" + DEFAULT_CHANNELS) int channels;
    @Option(names = "--kernel", defaultValue = "" + RecurrentMaskHead.DEFAULT_KERNEL) int kernel;
    @Option(names = "--batch", defaultValue = "" + DEFAULT_BATCH) int batch;
    @Option(names = "--size", defaultValue = "" + DEFAULT_SIZE) int size;
    @Option(names = "--neumann-terms", defaultValue = "" + RunConfig.CPU_ADJOINT_BUDGET)
    int neumannTerms;
    @Option(names = "--iterations", defaultValue = "3") int iterations;
    @Option(names = "--recipe", defaultValue = RunConfig.RECIPE_CPU) String recipe;
    @Option(names = "--seed", defaultValue = "1") long seed;
    @Option(names = "--threads", defaultValue = "0") int threads;

    /** {@inheritDoc} */
    @Override
    public Integer call() {
        // before the engine is first used
        Setup.engineThreads(threads);
        Config c = new Config();
        c.method = "ff".equals(method) ? null : MethodKind.parse(method, OptionNames.OPTIONS);
        c.steps = c.method == null ? 0 : steps;
        c.channels = channels;
        c.kernel = kernel;
        c.batch = batch;
        c.size = size;
        c.neumannTerms = neumannTerms;
        c.iterations = iterations;
        c.recipe = recipe;
        c.seed = seed;
        System.out.println(new com.google.gson.Gson().toJson(measure(c)));
        return 0;
    }

    /**
     * Measures a configuration in a fresh JVM, where the peak is its own.
     *
     * @param c the configuration
     * @return the probe's result, as {@link #measure} gives it
     * @throws IOException if the JVM cannot be started
     * @throws InterruptedException if interrupted while waiting for it
     * @throws org.crbp.examples.CliException (exit 1) if the probe fails, with its one line
     */
    static Map<String, Object> inFreshJvm(Config c) throws IOException, InterruptedException {
        // the engine's threads and the convolution's padding of this JVM hold for the probe too
        return BenchmarkCommand.runProbe(c.arguments(), List.of(Convolutions.PAD_CHANNELS_PROPERTY,
                "ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads"), c.label());
    }

    /**
     * Builds the model and the batch, trains one warm-up and {@code iterations} timed
     * iterations, and reports. In the JVM it runs in: the peak is this process's so far.
     *
     * @param p the configuration
     * @return the settings, then {@code rois} (per batch), {@code parameters}, {@code
     *     peakBytes}, {@code residentBeforeBytes}, {@code aboveStartBytes}, {@code
     *     secondsPerIteration} and {@code cpuSecondsPerIteration} (medians)
     */
    static Map<String, Object> measure(Config p) {
        RunConfig c = RunConfig.forRecipe(p.recipe, OptionNames.OPTIONS);
        c.task = InstancesTask.NAME;
        c.model = p.method == null ? ModelKind.FF : ModelKind.HGRU;
        if (p.method != null) {
            c.method = p.method;
            c.steps = p.steps;
        }
        c.channels = p.channels;
        c.kernel = p.kernel;
        c.batch = p.batch;
        c.neumannTerms = p.neumannTerms;
        c.seed = p.seed;
        c.trainSize = p.batch * (p.iterations + 1);
        c.epochs = 1;
        SceneGenerator scenes = new SceneGenerator(SceneConfig.defaults().withSize(p.size)
                .withInstances(MIN_INSTANCES, MAX_INSTANCES).withSeed(p.seed));
        List<PanopticSample> samples = scenes.generate(0, p.batch);
        PanopticCategories categories = scenes.getCategories();
        Task task = Tasks.of(c);
        Engine.getInstance().setRandomSeed((int) c.seed);
        Block block = InstancesTask.model(c, c.steps, categories);
        GradientMethod method = c.recurrent() ? Setup.method(c) : null;
        // the optimizer train builds from the recipe (Adam or AdamW, its schedule)
        CheckpointAdam adam = Training.optimizer(c);
        Map<String, Object> row = p.settings();
        try (Model model = Model.newInstance("instances-probe")) {
            model.setBlock(block);
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(task.loss(c))
                    .optOptimizer(adam))) {
                trainer.initialize(InstancesTask.inputShapes(p.batch, p.size));
                ParameterStore store = CrbpTrain.parameterStore(trainer);
                NDManager manager = trainer.getManager();
                NDList[] batch = InstancesTask.batch(manager, samples, categories);
                long rois = batch[0].get(1).getShape().get(0);
                long before = ProcessMemory.residentBytes();
                double[] seconds = new double[p.iterations];
                double[] cpu = new double[p.iterations];
                for (int i = 0; i <= p.iterations; i++) {
                    long begin = System.nanoTime();
                    long cpuBegin = ProcessMemory.processCpuNanos();
                    // what the step makes goes with the scope; the batch returns to the trainer
                    try (NDManager scope = manager.newSubManager()) {
                        batch[0].tempAttach(scope);
                        batch[1].tempAttach(scope);
                        Task.StepOutcome outcome = task.trainingStep(block, store, batch[0],
                                batch[1], method);
                        outcome.predictions().attach(scope);
                        trainer.step();
                    }
                    if (i > 0) {
                        seconds[i - 1] = (System.nanoTime() - begin) / 1e9;
                        cpu[i - 1] = (ProcessMemory.processCpuNanos() - cpuBegin) / 1e9;
                    }
                }
                long peak = ProcessMemory.peakResidentBytes();
                row.put("rois", rois);
                row.put("parameters", PathfinderModels.countParameters(block));
                row.put("peakBytes", peak);
                row.put("residentBeforeBytes", before);
                row.put("aboveStartBytes", peak - before);
                row.put("secondsPerIteration", Stats.median(seconds));
                row.put("cpuSecondsPerIteration", Stats.median(cpu));
            }
        }
        return row;
    }

    /**
     * Describes a probe's size in words, for tables.
     *
     * @param c the configuration
     * @param rois the ROIs per batch, or a negative number where not known
     * @return for example {@code batch 16 scenes of 64 px (8-12 instances each, 160 ROIs), 32
     *     channels}
     */
    static String describe(Config c, long rois) {
        return String.format(Locale.ROOT, "batch %d scenes of %d px (%d-%d instances each%s),"
                + " %d channels", c.batch, c.size, MIN_INSTANCES, MAX_INSTANCES,
                rois >= 0 ? ", " + rois + " ROIs" : "", c.channels);
    }
}
