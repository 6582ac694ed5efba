/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.crbp.examples.ExitCode;
import org.crbp.examples.config.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * No option is recorded without its effect: options that do nothing for the model, the method
 * or the data are refused in one line before any work; sizes the engine cannot run are refused
 * up front; a data folder turns the recipe's fresh data off, and the records say so.
 */
class NoEffectOptionsTest {

    @TempDir Path tmp;

    private void assertRefused(String fragment, String... args) {
        Path out = tmp.resolve("run-" + Math.abs(String.join(" ", args).hashCode()));
        // should the refusal fail, the run stops after one batch instead of training for long
        Cli c = Cli.run(Cli.concat(Cli.concat(new String[] {"train", "--out", out.toString()},
                args), "--no-pictures", "--stop-after-batches", "1"));
        assertEquals(ExitCode.USAGE.code(), c.exitCode, c.toString());
        assertTrue(c.err.startsWith("crbp: error: "), c.err);
        assertEquals(1, c.err.strip().split("\n").length, "one line: " + c.err);
        assertTrue(c.err.contains(fragment), "expected '" + fragment + "' in: " + c.err);
        assertFalse(Files.exists(out.resolve("config.json")), "recorded a refused run");
    }

    @Test
    void recurrentOptionsOnTheFeedforwardModel() {
        for (List<String> o : List.of(List.of("--steps", "9"), List.of("--lambda", "0.5"),
                List.of("--method", "cbptt"), List.of("--neumann-terms", "3"),
                List.of("--gate-floor", "0.2"), List.of("--penalty-weight", "3"))) {
            String[] args = Cli.concat(new String[] {"--model", "ff"}, o.toArray(new String[0]));
            assertRefused(o.get(0) + " has no effect with", args);
        }
    }

    @Test
    void optionsOfOtherMethodsAndCells() {
        assertRefused("--penalty-weight has no effect with --method bptt", "--method", "bptt",
                "--penalty-weight", "100");
        assertRefused("--lambda has no effect with --method rbp", "--method", "rbp",
                "--lambda", "0.5");
        assertRefused("--truncation has no effect with --method bptt", "--method", "bptt",
                "--truncation", "2");
        assertRefused("--truncation 9 is above --steps 6", "--method", "tbptt", "--steps", "6",
                "--truncation", "9");
        assertRefused("--neumann-terms has no effect with --method cbptt", "--method", "cbptt",
                "--neumann-terms", "3");
        assertRefused("--gate-init has no effect with --model convlstm", "--model", "convlstm",
                "--gate-init", "reference");
        assertRefused("--penalty-iterations has no effect with --penalty-probe residual",
                "--penalty-iterations", "7");
        assertRefused("--penalty-difference has no effect with --method cbptt", "--method",
                "cbptt", "--penalty-difference", "one-sided");
    }

    @Test
    void sizesTheEngineCannotRunOrThatNeverEnd() {
        assertRefused("--kernel 201 is larger than the pf-mini-14 images (64x64): at most 63",
                "--kernel", "201");
        assertRefused("--steps 5000 is above 1000", "--steps", "5000");
        assertRefused("--train-size 1000 is not a multiple of --batch 16", "--train-size",
                "1000", "--batch", "16");
        assertRefused("--val-size 50000000 is above", "--val-size", "50000000");
        assertRefused("--batch 1024 with --channels 1024 on 64x64 images needs at least",
                "--batch", "1024", "--channels", "1024", "--train-size", "1024");
    }

    @Test
    void aDataFolderTurnsFreshDataOffAndRefusesTheCurriculum() throws IOException {
        Path data = tmp.resolve("data");
        Cli g = Cli.run("generate", "--out", data.toString(), "--train-size", "4",
                "--val-size", "4", "--test-size", "8");
        assertEquals(0, g.exitCode, g.toString());
        String[] tiny = {"--channels", "2", "--kernel", "3", "--steps", "3", "--neumann-terms",
            "2", "--batch", "4", "--train-size", "4", "--val-size", "4", "--test-size", "8",
            "--epochs", "1", "--data", data.toString()};
        assertRefused("--curriculum generates shorter contours", Cli.concat(tiny,
                "--curriculum", "6"));
        assertRefused("--fresh-data has no effect with --data", Cli.concat(tiny,
                "--fresh-data"));
        Path run = tmp.resolve("with-data");
        Cli c = Cli.run(Cli.concat(new String[] {"train", "--out", run.toString()},
                Cli.concat(tiny, "--no-pictures")));
        assertEquals(0, c.exitCode, c.toString());
        Map<?, ?> config = Json.GSON.fromJson(Files.readString(run.resolve("config.json")),
                Map.class);
        assertEquals(Boolean.FALSE, config.get("fresh-data"), config.toString());
        Map<?, ?> report = Json.GSON.fromJson(Files.readString(run.resolve("report.json")),
                Map.class);
        assertEquals(Boolean.FALSE, ((Map<?, ?>) report.get("config")).get("freshData"));
    }

    @Test
    void aBadValueFromAConfigFileNamesTheFile() throws IOException {
        Path file = tmp.resolve("settings.json");
        Files.writeString(file, "{\"kernel\": 201, \"epochs\": 1}");
        assertRefused(file + ": --kernel 201 is larger than", "--config", file.toString());
        Files.writeString(file, "{\"lambda\": 1.5}");
        assertRefused(file + ": --lambda must be in [0, 1)", "--config", file.toString());
    }
}
