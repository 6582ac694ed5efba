/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import ai.djl.Device;

import org.crbp.examples.CliException;
import org.crbp.examples.config.RunConfig;
import org.crbp.examples.pathfinder.PathfinderPreset;
import org.crbp.examples.run.Loaded;
import org.crbp.examples.run.Setup;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The options several commands share, each declared and checked once, as picocli mixins: a
 * command adds one with {@code @Mixin}. The field names are the settings' names in a run's
 * {@code config.json} (see {@link RunSettings#effective}).
 */
final class CommonOptions {

    private CommonOptions() {}

    /** {@code --threads}: the engine's operator threads (train, evaluate, reproduce). */
    static final class Threads {
        @Option(names = "--threads", defaultValue = "0", paramLabel = "<n>",
                description = "Threads of the engine's operators (0: the engine's choice, one per"
                        + " core). Two runs sharing two cores train faster with 1 each. Default:"
                        + " ${DEFAULT-VALUE}.")
        int threads;

        /**
         * Checks the option and sets the engine's threads, before the engine is first used.
         *
         * @throws CliException if the number is negative
         */
        void apply() {
            if (threads < 0) {
                throw new CliException("--threads must be 0 (the engine's choice) or more, got "
                        + threads);
            }
            Setup.engineThreads(threads);
        }
    }

    /** {@code --device}: where the model runs (train, evaluate, analyze). */
    static final class DeviceChoice {
        @Option(names = "--device", defaultValue = "cpu", paramLabel = "<name>",
                description = "Device to run on: cpu, gpu or auto. Default: ${DEFAULT-VALUE}.")
        String device;

        /**
         * Checks the option and resolves the device.
         *
         * @return the device
         * @throws CliException if the name is unknown, or a GPU is asked for and there is none
         */
        Device resolve() {
            return Setup.device(resolveName(), OptionNames.OPTIONS);
        }

        /**
         * Checks the option's name without asking the engine (which would load it).
         *
         * @return cpu, gpu or auto
         * @throws CliException if the name is unknown
         */
        String resolveName() {
            String name = device.trim().toLowerCase(Locale.ROOT);
            if (!name.matches("cpu|gpu|auto")) {
                throw new CliException("--device must be cpu, gpu or auto, got '" + device + "'");
            }
            return name;
        }
    }

    /** {@code --checkpoint}: the trained model a command reads (evaluate, analyze). */
    static final class Checkpoint {
        @Option(names = "--checkpoint", required = true, paramLabel = "<path>",
                description = "A run folder (its last checkpoint) or one checkpoint folder.")
        Path checkpoint;

        /**
         * Loads the checkpoint.
         *
         * @param device where the model goes
         * @return the loaded model
         * @throws CliException if the checkpoint is missing or corrupt
         */
        Loaded open(Device device) {
            return Loaded.open(checkpoint, device);
        }
    }

    /** {@code --preset} with the default preset (train, benchmark, generate). */
    static final class Preset {
        @Option(names = "--preset", defaultValue = RunConfig.DEFAULT_PRESET, paramLabel = "<name>",
                description = "Pathfinder preset: pf-mini-14|20|25 (64x64, CPU) or pf-14|20|25"
                        + " (150x150). Default: ${DEFAULT-VALUE}.")
        String preset;

        /**
         * Checks the option.
         *
         * @return the preset
         * @throws CliException if the name is unknown
         */
        PathfinderPreset value() {
            return RunConfig.preset(preset);
        }
    }

    /** {@code --preset} of the test images, by default the run's own (evaluate, analyze). */
    static final class TestPreset {
        @Option(names = "--preset", paramLabel = "<name>",
                description = "Preset of the test images. Default: the one the run trained on.")
        String preset;

        /**
         * Checks the option.
         *
         * @return the preset, or {@code null} for the run's own
         * @throws CliException if the name is unknown
         */
        PathfinderPreset valueOrNull() {
            return preset == null ? null : RunConfig.preset(preset);
        }
    }

    /** {@code --out} in {@code runs/}, named after the command (benchmark, compare, reproduce). */
    static final class Out {
        @Option(names = "--out", defaultValue = "runs/${COMMAND-NAME}", paramLabel = "<dir>",
                description = "Output folder. Default: ${DEFAULT-VALUE}.")
        Path out;

        /**
         * Checks the folder before any work: a bad one is told at once, not after the work.
         *
         * @return the folder, created and writable
         * @throws CliException if it cannot be written
         */
        Path writable() {
            return Main.writableFolder(out, "--out");
        }
    }

    /** {@code --no-pictures} (train, evaluate). */
    static final class Pictures {
        @Option(names = "--no-pictures", negatable = false,
                description = "Skip the pictures and the analyses behind them.")
        boolean noPictures;
    }
}
