/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;

import com.google.gson.JsonParseException;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Checkpoints of a run: {@code OUT/checkpoints/epoch-NNN/} holds the DJL parameter file {@code
 * crbp-NNNN.params} (written by {@code Model.save}), the optimiser state {@code optimizer.bin} and
 * {@code state.json} (configuration, history, provenance). A checkpoint is written into a hidden
 * temporary folder and renamed into place in one atomic move, so a crash never leaves a half
 * written checkpoint under a checkpoint's name.
 */
final class Checkpoints {

    /** The folder of the checkpoints inside a run folder. */
    static final String FOLDER = "checkpoints";
    /** The model name of the parameter files. */
    static final String MODEL_NAME = "crbp";
    static final String STATE = "state.json";
    static final String OPTIMIZER = "optimizer.bin";

    private Checkpoints() {}

    /** What {@code state.json} holds. */
    static final class State {
        /** Finished epochs. */
        int epoch;
        /** Batches done of the next, unfinished epoch (0 at an epoch boundary). */
        int batchesInEpoch;
        RunConfig config;
        List<EpochRecord> history = new ArrayList<>();
        List<Double> batchSeconds = new ArrayList<>();
        double trainingSeconds;
        Map<String, Object> provenance;
    }

    /** One epoch of training, for the report and the training curves. */
    static final class EpochRecord {
        int epoch;
        double loss;
        double penalty;
        double trainF1;
        double validationF1;
        double validationIoU;
        double neumannTerms;
        int diverged;
        double residual;
        double maxColumnSum;
        double seconds;
        /** Updates since the start of the run, at the end of this epoch. */
        long updates;
        /** CPU seconds of the process during this epoch (all threads, validation included). */
        double cpuSeconds;
        /** The learning rate of the epoch's last update. */
        double lr;
    }

    /** A checkpoint found on disk, with its state read. */
    static final class Found {
        final Path dir;
        final State state;

        Found(Path dir, State state) {
            this.dir = dir;
            this.state = state;
        }
    }

    static String name(int epoch) {
        return String.format(Locale.ROOT, "epoch-%03d", epoch);
    }

    static String name(State state) {
        return state.batchesInEpoch == 0 ? name(state.epoch)
                : String.format(Locale.ROOT, "epoch-%03d-b%05d", state.epoch,
                        state.batchesInEpoch);
    }

    /**
     * Writes a checkpoint atomically.
     *
     * @param runDir the run folder
     * @param model the model (its block initialised)
     * @param optimizer the optimiser
     * @param state the state; its epoch names the checkpoint
     * @return the checkpoint folder
     * @throws IOException if writing fails
     */
    static Path save(Path runDir, Model model, CheckpointAdam optimizer, State state)
            throws IOException {
        Path root = Files.createDirectories(runDir.resolve(FOLDER));
        Path target = root.resolve(name(state));
        Path tmp = Files.createTempDirectory(root, "." + name(state) + "-");
        try {
            model.setProperty("Epoch", Integer.toString(state.epoch));
            model.save(tmp, MODEL_NAME);
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(tmp.resolve(OPTIMIZER))))) {
                optimizer.save(model.getBlock(), out);
            }
            Files.writeString(tmp.resolve(STATE), Json.GSON.toJson(state), StandardCharsets.UTF_8);
            if (Files.exists(target)) {
                deleteTree(target);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
        return target;
    }

    /**
     * Finds the latest checkpoint of a run folder, or {@code null} when it has none.
     *
     * @param runDir the run folder
     * @return the checkpoint, or {@code null}
     */
    static Found latestIn(Path runDir) {
        List<Path> all = list(runDir.resolve(FOLDER));
        return all.isEmpty() ? null : read(all.get(all.size() - 1));
    }

    /**
     * Resolves what the user named: a run folder (its latest checkpoint), its checkpoints folder,
     * or one checkpoint folder.
     *
     * @param path the path
     * @return the checkpoint
     * @throws CliException "checkpoint not found" or "checkpoint ... is corrupt"
     */
    static Found resolve(Path path) {
        if (!Files.exists(path)) {
            throw new CliException("checkpoint not found: " + path);
        }
        if (Files.isRegularFile(path)) {
            path = path.getParent();
        }
        if (Files.isRegularFile(path.resolve(STATE)) || looksLikeCheckpoint(path)) {
            return read(path);
        }
        Path root = Files.isDirectory(path.resolve(FOLDER)) ? path.resolve(FOLDER) : path;
        List<Path> all = list(root);
        if (all.isEmpty()) {
            throw new CliException("checkpoint not found: " + path
                    + " holds no checkpoint (expected a run folder written by 'crbp train')");
        }
        return read(all.get(all.size() - 1));
    }

    private static boolean looksLikeCheckpoint(Path dir) {
        return dir.getFileName() != null && dir.getFileName().toString().startsWith("epoch-");
    }

    private static List<Path> list(Path root) {
        List<Path> all = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return all;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "epoch-*")) {
            for (Path p : ds) {
                if (Files.isDirectory(p)) {
                    all.add(p);
                }
            }
        } catch (IOException e) {
            throw new CliException("cannot list checkpoints in " + root + ": " + e.getMessage());
        }
        all.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return all;
    }

    /**
     * Reads a checkpoint's state.
     *
     * @param dir the checkpoint folder
     * @return the checkpoint
     * @throws CliException if the state is missing or unreadable
     */
    static Found read(Path dir) {
        Path stateFile = dir.resolve(STATE);
        if (!Files.isRegularFile(stateFile)) {
            throw corrupt(dir, "no " + STATE);
        }
        State state;
        try {
            state = Json.GSON.fromJson(Files.readString(stateFile, StandardCharsets.UTF_8),
                    State.class);
        } catch (IOException | JsonParseException e) {
            throw corrupt(dir, STATE + " is not readable (" + oneLine(e) + ")");
        }
        if (state == null || state.config == null || state.epoch < 0
                || (state.epoch == 0 && state.batchesInEpoch < 1)) {
            throw corrupt(dir, STATE + " lacks the epoch or the configuration");
        }
        if (paramsFile(dir, state.epoch) == null) {
            throw corrupt(dir, "no parameter file " + MODEL_NAME + "-*.params");
        }
        return new Found(dir, state);
    }

    private static Path paramsFile(Path dir, int epoch) {
        Path p = dir.resolve(String.format(Locale.ROOT, "%s-%04d.params", MODEL_NAME, epoch));
        return Files.isRegularFile(p) ? p : null;
    }

    /**
     * Loads a checkpoint's parameters into a model whose block was built from its configuration.
     *
     * @param model the model
     * @param found the checkpoint
     * @throws CliException if the parameters cannot be read
     */
    static void loadParameters(Model model, Found found) {
        try {
            model.load(found.dir, MODEL_NAME,
                    Collections.singletonMap("epoch", Integer.toString(found.state.epoch)));
        } catch (IOException | MalformedModelException | RuntimeException e) {
            throw corrupt(found.dir, "its parameters cannot be loaded (" + oneLine(e) + ")");
        }
    }

    /**
     * Loads a checkpoint's optimiser state.
     *
     * @param optimizer the optimiser
     * @param model the model whose parameters it updates
     * @param manager the manager of the moments
     * @param found the checkpoint
     */
    static void loadOptimizer(CheckpointAdam optimizer, Model model, NDManager manager,
            Found found) {
        Path file = found.dir.resolve(OPTIMIZER);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(
                Files.newInputStream(file)))) {
            optimizer.load(model.getBlock(), manager, in);
        } catch (IOException | RuntimeException e) {
            throw corrupt(found.dir, "its optimizer state cannot be loaded (" + oneLine(e) + ")");
        }
    }

    static CliException corrupt(Path dir, String why) {
        return new CliException("checkpoint " + dir + " is corrupt: " + why);
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return (m == null ? e.getClass().getSimpleName() : m).replace('\n', ' ');
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> paths = new ArrayList<>();
            s.forEach(paths::add);
            Collections.reverse(paths);
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        }
    }
}
