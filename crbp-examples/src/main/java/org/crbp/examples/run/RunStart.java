/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import org.crbp.examples.CliException;
import org.crbp.examples.config.Json;
import org.crbp.examples.config.RunConfig;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The checks of a run folder before any work: a new run does not overwrite another run's
 * checkpoints or settings, a resumed run continues a checkpoint of the same configuration, and
 * the folder's {@code config.json} says how to run it again.
 */
final class RunStart {

    private RunStart() {}

    /**
     * Finds the checkpoint a run continues and checks that it may: only on resume, and only one
     * of the same configuration. Writes the run's settings as {@code config.json}.
     *
     * @param c the run's configuration
     * @param folder the held run folder
     * @param o the run's options
     * @param info where the information lines go
     * @return the checkpoint to continue, or {@code null} to start from scratch
     * @throws IOException if the folder cannot be read or written
     * @throws CliException if the folder holds another run
     */
    static Checkpoints.Found previous(RunConfig c, RunFolder folder, Training.Options o,
            PrintWriter info) throws IOException {
        Path out = folder.dir();
        Checkpoints.cleanInterrupted(out);
        Checkpoints.Found previous = o.resumeFrom != null ? Checkpoints.named(out, o.resumeFrom)
                : Checkpoints.latestIn(out, o.names);
        if (previous != null && !o.resume) {
            throw new CliException(out + " already holds checkpoints (last: "
                    + previous.dir.getFileName() + "); add " + o.names.of("resume")
                    + " to continue that run, or choose another " + o.names.of("out"));
        }
        if (previous != null) {
            folder.checkBelongs(previous);
            if (!previous.state.config.resumableAs(c)) {
                throw new CliException("cannot resume: the checkpoint " + previous.dir
                        + " was trained with another configuration than this run's ("
                        + differences(previous.state.config, c) + ")");
            }
        }
        Path settingsFile = out.resolve(Training.SETTINGS_FILE);
        boolean hadSettings = Files.exists(settingsFile);
        if (previous == null && !o.resume && o.settings != null && hadSettings) {
            sameRunOrRefuse(settingsFile, o);
        }
        if (o.settings != null) {
            // every run folder says how to run it again: crbp train --config OUT/config.json
            Json.write(settingsFile, o.settings);
        }
        if (o.resume && previous == null) {
            info.println("No checkpoint in " + out + " yet: starting its run from scratch"
                    + (hadSettings ? " with its settings (" + settingsFile + ")" : "") + ".");
        }
        return previous;
    }

    /**
     * Refuses to start a new run in a folder whose config.json holds another run's settings (a
     * run that stopped before its first checkpoint); the same settings start it again.
     */
    private static void sameRunOrRefuse(Path settingsFile, Training.Options o) {
        Map<?, ?> stored;
        try {
            stored = Json.GSON.fromJson(Files.readString(settingsFile), Map.class);
        } catch (IOException | com.google.gson.JsonParseException e) {
            throw new CliException(settingsFile + " is not readable (" + Training.firstLine(e)
                    + "); remove it to start a new run there, or choose another "
                    + o.names.of("out"));
        }
        Map<?, ?> now = Json.GSON.fromJson(Json.GSON.toJson(o.settings), Map.class);
        List<String> differ = new ArrayList<>();
        for (Object key : now.keySet()) {
            if (Training.MAY_CHANGE_ON_RESUME.contains(key) || stored == null) {
                continue;
            }
            Object was = stored.get(key);
            Object is = now.get(key);
            if (was == null ? is != null : !was.equals(is)) {
                differ.add(o.names.of((String) key) + " " + was + " there, " + is + " here");
            }
        }
        if (stored == null || !differ.isEmpty()) {
            throw new CliException(settingsFile.getParent() + " holds another run that has no"
                    + " checkpoint yet (" + (stored == null ? "an empty config.json"
                            : String.join(", ", differ)) + "); add " + o.names.of("resume")
                    + " to start that run again with its settings, or choose another "
                    + o.names.of("out"));
        }
    }

    /** The fields in which two configurations differ, for the refusal to resume. */
    static String differences(RunConfig a, RunConfig b) {
        Map<?, ?> ma = Json.GSON.fromJson(Json.GSON.toJson(a), Map.class);
        Map<?, ?> mb = Json.GSON.fromJson(Json.GSON.toJson(b), Map.class);
        StringBuilder sb = new StringBuilder();
        for (Object k : ma.keySet()) {
            if ("epochs".equals(k)) {
                continue;
            }
            Object va = ma.get(k);
            Object vb = mb.get(k);
            if (va == null ? vb != null : !va.equals(vb)) {
                sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(va)
                        .append(" there, ").append(vb).append(" now");
            }
        }
        return sb.toString();
    }
}
