/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import com.google.gson.JsonObject;

import org.crbp.examples.CliException;
import org.crbp.examples.ExitCode;
import org.crbp.examples.run.CheckpointTrustTest;
import org.crbp.examples.config.Json;
import org.crbp.examples.config.ModelKind;
import org.crbp.examples.config.RunConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code --config FILE}: options by their long names, overridden by the command line, written
 * back as the run folder's {@code config.json}; {@code --resume} takes the run's settings and
 * refuses options given again that disagree.
 */
class ConfigTest {

    private static TrainCommand resolve(String... args) {
        TrainCommand t = new TrainCommand();
        new CommandLine(t).parseArgs(args);
        return t.resolve(Arrays.asList(args));
    }

    @Test
    void theCommandLineOverridesTheFile(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("run.json");
        Files.writeString(json, "{\"lr\": 0.02, \"epochs\": 3, \"model\": \"convlstm\","
                + " \"fresh-data\": false, \"curriculum\": [6, 10], \"no-pictures\": true}");
        TrainCommand t = resolve("--config", json.toString(), "--epochs", "4");
        RunConfig c = t.run.toConfig();
        assertEquals(4, c.epochs, "the command line wins");
        assertEquals(0.02f, c.lr);
        assertEquals(ModelKind.CONVLSTM, c.model);
        assertFalse(c.freshData);
        assertEquals(List.of(6, 10), c.curriculum);
        assertTrue(t.pictures.noPictures);
        assertEquals(16, c.channels, "left out: the recipe's");

        Path props = tmp.resolve("run.properties");
        Files.writeString(props, "lr=0.03\nno-pictures=true\nfresh-data=false\ncurriculum=6,10\n");
        TrainCommand p = resolve("--config", props.toString());
        assertEquals(0.03f, p.run.toConfig().lr);
        assertFalse(p.run.toConfig().freshData);
        assertEquals(List.of(6, 10), p.run.toConfig().curriculum);
        assertTrue(p.pictures.noPictures);
    }

    @Test
    void theEffectiveSettingsRoundTrip(@TempDir Path tmp) throws Exception {
        TrainCommand t = resolve("--recipe", "reference", "--method", "cbptt", "--lr", "0.005",
                "--curriculum", "8", "--time-budget", "3", "--out", tmp.resolve("r").toString());
        RunConfig c = t.run.toConfig();
        Path file = tmp.resolve("config.json");
        Json.write(file, RunSettings.effective(t.spec, c, tmp.resolve("r"), false));
        TrainCommand again = resolve("--config", file.toString());
        assertEquals(Json.GSON.toJson(c), Json.GSON.toJson(again.run.toConfig()));
        assertEquals(3.0, again.timeBudget);
        assertEquals(Json.GSON.toJson(RunSettings.effective(t.spec, c, tmp.resolve("r"), false)),
                Json.GSON.toJson(RunSettings.effective(again.spec, again.run.toConfig(),
                        tmp.resolve("r"), false)));
    }

    @Test
    void badFilesAreNamed(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("bad.json");
        Files.writeString(json, "{\"learning-rate\": 0.1}");
        CliException unknown = assertThrows(CliException.class,
                () -> resolve("--config", json.toString()));
        assertTrue(unknown.getMessage().contains(json.toString())
                && unknown.getMessage().contains("'learning-rate' is not an option"),
                unknown.getMessage());
        Files.writeString(json, "{\"lr\": \"fast\"}");
        CliException value = assertThrows(CliException.class,
                () -> resolve("--config", json.toString()));
        assertTrue(value.getMessage().startsWith("config " + json + ": ")
                && value.getMessage().contains("--lr"), value.getMessage());
        Files.writeString(json, "{ not json");
        assertTrue(assertThrows(CliException.class, () -> resolve("--config", json.toString()))
                .getMessage().contains("is not valid JSON"));
        Cli missing = Cli.run("train", "--config", tmp.resolve("nope.json").toString());
        assertEquals(ExitCode.USAGE.code(), missing.exitCode, missing.toString());
        assertTrue(missing.err.startsWith("crbp: error: config file not found"), missing.err);
    }

    @Test
    void resumeTakesTheRunsSettingsAndRefusesConflicts(@TempDir Path tmp) throws Exception {
        // the tiny run's options in a file; stopped after its first batch
        JsonObject cfg = new JsonObject();
        String[] tiny = CheckpointTrustTest.TINY;
        for (int i = 0; i < tiny.length; i += 2) {
            cfg.addProperty(tiny[i].substring(2), Integer.parseInt(tiny[i + 1]));
        }
        cfg.addProperty("epochs", 1);
        cfg.addProperty("no-pictures", true);
        cfg.addProperty("lr", 0.005);
        Path file = tmp.resolve("tiny.json");
        Files.writeString(file, cfg.toString());
        Path run = tmp.resolve("run");
        Cli first = Cli.run("train", "--config", file.toString(), "--out", run.toString(),
                "--stop-after-batches", "1");
        assertEquals(0, first.exitCode, first.toString());
        JsonObject stored = CommandsEndToEndTest.json(run.resolve("config.json"));
        assertEquals(2, stored.get("channels").getAsInt());
        assertEquals(0.005, stored.get("lr").getAsDouble(), 1e-9);
        assertEquals(run.toString(), stored.get("out").getAsString());
        assertFalse(stored.has("stop-after-batches"), "test-only options are not settings");

        Cli conflict = Cli.run("train", "--out", run.toString(), "--resume", "--lr", "0.5");
        assertEquals(ExitCode.USAGE.code(), conflict.exitCode, conflict.toString());
        assertEquals(1, conflict.err.strip().split("\n").length, conflict.err);
        assertTrue(conflict.err.contains("--lr is 0.005") && conflict.err.contains("0.5 here")
                && conflict.err.contains(run.resolve("config.json").toString()), conflict.err);
        Cli conflictInFile = Cli.run("train", "--out", run.toString(), "--resume", "--channels",
                "3");
        assertTrue(conflictInFile.err.contains("--channels is 2"), conflictInFile.err);

        // nothing repeated: the run's settings, and the allowed --epochs may change
        Cli rest = Cli.run("train", "--out", run.toString(), "--resume", "--epochs", "2");
        assertEquals(0, rest.exitCode, rest.toString());
        JsonObject report = CommandsEndToEndTest.json(run.resolve("report.json"));
        JsonObject config = report.getAsJsonObject("config");
        assertEquals(2, config.get("channels").getAsInt());
        assertEquals(8, config.get("trainSize").getAsInt());
        assertEquals(2, config.get("epochs").getAsInt());
        assertEquals(2, report.get("epochs").getAsInt());
        assertEquals(2, CommandsEndToEndTest.json(run.resolve("config.json")).get("epochs")
                .getAsInt(), "config.json follows the run");
    }
}
