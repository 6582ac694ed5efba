/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.io;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.translate.TranslateException;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import org.crbp.core.RecurrentNet;
import org.crbp.models.HgruCell;
import org.crbp.models.PathfinderModels;
import org.crbp.models.SegmentationEvaluator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Pathfinder model trained by the {@code crbp train} program, rebuilt from one of its
 * checkpoints with its weights, ready to predict and evaluate.
 *
 * <p>A run folder holds {@code checkpoints/epoch-NNN/} folders (and {@code epoch-NNN-bNNNNN/} for
 * checkpoints inside an epoch), each with DJL's parameter file {@code crbp-NNNN.params}, the
 * optimiser state {@code optimizer.bin} (not needed here), {@code state.json} and {@code
 * state.sha256}. {@code state.json} records the run's settings under {@code config}: the model
 * ({@code model}: hgru, convlstm or ff; {@code kernel}, {@code channels}, {@code steps}, and for
 * the hGRU {@code gateInit} and {@code gateFloor}) and the data ({@code preset}, {@code seed},
 * {@code batch}, {@code testSize}). The model is rebuilt with {@link PathfinderModels} from
 * these settings, as the program builds it, and its parameters are read from the parameter file.
 * Before anything is read, {@code state.json} is checked against {@code state.sha256} and the
 * parameter file against the size and SHA-256 that {@code state.json} records for it, when the
 * checkpoint has them, so that a truncated or edited checkpoint is refused rather than loaded.
 *
 * <p><b>Batch statistics.</b> The hGRU and convLSTM models normalise with the statistics of the
 * batch they are given, in evaluation as in training (as the paper's reference code does; see
 * {@link org.crbp.models.BatchStatsNorm}). An image's prediction therefore depends on the other
 * images of its batch, and scores depend on the evaluation's batch size and order. To reproduce
 * the figures of {@code crbp evaluate}, evaluate the same images in the same order in batches of
 * {@link #getBatchSize()} (the run's batch size). The feedforward control uses running statistics
 * in evaluation and does not depend on its batch.
 *
 * <pre>{@code
 * try (TrainedModel trained = TrainedModel.load(Paths.get("runs/main"))) {
 *     long[] counts = trained.confusion(testSet); // batches of trained.getBatchSize()
 *     double f1 = SegmentationEvaluator.value(SegmentationEvaluator.Metric.F1,
 *             counts[0], counts[1], counts[2], counts[3]);
 * }
 * }</pre>
 */
public final class TrainedModel implements AutoCloseable {

    /** The folder of the checkpoints inside a run folder. */
    public static final String CHECKPOINTS = "checkpoints";
    /** The name the program saves its models under: parameter files are {@code crbp-NNNN.params}. */
    public static final String MODEL_NAME = "crbp";

    private static final String STATE = "state.json";
    private static final String STATE_SHA256 = "state.sha256";
    /** {@code epoch-NNN} or {@code epoch-NNN-bNNNNN}, any number of digits. */
    private static final Pattern CHECKPOINT_NAME = Pattern.compile("epoch-(\\d+)(?:-b(\\d+))?");

    private final Path checkpoint;
    private final int epoch;
    private final Settings settings;
    private final Model model;

    private TrainedModel(Path checkpoint, int epoch, Settings settings, Model model) {
        this.checkpoint = checkpoint;
        this.epoch = epoch;
        this.settings = settings;
        this.model = model;
    }

    /**
     * Loads a trained model onto the CPU.
     *
     * @param path a run folder (its latest checkpoint), its {@code checkpoints} folder, one
     *     checkpoint folder, or a file inside one
     * @return the model; close it to free its native memory
     * @throws IOException if the checkpoint is missing, unreadable or does not verify
     * @throws MalformedModelException if the parameters do not fit the model the settings name
     */
    public static TrainedModel load(Path path) throws IOException, MalformedModelException {
        return load(path, Device.cpu());
    }

    /**
     * Loads a trained model onto a device.
     *
     * @param path a run folder (its latest checkpoint), its {@code checkpoints} folder, one
     *     checkpoint folder, or a file inside one
     * @param device the device of the parameters
     * @return the model; close it to free its native memory
     * @throws IOException if the checkpoint is missing, unreadable or does not verify
     * @throws MalformedModelException if the parameters do not fit the model the settings name
     */
    public static TrainedModel load(Path path, Device device)
            throws IOException, MalformedModelException {
        Path dir = findCheckpoint(path);
        JsonObject state = readState(dir);
        int epoch = intOf(state, "epoch", -1);
        JsonElement config = state.get("config");
        if (epoch < 0 || config == null || !config.isJsonObject()) {
            throw new IOException(dir.resolve(STATE) + " lacks the epoch or the configuration");
        }
        Settings settings = new Settings(config.getAsJsonObject());
        String paramsName = String.format(Locale.ROOT, "%s-%04d.params", MODEL_NAME, epoch);
        Path params = dir.resolve(paramsName);
        if (!Files.isRegularFile(params)) {
            throw new IOException(params + " is missing");
        }
        verifyRecorded(state, dir, paramsName);

        Block block = settings.buildBlock();
        Model model = Model.newInstance(MODEL_NAME, device);
        try {
            model.setBlock(block);
            model.load(dir, MODEL_NAME,
                    Collections.singletonMap("epoch", Integer.toString(epoch)));
            if (!block.isInitialized()) {
                // DJL returns quietly when the file is not one of its parameter files
                throw new MalformedModelException(params + " gave DJL no parameters");
            }
            // the parameter file records the input shapes the block was initialised with; an
            // initialisation with them sets up the child blocks and keeps the loaded values
            Shape[] inputs = block.getInputShapes();
            block.initialize(model.getNDManager(), DataType.FLOAT32, inputs);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw e;
        }
        return new TrainedModel(dir, epoch, settings, model);
    }

    /**
     * Returns the checkpoint folder the model was read from.
     *
     * @return the checkpoint folder
     */
    public Path getCheckpoint() {
        return checkpoint;
    }

    /**
     * Returns the number of finished epochs when the checkpoint was written.
     *
     * @return the epoch
     */
    public int getEpoch() {
        return epoch;
    }

    /**
     * Returns the DJL model that holds the block and its parameters.
     *
     * @return the model
     */
    public Model getModel() {
        return model;
    }

    /**
     * Returns the network: a {@link RecurrentNet} for hgru and convlstm, a sequential block for
     * ff.
     *
     * @return the block
     */
    public Block getBlock() {
        return model.getBlock();
    }

    /**
     * Returns the model's name as the program spells it.
     *
     * @return hgru, convlstm or ff
     */
    public String getModelName() {
        return settings.model;
    }

    /**
     * Returns whether the model is recurrent (hgru, convlstm), as opposed to the ff control.
     *
     * @return whether the model is recurrent
     */
    public boolean isRecurrent() {
        return !"ff".equals(settings.model);
    }

    /**
     * Returns the number of recurrent steps the model was trained with, which {@link
     * #predict(NDList)} runs.
     *
     * @return the steps T
     */
    public int getSteps() {
        return settings.steps;
    }

    /**
     * Returns the kernel size of the recurrent cell (of the six blocks for ff).
     *
     * @return the kernel size
     */
    public int getKernel() {
        return settings.kernel;
    }

    /**
     * Returns the number of channels.
     *
     * @return the channels
     */
    public int getChannels() {
        return settings.channels;
    }

    /**
     * Returns the name of the Pathfinder preset the model was trained on, such as {@code
     * pf-mini-14}.
     *
     * @return the preset's name
     */
    public String getPreset() {
        return settings.preset;
    }

    /**
     * Returns the run's batch size: evaluate in batches of this size to reproduce the program's
     * scores (see the class description on batch statistics).
     *
     * @return the batch size
     */
    public int getBatchSize() {
        return settings.batch;
    }

    /**
     * Returns the run's base seed, from which the program generates its held-out test images.
     *
     * @return the seed
     */
    public long getSeed() {
        return settings.seed;
    }

    /**
     * Returns the number of held-out test images of the run.
     *
     * @return the test size
     */
    public int getTestSize() {
        return settings.testSize;
    }

    /**
     * Predicts logits for a batch of images with the trained number of steps.
     *
     * @param images {@code (N, 1, H, W)} images in [0, 1]
     * @return {@code (N, 2, H, W)} logits (background, contour), in the images' manager
     */
    public NDList predict(NDList images) {
        return predict(images, settings.steps);
    }

    /**
     * Predicts logits for a batch of images with a chosen number of steps (ignored by ff).
     *
     * @param images {@code (N, 1, H, W)} images in [0, 1]
     * @param steps the number of recurrent steps, at least 1
     * @return {@code (N, 2, H, W)} logits (background, contour), in the images' manager
     */
    public NDList predict(NDList images, int steps) {
        ParameterStore ps = new ParameterStore(images.head().getManager(), false);
        Block block = model.getBlock();
        if (block instanceof RecurrentNet) {
            return ((RecurrentNet) block).forward(ps, images, steps, false);
        }
        return block.forward(ps, images, false);
    }

    /**
     * Predicts every batch of a dataset with the trained number of steps and sums the confusion
     * counts of the contour class over all pixels, as {@code crbp evaluate} does. Compute a
     * metric from them with {@link SegmentationEvaluator#value}.
     *
     * @param dataset labelled images, in batches of {@link #getBatchSize()} to reproduce the
     *     program's figures
     * @return {@code {tp, fp, fn, tn}}
     * @throws IOException if the dataset cannot be read
     * @throws TranslateException if the dataset cannot make a batch
     */
    public long[] confusion(Dataset dataset) throws IOException, TranslateException {
        long[] sums = new long[4];
        try (NDManager scope = model.getNDManager().newSubManager()) {
            for (Batch batch : dataset.getData(scope)) {
                // each batch and everything made from it are freed before the next one
                try (NDManager batchScope = scope.newSubManager()) {
                    batch.getData().tempAttach(batchScope);
                    batch.getLabels().tempAttach(batchScope);
                    long[] counts = SegmentationEvaluator.confusion(batch.getLabels(),
                            predict(batch.getData()));
                    for (int i = 0; i < 4; i++) {
                        sums[i] += counts[i];
                    }
                } finally {
                    batch.close();
                }
            }
        }
        return sums;
    }

    /** Frees the model's parameters. */
    @Override
    public void close() {
        model.close();
    }

    /**
     * Resolves a run folder, checkpoints folder, checkpoint folder or file to one checkpoint
     * folder: the latest, by number, of a run.
     */
    static Path findCheckpoint(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException("checkpoint not found: " + path);
        }
        Path dir = Files.isRegularFile(path) ? path.toAbsolutePath().getParent() : path;
        if (Files.isRegularFile(dir.resolve(STATE))) {
            return dir;
        }
        Path root = Files.isDirectory(dir.resolve(CHECKPOINTS)) ? dir.resolve(CHECKPOINTS) : dir;
        List<Path> all = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "epoch-*")) {
            for (Path p : ds) {
                if (Files.isDirectory(p) && order(p) != null) {
                    all.add(p);
                }
            }
        }
        if (all.isEmpty()) {
            throw new IOException("checkpoint not found: " + path
                    + " holds no checkpoint (expected a run folder written by 'crbp train')");
        }
        // numeric order: epoch-1000 comes after epoch-999
        all.sort(Comparator.<Path>comparingLong(p -> order(p)[0])
                .thenComparingLong(p -> order(p)[1]));
        return all.get(all.size() - 1);
    }

    /** {epoch, batches into the next epoch} of a checkpoint folder's name, or null. */
    private static long[] order(Path dir) {
        Matcher m = CHECKPOINT_NAME.matcher(dir.getFileName().toString());
        if (!m.matches() || m.group(1).length() > 18
                || (m.group(2) != null && m.group(2).length() > 18)) {
            return null;
        }
        return new long[] {Long.parseLong(m.group(1)),
            m.group(2) == null ? 0 : Long.parseLong(m.group(2))};
    }

    /** Reads state.json, checked against state.sha256 when the checkpoint has one. */
    private static JsonObject readState(Path dir) throws IOException {
        Path stateFile = dir.resolve(STATE);
        Path sidecar = dir.resolve(STATE_SHA256);
        if (Files.exists(sidecar)) {
            String text = Files.readString(sidecar, StandardCharsets.US_ASCII).strip();
            String recorded = text.split("\\s+", 2)[0];
            if (!recorded.equals(FileDigest.sha256(stateFile))) {
                throw new IOException(stateFile + " does not match the SHA-256 in " + sidecar
                        + " (it changed after it was written)");
            }
        }
        try {
            // lenient: the program writes NaN for figures it has not measured
            JsonElement root = JsonParser.parseString(
                    Files.readString(stateFile, StandardCharsets.UTF_8));
            if (!root.isJsonObject()) {
                throw new IOException(stateFile + " is not a JSON object");
            }
            return root.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IOException(stateFile + " is not readable: " + e.getMessage(), e);
        }
    }

    /** Checks a file against the size and SHA-256 state.json records for it, when it does. */
    private static void verifyRecorded(JsonObject state, Path dir, String name)
            throws IOException {
        JsonElement files = state.get("files");
        if (files == null || !files.isJsonObject() || !files.getAsJsonObject().has(name)) {
            return; // written by a program from before the records
        }
        JsonObject record = files.getAsJsonObject().getAsJsonObject(name);
        Path file = dir.resolve(name);
        long bytes = Files.size(file);
        if (record.has("bytes") && bytes != record.get("bytes").getAsLong()) {
            throw new IOException(file + " has " + bytes + " bytes where " + STATE + " records "
                    + record.get("bytes").getAsLong());
        }
        if (record.has("sha256")
                && !FileDigest.sha256(file).equals(record.get("sha256").getAsString())) {
            throw new IOException(file + " does not match the SHA-256 recorded in " + STATE
                    + " (it changed after it was written)");
        }
    }

    private static int intOf(JsonObject o, String key, int fallback) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? fallback : e.getAsInt();
    }

    private static String textOf(JsonObject o, String key, String fallback) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? fallback : e.getAsString();
    }

    /**
     * The settings of {@code state.json}'s {@code config} that build the model and its test set.
     * A setting a checkpoint lacks (one written before the program recorded it) takes the value
     * the program used then, which is also what the program assumes when it reads the checkpoint.
     */
    private static final class Settings {
        final String model;
        final int kernel;
        final int channels;
        final int steps;
        final String gateInit;
        final double gateFloor;
        final String preset;
        final int batch;
        final long seed;
        final int testSize;

        Settings(JsonObject c) throws IOException {
            model = textOf(c, "model", "hgru").toLowerCase(Locale.ROOT);
            kernel = intOf(c, "kernel", 5);
            channels = intOf(c, "channels", 8);
            steps = intOf(c, "steps", 12);
            gateInit = textOf(c, "gateInit", "reference").toLowerCase(Locale.ROOT);
            JsonElement floor = c.get("gateFloor");
            gateFloor = floor == null || floor.isJsonNull() ? 0 : floor.getAsDouble();
            preset = textOf(c, "preset", "pf-mini-14");
            batch = intOf(c, "batch", 16);
            JsonElement s = c.get("seed");
            seed = s == null || s.isJsonNull() ? 1 : s.getAsLong();
            testSize = intOf(c, "testSize", 512);
            if (!model.matches("hgru|convlstm|ff")) {
                throw new IOException("unknown model '" + model + "' (hgru, convlstm or ff)");
            }
            if (kernel < 1 || channels < 1 || steps < 1 || batch < 1) {
                throw new IOException("invalid model settings: kernel " + kernel + ", channels "
                        + channels + ", steps " + steps + ", batch " + batch);
            }
        }

        /** The block the program builds for these settings. */
        Block buildBlock() {
            switch (model) {
                case "convlstm":
                    return PathfinderModels.convLstm(kernel, channels, steps);
                case "ff":
                    return PathfinderModels.feedforward(kernel, channels);
                default:
                    return PathfinderModels.hgru(kernel, channels, steps,
                            "chronos".equals(gateInit) ? HgruCell.GateInit.CHRONOS
                                    : HgruCell.GateInit.REFERENCE, gateFloor);
            }
        }
    }
}
