/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

import org.crbp.examples.config.Json;
import org.crbp.examples.config.SettingNames;
import org.crbp.examples.config.AtomicFiles;
import org.crbp.examples.CliException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A run folder held by one process: an operating-system lock on {@code .lock} (released when the
 * process ends, also on a crash or kill -9) and the run's identity in {@code run.json}, which
 * every checkpoint of the run records, so that a checkpoint copied in from another run is
 * recognised as a stranger.
 */
public final class RunFolder implements Closeable {

    /** The lock file's name. */
    static final String LOCK = ".lock";
    /** The run's identity file. */
    static final String RUN_FILE = "run.json";
    /** The run folders this process holds. */
    private static final java.util.Set<Path> HELD =
            java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final String runId;

    private RunFolder(Path dir, FileChannel channel, FileLock lock, String runId) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
        this.runId = runId;
    }

    /**
     * Takes the folder for this process, creating it and its identity if new.
     *
     * @param dir the run folder
     * @param names how a refusal names the setting of the run folder ({@code out})
     * @return the held folder; close it when the run ends
     * @throws CliException if another process holds the folder, or run.json is unreadable
     * @throws IOException if the folder cannot be created or written
     */
    public static RunFolder hold(Path dir, SettingNames names) throws IOException {
        Path key = dir.toAbsolutePath().normalize();
        // a second channel on the lock file in this process would release the first one's
        // lock when closed (POSIX record locks belong to the process): check first
        if (!HELD.add(key)) {
            throw new CliException("run folder " + dir + " is already in use by this program"
                    + " (two runs with the same " + names.of("out") + "); give each run its own "
                    + names.of("out"));
        }
        try {
            return open(dir, names);
        } catch (IOException | RuntimeException e) {
            HELD.remove(key);
            throw e;
        }
    }

    private static RunFolder open(Path dir, SettingNames names) throws IOException {
        AtomicFiles.createDirectories(dir);
        Path lockFile = dir.resolve(LOCK);
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = readHolder(channel);
            channel.close();
            throw new CliException("run folder " + dir + " is in use by another crbp process"
                    + (holder.isEmpty() ? "" : " (" + holder + ")")
                    + "; wait for it to finish, or choose another " + names.of("out"));
        }
        try {
            String who = "pid " + ProcessHandle.current().pid() + ", since " + Instant.now();
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((who + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            return new RunFolder(dir, channel, lock, identity(dir, names));
        } catch (IOException | RuntimeException e) {
            lock.release();
            channel.close();
            throw e;
        }
    }

    private static String readHolder(FileChannel channel) {
        try {
            ByteBuffer b = ByteBuffer.allocate(200);
            int n = channel.read(b, 0);
            return n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Reads the run's identity, or writes a new one for a new folder. */
    private static String identity(Path dir, SettingNames names) throws IOException {
        Path file = dir.resolve(RUN_FILE);
        if (Files.exists(file)) {
            try {
                JsonObject o = Json.GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8),
                        JsonObject.class);
                if (o != null && o.has("runId") && o.get("runId").isJsonPrimitive()) {
                    return o.get("runId").getAsString();
                }
            } catch (JsonParseException | IOException e) {
                // refused below, naming the file
            }
            throw new CliException(file + " is not a crbp run identity (expected {\"runId\":"
                    + " ...}); restore it, or choose another " + names.of("out"));
        }
        // a folder from before run.json: keep the identity its checkpoints already carry
        String adopted = null;
        try {
            Checkpoints.Found latest = Checkpoints.latestIn(dir, names);
            adopted = latest == null ? null : latest.state.runId;
        } catch (CliException e) {
            // a corrupt checkpoint is reported where it is resumed from
        }
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("runId", adopted != null ? adopted : UUID.randomUUID().toString());
        run.put("created", Instant.now().toString());
        run.put("crbpVersion", Provenance.crbpVersion());
        run.put("gitCommit", Provenance.gitCommit());
        Json.write(file, run);
        return (String) run.get("runId");
    }

    /**
     * Returns the run's identity, recorded in every checkpoint of the run.
     *
     * @return the run id
     */
    public String runId() {
        return runId;
    }

    /**
     * Returns the folder.
     *
     * @return the run folder
     */
    public Path dir() {
        return dir;
    }

    /**
     * Refuses a checkpoint that another run wrote.
     *
     * @param found the checkpoint about to be resumed from
     * @throws CliException naming the checkpoint and both identities
     */
    void checkBelongs(Checkpoints.Found found) {
        String theirs = found.state.runId;
        if (theirs != null && !theirs.equals(runId)) {
            throw new CliException("checkpoint " + found.dir + " belongs to another run (run "
                    + theirs + "; this folder's " + RUN_FILE + " says run " + runId + "): it was"
                    + " copied in from elsewhere; resume that run in its own folder, or remove"
                    + " the checkpoint");
        }
    }

    /** Releases the lock (also released by the operating system when the process ends). */
    @Override
    public void close() throws IOException {
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
            HELD.remove(dir.toAbsolutePath().normalize());
        }
    }
}
