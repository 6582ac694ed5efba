/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.instances.InstancesTask;
import org.crbp.examples.instances.SceneConfig;
import org.crbp.examples.instances.SceneGenerator;
import org.crbp.examples.task.Tasks;

import ai.djl.training.util.ProgressBar;

import org.crbp.examples.CliException;
import org.crbp.examples.ExitCode;
import org.crbp.examples.pathfinder.PathfinderDataset;
import org.crbp.examples.pathfinder.PathfinderFolder;
import org.crbp.examples.pathfinder.PathfinderPreset;
import org.crbp.examples.config.RunConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code crbp generate}: writes a Pathfinder preset's splits to a folder. */
@Command(
        usageHelpWidth = 100,
        name = "generate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Write a Pathfinder preset's train, validation and test splits to a folder.",
            "OUT/train, OUT/validation, OUT/test hold PNG images, PNG masks and metadata.json:",
            "the images 'train' generates on the fly for the same seed; 'train --data OUT'",
            "reads them."
        })
final class GenerateCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin CommonOptions.Preset preset = new CommonOptions.Preset();

    @Option(names = "--out", required = true, paramLabel = "<dir>", description = "Output folder.")
    Path out;

    @Option(names = "--task", defaultValue = "pathfinder", paramLabel = "<name>",
            description = "The task: pathfinder (the preset's images) or instances (scenes into"
                    + " OUT/train, OUT/val, OUT/test as COCO panoptic folders). Default:"
                    + " ${DEFAULT-VALUE}.")
    String task;

    @Option(names = "--size", paramLabel = "<pixels>",
            description = "Scene side for --task instances, 64 to 128. Default: 96.")
    Integer size;

    @Option(names = {"--train-size", "--train"}, defaultValue = "" + RunConfig.DEFAULT_TRAIN_SIZE,
            paramLabel = "<n>",
            description = "Training images (0: none). Default: ${DEFAULT-VALUE}.")
    int trainSize;

    @Option(names = {"--val-size", "--val"}, defaultValue = "" + RunConfig.DEFAULT_VALIDATION_SIZE,
            paramLabel = "<n>",
            description = "Validation images (0: none). Default: ${DEFAULT-VALUE}.")
    int validationSize;

    @Option(names = {"--test-size", "--test"}, defaultValue = "" + RunConfig.DEFAULT_TEST_SIZE,
            paramLabel = "<n>",
            description = "Test images (0: none). Default: ${DEFAULT-VALUE}.")
    int testSize;

    @Option(names = "--seed", defaultValue = "" + RunConfig.DEFAULT_SEED, paramLabel = "<seed>",
            description = "Base seed (as train's --seed). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "<n>",
            description = "Worker threads (0: all processors). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--overwrite", description = "Replace the Pathfinder files of a non-empty"
            + " folder.")
    boolean overwrite;

    /** Whether a split folder already holds exactly what is asked, every file checked. */
    private static boolean complete(Path dir, PathfinderPreset p, long splitSeed, int size) {
        if (!Files.isRegularFile(dir.resolve(PathfinderFolder.METADATA))) {
            return false;
        }
        try {
            PathfinderFolder f = PathfinderFolder.open(dir);
            f.verify(p.presetName(), p.config(), splitSeed, size);
            if (f.size() != size || f.getMetadata().getFirstIndex() != 0) {
                return false;
            }
            f.checkFiles(size);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    /** {@inheritDoc} */
    @Override
    public Integer call() throws Exception {
        String t = Tasks.byName(task, OptionNames.OPTIONS).name();
        if (InstancesTask.NAME.equals(t)) {
            return scenes();
        }
        if (size != null) {
            throw new CliException("--size has no effect on Pathfinder images (their preset"
                    + " sets it); it is for --task instances");
        }
        PathfinderPreset p = preset.value();
        String[] sizeOptions = {"--train-size", "--val-size", "--test-size"};
        int[] asked = {trainSize, validationSize, testSize};
        for (int i = 0; i < asked.length; i++) {
            if (asked[i] < 0 || asked[i] > 10_000_000) {
                throw new CliException(sizeOptions[i] + " must be from 0 (none) to 10000000,"
                        + " got " + asked[i]);
            }
        }
        if ((long) trainSize + validationSize + testSize == 0) {
            throw new CliException("--train-size, --val-size and --test-size are all 0: ask for"
                    + " the images of at least one split");
        }
        if (threads < 0) {
            throw new CliException("--threads must be 0 (all processors) or more, got "
                    + threads);
        }
        Main.writableFolder(out, "--out");
        return write(p);
    }

    /** The instances task's scenes: train, val and test from disjoint scene indices. */
    private int scenes() throws IOException {
        int[] sizes = {trainSize, validationSize, testSize};
        String[] names = {InstancesTask.TRAIN, InstancesTask.VALIDATION, InstancesTask.TEST};
        String[] options = {"--train", "--val", "--test"};
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] < 0 || sizes[i] > 1_000_000) {
                throw new CliException(options[i] + " must be from 0 (none) to 1000000, got "
                        + sizes[i]);
            }
        }
        SceneGenerator generator;
        try {
            SceneConfig config = SceneConfig.defaults().withSeed(seed);
            generator = new SceneGenerator(size == null ? config : config.withSize(size));
        } catch (IllegalArgumentException e) {
            throw new CliException("--size: " + e.getMessage());
        }
        Main.writableFolder(out, "--out");
        PrintWriter console = spec.commandLine().getOut();
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] == 0) {
                continue;
            }
            Path dir = out.resolve(names[i]);
            try {
                // disjoint index ranges: the splits share no scene
                generator.writeSplit(dir, (long) i * 10_000_000L, sizes[i], overwrite);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            }
            console.printf(Locale.ROOT, "%s: %d scenes of %dx%d px in %s%n", names[i], sizes[i],
                    generator.getConfig().size(), generator.getConfig().size(), dir);
            console.flush();
        }
        return 0;
    }

    /** Writes the splits asked for, keeping those already complete. */
    private int write(PathfinderPreset p) throws IOException {
        PrintWriter console = spec.commandLine().getOut();
        int[] sizes = {trainSize, validationSize, testSize};
        PathfinderDataset.Split[] splits = PathfinderDataset.Split.values();
        long begin = System.nanoTime();
        long total = 0;
        console.printf(Locale.ROOT, "Generating %s into %s%n", p, out);
        console.flush();
        for (int i = 0; i < splits.length; i++) {
            if (sizes[i] == 0) {
                continue;
            }
            String name = splits[i].name().toLowerCase(Locale.ROOT);
            Path dir = out.resolve(name);
            if (!overwrite && complete(dir, p, splits[i].seed(seed), sizes[i])) {
                // a re-run after an interruption keeps the splits already written
                console.printf(Locale.ROOT, "%s: %d images already there, kept%n", name,
                        sizes[i]);
                console.flush();
                continue;
            }
            split(dir, name, p, splits[i], sizes[i]);
            total += sizes[i];
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        console.printf(Locale.ROOT, "Wrote %d %s images to %s in %.1f s (%.1f images/s)%n",
                total, p, out, seconds, total / seconds);
        return 0;
    }

    /** Writes one split, saying what to do when a write fails. */
    private void split(Path dir, String name, PathfinderPreset p, PathfinderDataset.Split split,
            int size) {
        ProgressBar bar = new ProgressBar(name, size);
        try {
            PathfinderFolder.generate(dir, p.presetName(), p.config(), split.seed(seed), 0, size,
                    threads, overwrite, n -> bar.update(n));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        } catch (IOException e) {
            Main.Problem problem = Main.io(e, null, null);
            // re-running helps after an interruption or a full disk, not before a permission is
            // fixed: the line says what to do then
            String line = problem.message().startsWith("cannot write ")
                    || problem.message().contains(dir.toString()) ? problem.message()
                    : "cannot write " + dir + ": " + problem.message();
            throw new CliException(line + (problem.exitCode() == ExitCode.FAILURE
                            ? " (then re-run the same command to finish)" : ""),
                    problem.exitCode(), e);
        }
        bar.end();
    }
}
