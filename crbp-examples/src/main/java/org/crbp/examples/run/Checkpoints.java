/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import org.crbp.examples.config.RunConfig;
import org.crbp.examples.config.EpochTally;
import org.crbp.examples.config.Json;
import org.crbp.examples.config.AtomicFiles;
import org.crbp.examples.config.FlatFields;
import org.crbp.examples.task.Metrics;
import org.crbp.examples.config.SettingNames;
import org.crbp.examples.CliException;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;

import com.google.gson.JsonParseException;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checkpoints of a run: {@code OUT/checkpoints/epoch-NNN/} holds the DJL parameter file {@code
 * crbp-NNNN.params} (written by {@code Model.save}), the optimiser state {@code optimizer.bin} and
 * {@code state.json} (configuration, history, provenance, and the size and SHA-256 of the other
 * two files, verified on every load). A checkpoint is written into a hidden temporary folder,
 * flushed to disk and renamed into place in one atomic move, so a crash never leaves a half
 * written checkpoint under a checkpoint's name; checkpoints sort by number ({@code epoch-1000}
 * after {@code epoch-999}).
 */
public final class Checkpoints {

    /** The folder of the checkpoints inside a run folder. */
    public static final String FOLDER = "checkpoints";
    /** The model name of the parameter files. */
    static final String MODEL_NAME = "crbp";
    static final String STATE = "state.json";
    /** The SHA-256 of state.json, written after it (sha256sum format). */
    static final String STATE_SHA256 = "state.sha256";
    /**
     * The commit time of the first crbp that wrote state.sha256: a checkpoint without one is
     * accepted only when its provenance shows an earlier crbp.
     */
    static final String STATE_SHA256_SINCE = "2026-12-01T06:18:48Z";

    /** Checkpoints without a state.sha256 already warned about. */
    private static final java.util.Set<Path> UNVERIFIED_WARNED =
            java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final String OPTIMIZER = "optimizer.bin";
    /** The end of the names of hidden folders of writes in progress. */
    static final String TEMP_SUFFIX = ".tmp";
    /** {@code epoch-NNN} or {@code epoch-NNN-bNNNNN}, any number of digits. */
    private static final Pattern NAME = Pattern.compile("epoch-(\\d+)(?:-b(\\d+))?");

    private Checkpoints() {}

    /** What {@code state.json} holds. */
    public static final class State {
        /** Finished epochs. */
        public int epoch;
        /** Batches done of the next, unfinished epoch (0 at an epoch boundary). */
        int batchesInEpoch;
        /** The run's settings. */
        public RunConfig config;
        /** One record per finished epoch. */
        public List<EpochRecord> history = new ArrayList<>();
        List<Double> batchSeconds = new ArrayList<>();
        double trainingSeconds;
        Map<String, Object> provenance;
        /**
         * The statistics of the batches done of the unfinished epoch (with {@code
         * batchesInEpoch > 0}), so that its record after a resume covers all its batches.
         */
        org.crbp.examples.config.EpochTally partial;
        /** Size and SHA-256 of every other file of the checkpoint, by file name. */
        Map<String, FileRecord> files;
        /** The identity of the run that wrote the checkpoint (its folder's run.json). */
        String runId;
    }

    /** A file's size and SHA-256, as recorded in {@code state.json}. */
    static final class FileRecord {
        long bytes;
        String sha256;

        static FileRecord of(Path file) throws IOException {
            FileRecord r = new FileRecord();
            r.bytes = Files.size(file);
            r.sha256 = AtomicFiles.sha256(file);
            return r;
        }
    }

    /** One epoch of training, for the report and the training curves. */
    public static final class EpochRecord {
        /** The epoch, from 1. */
        public int epoch;
        /** The mean training loss. */
        public double loss;
        /** The mean Lipschitz penalty. */
        public double penalty;
        /**
         * The task's named metrics of the epoch (training, then validation; Pathfinder's {@code
         * trainF1}, {@code validationF1}, {@code validationIoU}, {@code validationLoss}), written
         * as keys of the record itself, after the penalty.
         */
        @FlatFields.Inline(after = "penalty")
        transient Map<String, Number> metrics = new LinkedHashMap<>();
        double neumannTerms;
        /** Mean forward steps (cell evaluations) per batch. */
        double steps;
        /** Mean adjoint iterations (vector-Jacobian products) per batch. */
        double adjointIterations;
        int diverged;
        double residual;
        /** The largest {@code max(J^T 1)} measured in the epoch (the contraction monitor). */
        public double maxColumnSum;
        /** The fraction of the epoch's adjoint solves cut short (any reason), NaN without. */
        public double adjointCutFraction = Double.NaN;
        /** ... by the growth guard. */
        double adjointCutGrowth = Double.NaN;
        /** ... by the norm cap. */
        double adjointCutNormCap = Double.NaN;
        /** ... by the budget before the tolerance. */
        double adjointCutBudget = Double.NaN;
        /** ... because the solution exploded or was not finite. */
        double adjointCutExploded = Double.NaN;
        /** Validation images measured for contraction after the epoch (0: none). */
        public int contractionImages;
        /** The fraction of them that contract (converge, spectral radius below 1). */
        public double contractingFraction = Double.NaN;
        /** The fraction of them whose plain iteration converges to the tolerance. */
        double convergedFraction = Double.NaN;
        /** Their median spectral radius at the end of the solve. */
        public double spectralRadiusMedian = Double.NaN;
        /** Their median drift after the trained steps. */
        public double driftMedian = Double.NaN;
        /** Wall seconds of the epoch. */
        public double seconds;
        /** Updates since the start of the run, at the end of this epoch. */
        public long updates;
        /**
         * The validation images scored when the time budget stopped the validation early (null:
         * all of them).
         */
        public Long validationImages;
        /** CPU seconds of the process during this epoch (all threads, validation included). */
        public double cpuSeconds;
        /** The learning rate of the epoch's last update. */
        double lr;

        /**
         * Returns the epoch's named metrics.
         *
         * @return the metrics, in the task's order
         */
        public Metrics metrics() {
            Map<String, Double> m = new LinkedHashMap<>();
            if (metrics != null) {
                metrics.forEach((k, v) -> m.put(k, v == null ? Double.NaN : v.doubleValue()));
            }
            return Metrics.of(m);
        }

        /**
         * Returns one of the epoch's metrics.
         *
         * @param name the metric
         * @return its value, NaN if the record lacks it
         */
        public double metric(String name) {
            Number v = metrics == null ? null : metrics.get(name);
            return v == null ? Double.NaN : v.doubleValue();
        }

        /**
         * Sets the epoch's metrics (after those already set).
         *
         * @param more the metrics
         */
        public void putMetrics(Metrics more) {
            if (metrics == null) {
                metrics = new LinkedHashMap<>();
            }
            metrics.putAll(more.asMap());
        }
    }

    /** A checkpoint found on disk, with its state read. */
    public static final class Found {
        /** The checkpoint's folder. */
        public final Path dir;
        /** Its state, read and verified. */
        public final State state;
        /** False for a checkpoint without state.sha256 (written by an older crbp). */
        public boolean stateVerified = true;

        /**
         * A found checkpoint.
         *
         * @param dir its folder
         * @param state its state
         */
        public Found(Path dir, State state) {
            this.dir = dir;
            this.state = state;
        }
    }

    /**
     * The folder name of an epoch's checkpoint.
     *
     * @param epoch the epoch
     * @return {@code epoch-NNN}
     */
    public static String name(int epoch) {
        return String.format(Locale.ROOT, "epoch-%03d", epoch);
    }

    static String name(State state) {
        return state.batchesInEpoch == 0 ? name(state.epoch)
                : String.format(Locale.ROOT, "epoch-%03d-b%05d", state.epoch,
                        state.batchesInEpoch);
    }

    /**
     * Writes a checkpoint atomically and durably: into a hidden folder created with the ordinary
     * modes (so the umask applies), every file's size and SHA-256 recorded in {@code state.json},
     * every file and the folder flushed to disk, then one atomic rename into place (a checkpoint
     * of the same name is replaced only after the new one is complete), and the checkpoints
     * folder flushed. Leftovers of interrupted writes are removed first.
     *
     * @param runDir the run folder
     * @param model the model (its block initialised)
     * @param optimizer the optimiser
     * @param state the state; its epoch names the checkpoint; its file records are replaced
     * @return the checkpoint folder
     * @throws IOException if writing fails
     */
    static Path save(Path runDir, Model model, CheckpointAdam optimizer, State state)
            throws IOException {
        Path root = AtomicFiles.createDirectories(runDir.resolve(FOLDER));
        cleanInterrupted(runDir);
        String name = name(state);
        Path target = root.resolve(name);
        Path tmp = AtomicFiles.createHidden(root, "." + name + ".", TEMP_SUFFIX, true);
        Path old = null;
        try {
            model.setProperty("Epoch", Integer.toString(state.epoch));
            model.save(tmp, MODEL_NAME);
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(tmp.resolve(OPTIMIZER))))) {
                optimizer.save(model.getBlock(), out);
            }
            state.files = new TreeMap<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
                for (Path f : ds) {
                    if (Files.isRegularFile(f)) {
                        state.files.put(f.getFileName().toString(), FileRecord.of(f));
                    }
                }
            }
            Files.writeString(tmp.resolve(STATE), Json.GSON.toJson(state), StandardCharsets.UTF_8);
            // state.json's own checksum, in sha256sum's format: a hand-edited state is refused
            Files.writeString(tmp.resolve(STATE_SHA256), AtomicFiles.sha256(tmp.resolve(STATE))
                    + "  " + STATE + "\n", StandardCharsets.UTF_8);
            AtomicFiles.fsyncTree(tmp);
            if (Files.exists(target)) {
                // keep the old checkpoint until the new one is in place
                old = root.resolve("." + name + "." + Long.toUnsignedString(System.nanoTime(), 36)
                        + TEMP_SUFFIX);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsyncDirectory(root);
        } catch (IOException e) {
            throw AtomicFiles.named(target, e); // a full disk names the checkpoint
        } finally {
            if (Files.exists(tmp)) {
                AtomicFiles.deleteTree(tmp);
            }
            if (old != null) {
                if (Files.exists(target)) {
                    AtomicFiles.deleteTree(old);
                } else {
                    Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        }
        return target;
    }

    /**
     * Removes the hidden folders that interrupted checkpoint writes left in a run folder's
     * checkpoints folder. Call it only from the process that owns the run (the trainer): another
     * process's write in progress looks the same.
     *
     * @param runDir the run folder
     * @return the removed folders' names
     * @throws IOException if one cannot be removed
     */
    static List<String> cleanInterrupted(Path runDir) throws IOException {
        List<String> removed = new ArrayList<>();
        Path root = runDir.resolve(FOLDER);
        if (!Files.isDirectory(root)) {
            return removed;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, ".epoch-*")) {
            for (Path p : ds) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                        && p.getFileName().toString().endsWith(TEMP_SUFFIX)) {
                    AtomicFiles.deleteTree(p);
                    removed.add(p.getFileName().toString());
                }
            }
        }
        return removed;
    }

    /**
     * Finds the latest checkpoint of a run folder, or {@code null} when it has none.
     *
     * @param runDir the run folder
     * @return the checkpoint, verified
     * @throws CliException if the latest checkpoint is corrupt: the message names the file and
     *     the previous good checkpoint with the setting (by its key) that resumes from it
     */
    public static Found latestIn(Path runDir) {
        return latestIn(runDir, SettingNames.KEYS);
    }

    /**
     * The last checkpoint of a run folder, naming the settings of its advice as a front end
     * spells them.
     *
     * @param runDir the run folder
     * @param names how the advice names the settings ({@code out}, {@code resume-from})
     * @return the checkpoint, verified, or {@code null} if there is none
     * @throws CliException if the latest checkpoint is corrupt
     */
    public static Found latestIn(Path runDir, SettingNames names) {
        List<Path> all = list(runDir.resolve(FOLDER));
        if (all.isEmpty()) {
            return null;
        }
        Path last = all.get(all.size() - 1);
        try {
            return read(last);
        } catch (CliException e) {
            Path good = previousGood(all, last);
            throw new CliException(e.getMessage() + "; "
                    + (good == null ? "no earlier checkpoint is intact (start again in a new "
                            + names.of("out") + ")"
                            : "the previous good checkpoint is " + good.getFileName()
                                    + ": resume from it with " + names.of("resume-from") + " "
                                    + good.getFileName()), e.getExitCode(), e);
        }
    }

    /**
     * The checkpoint a user named to resume from, in a run folder's checkpoints folder.
     *
     * @param runDir the run folder
     * @param name a checkpoint's name ({@code epoch-003}, {@code epoch-001-b00020}) or folder
     * @return the checkpoint, verified
     * @throws CliException if there is no such checkpoint or it is corrupt
     */
    public static Found named(Path runDir, String name) {
        Path root = runDir.resolve(FOLDER);
        Path p = Paths.get(name);
        Path dir = p.getNameCount() > 1 || p.isAbsolute() ? p : root.resolve(name);
        if (!Files.isDirectory(dir) || order(dir) == null) {
            List<Path> all = list(root);
            StringBuilder names = new StringBuilder();
            for (Path q : all) {
                names.append(names.length() == 0 ? "" : ", ").append(q.getFileName());
            }
            throw new CliException("checkpoint not found: " + dir + " (" + (all.isEmpty()
                    ? root + " holds no checkpoint" : "checkpoints in " + root + ": " + names)
                    + ")");
        }
        return read(dir);
    }

    /** The newest checkpoint before {@code bad} that reads and verifies, or {@code null}. */
    private static Path previousGood(List<Path> all, Path bad) {
        for (int i = all.indexOf(bad) - 1; i >= 0; i--) {
            try {
                return read(all.get(i)).dir;
            } catch (CliException e) {
                // corrupt as well: look further back
            }
        }
        return null;
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
        Path last = all.get(all.size() - 1);
        try {
            return read(last);
        } catch (CliException e) {
            Path good = previousGood(all, last);
            throw new CliException(e.getMessage() + (good == null ? "" : "; the previous good"
                    + " checkpoint is " + good), e.getExitCode(), e);
        }
    }

    private static boolean looksLikeCheckpoint(Path dir) {
        return dir.getFileName() != null && dir.getFileName().toString().startsWith("epoch-");
    }

    /**
     * The place of a checkpoint folder in a run: {epoch, batches of the next epoch}, or {@code
     * null} if its name is not a checkpoint's.
     */
    static long[] order(Path dir) {
        Matcher m = NAME.matcher(dir.getFileName() == null ? "" : dir.getFileName().toString());
        if (!m.matches()) {
            return null;
        }
        try {
            return new long[] {Long.parseLong(m.group(1)),
                m.group(2) == null ? 0 : Long.parseLong(m.group(2))};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The checkpoint folders of a checkpoints folder in training order (numeric, not text). */
    static List<Path> list(Path root) {
        List<Path> all = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return all;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "epoch-*")) {
            for (Path p : ds) {
                if (Files.isDirectory(p) && order(p) != null) {
                    all.add(p);
                }
            }
        } catch (IOException e) {
            throw new CliException("cannot list checkpoints in " + root + ": " + e.getMessage());
        }
        all.sort(Comparator.<Path>comparingLong(p -> order(p)[0])
                .thenComparingLong(p -> order(p)[1]));
        return all;
    }

    /**
     * Reads a checkpoint's state and verifies its files: each one recorded in {@code state.json}
     * must have the recorded size and SHA-256; a checkpoint written before these records must
     * at least have a parameter file that starts as DJL's do.
     *
     * @param dir the checkpoint folder
     * @return the checkpoint
     * @throws CliException if the state is missing or unreadable or a file does not verify,
     *     naming the file
     */
    static Found read(Path dir) {
        Path stateFile = dir.resolve(STATE);
        if (!Files.isRegularFile(stateFile)) {
            throw corrupt(dir, "no " + STATE);
        }
        boolean stateVerified = verifyState(dir, stateFile);
        State state;
        try {
            state = Json.GSON.fromJson(Files.readString(stateFile, StandardCharsets.UTF_8),
                    State.class);
        } catch (IOException | JsonParseException e) {
            throw corruptFile(stateFile, "is not readable (" + oneLine(e) + ")");
        }
        if (state == null || state.config == null || state.epoch < 0
                || (state.epoch == 0 && state.batchesInEpoch < 1)) {
            throw corruptFile(stateFile, "lacks the epoch or the configuration");
        }
        if (!stateVerified) {
            // refused only when the checkpoint says it was written by a crbp that writes the
            // checksum; checkpoints older than the commit time in the provenance (or than the
            // file records) say nothing and are accepted with a warning
            String writtenBy = state.files == null ? null : writtenAt(state);
            if (writtenBy != null && writtenBy.compareTo(STATE_SHA256_SINCE) >= 0) {
                throw corruptFile(dir.resolve(STATE_SHA256), "is missing, but the crbp that"
                        + " wrote the checkpoint (commit of " + writtenBy + ") writes it: it was"
                        + " removed, so " + STATE + " cannot be verified");
            }
            if (UNVERIFIED_WARNED.add(dir.toAbsolutePath().normalize())) {
                System.err.println("Warning: checkpoint " + dir + " has no " + STATE_SHA256
                        + " (written by a crbp from before checkpoints had one): its " + STATE
                        + " cannot be verified");
            }
        }
        Path params = dir.resolve(paramsName(state.epoch));
        if (!Files.isRegularFile(params)) {
            throw corruptFile(params, "is missing");
        }
        if (state.files != null) {
            if (!state.files.containsKey(params.getFileName().toString())
                    || !state.files.containsKey(OPTIMIZER)) {
                throw corruptFile(stateFile, "does not record " + params.getFileName()
                        + " and " + OPTIMIZER);
            }
            for (Map.Entry<String, FileRecord> e : state.files.entrySet()) {
                verify(dir.resolve(e.getKey()), e.getValue());
            }
        } else {
            checkMagic(params);
        }
        Found found = new Found(dir, state);
        found.stateVerified = stateVerified;
        return found;
    }

    /**
     * Checks state.json against its checksum file. A checkpoint written before the checksum
     * file existed is accepted with a warning (once per checkpoint and process).
     */
    private static boolean verifyState(Path dir, Path stateFile) {
        Path sidecar = dir.resolve(STATE_SHA256);
        if (!Files.exists(sidecar)) {
            return false; // allowed only for checkpoints from before state.sha256 (see read)
        }
        String recorded;
        try {
            String text = Files.readString(sidecar, StandardCharsets.US_ASCII).strip();
            int space = text.indexOf(' ');
            recorded = space < 0 ? text : text.substring(0, space);
        } catch (IOException e) {
            throw corruptFile(sidecar, "is not readable (" + oneLine(e) + ")");
        }
        if (!recorded.matches("[0-9a-f]{64}")) {
            throw corruptFile(sidecar, "does not hold a SHA-256");
        }
        try {
            if (!AtomicFiles.sha256(stateFile).equals(recorded)) {
                throw corruptFile(stateFile, "does not match the SHA-256 recorded in "
                        + STATE_SHA256 + " (it changed after it was written)");
            }
        } catch (IOException e) {
            throw corruptFile(stateFile, "is not readable (" + oneLine(e) + ")");
        }
        return true;
    }

    /**
     * The commit time (UTC, ISO 8601) of the crbp that wrote a checkpoint, from its provenance,
     * or null if it does not say.
     */
    private static String writtenAt(State state) {
        Object time = state.provenance == null ? null : state.provenance.get("gitCommitTime");
        if (!(time instanceof String)) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse((String) time)
                    .withOffsetSameInstant(java.time.ZoneOffset.UTC)
                    .format(java.time.format.DateTimeFormatter.ISO_INSTANT);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static void verify(Path file, FileRecord expected) {
        if (!Files.isRegularFile(file)) {
            throw corruptFile(file, "is missing");
        }
        try {
            long size = Files.size(file);
            if (size != expected.bytes) {
                throw corruptFile(file, "has " + size + " bytes where " + STATE + " records "
                        + expected.bytes);
            }
            if (!AtomicFiles.sha256(file).equals(expected.sha256)) {
                throw corruptFile(file, "does not match the SHA-256 recorded in " + STATE
                        + " (it changed after it was written)");
            }
        } catch (IOException e) {
            throw corruptFile(file, "is not readable (" + oneLine(e) + ")");
        }
    }

    private static void checkMagic(Path params) {
        byte[] head = new byte[4];
        int n = 0;
        try (InputStream in = Files.newInputStream(params)) {
            n = in.readNBytes(head, 0, 4);
        } catch (IOException e) {
            throw corruptFile(params, "is not readable (" + oneLine(e) + ")");
        }
        if (n < 4 || !"DJL@".equals(new String(head, StandardCharsets.US_ASCII))) {
            throw corruptFile(params,
                    "is not a DJL parameter file (it does not start with 'DJL@')");
        }
    }

    static String paramsName(int epoch) {
        return String.format(Locale.ROOT, "%s-%04d.params", MODEL_NAME, epoch);
    }

    /**
     * Loads a checkpoint's parameters into a model whose block was built from its configuration.
     * DJL's {@code Model.load} returns quietly, leaving the block uninitialised, when the file is
     * not a DJL parameter file; that case is an error here.
     *
     * @param model the model
     * @param found the checkpoint
     * @throws CliException if the parameters cannot be read, naming the file
     */
    static void loadParameters(Model model, Found found) {
        Path file = found.dir.resolve(paramsName(found.state.epoch));
        checkMagic(file);
        try {
            model.load(found.dir, MODEL_NAME,
                    Collections.singletonMap("epoch", Integer.toString(found.state.epoch)));
        } catch (IOException | MalformedModelException | RuntimeException e) {
            throw corruptFile(file, "cannot be loaded (" + oneLine(e) + ")");
        }
        if (model.getBlock() != null && !model.getBlock().isInitialized()) {
            throw corruptFile(file, "gave DJL no parameters");
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
            throw corruptFile(file, "cannot be loaded (" + oneLine(e) + ")");
        }
    }

    /**
     * The error of a checkpoint file that does not verify: one line naming the checkpoint and
     * the file, {@code checkpoint DIR is corrupt: FILE what}.
     *
     * @param file the file
     * @param why what is wrong
     * @return the exception (exit code 2)
     */
    static CliException corruptFile(Path file, String why) {
        return new CliException("checkpoint " + file.getParent() + " is corrupt: "
                + file.getFileName() + " " + why);
    }

    static CliException corrupt(Path dir, String why) {
        return new CliException("checkpoint " + dir + " is corrupt: " + why);
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return (m == null ? e.getClass().getSimpleName() : m).replace('\n', ' ');
    }

    static void deleteTree(Path dir) throws IOException {
        AtomicFiles.deleteTree(dir);
    }
}
