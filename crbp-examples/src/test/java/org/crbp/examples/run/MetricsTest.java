/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.crbp.examples.cli.Cli;
import org.crbp.examples.cli.CommandsEndToEndTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code metrics.csv} has one row per iteration and survives a kill and a resume without
 * duplicate rows; the validation loss is in the report; {@code --quiet} prints the result only.
 */
class MetricsTest {

    private static List<String> rows(Path run) throws Exception {
        List<String> lines = Files.readAllLines(run.resolve(MetricsLog.FILE),
                StandardCharsets.UTF_8);
        assertEquals(MetricsLog.HEADER, lines.get(0));
        return lines.subList(1, lines.size());
    }

    /** The (epoch, batch, loss) of each row: what a resumed run must repeat exactly. */
    private static List<String> keys(List<String> rows) {
        List<String> k = new ArrayList<>();
        for (String r : rows) {
            String[] f = r.split(",", -1);
            k.add(f[0] + "," + f[1] + "," + f[2]);
        }
        return k;
    }

    @Test
    void oneRowPerIterationAndNoDuplicatesAfterAResume(@TempDir Path tmp) throws Exception {
        // 8 images in batches of 4: two iterations per epoch, two epochs
        String[] common = Cli.concat(CheckpointTrustTest.TINY, "--epochs", "2", "--no-pictures");
        Path whole = tmp.resolve("whole");
        Cli a = Cli.run(Cli.concat(new String[] {"train", "--quiet", "--out", whole.toString()},
                common));
        assertEquals(0, a.exitCode, a.toString());
        // --quiet: the result lines only (the test's scores and its contraction), and warnings
        String[] printed = java.util.Arrays.stream(a.out.strip().split("\n"))
                .filter(line -> !line.startsWith("Warning: ")).toArray(String[]::new);
        assertEquals(2, printed.length, a.out);
        assertTrue(printed[0].startsWith("Test ("), a.out);
        assertTrue(printed[1].startsWith("Test contraction on 8 images: "), a.out);

        List<String> rows = rows(whole);
        assertEquals(4, rows.size(), String.join("\n", rows));
        String[] expected = {"1,1", "1,2", "2,1", "2,2"};
        for (int i = 0; i < 4; i++) {
            String[] f = rows.get(i).split(",", -1);
            assertEquals(9, f.length, rows.get(i));
            assertEquals(expected[i], f[0] + "," + f[1]);
            assertTrue(Double.parseDouble(f[2]) > 0, "loss: " + rows.get(i));
            assertFalse(f[3].isEmpty(), "C-RBP has a penalty: " + rows.get(i));
            assertTrue(Integer.parseInt(f[4]) >= 1, "Neumann terms: " + rows.get(i));
            // the cosine schedule ends at 0 on the last update
            assertTrue(Double.parseDouble(f[6]) >= 0, "lr: " + rows.get(i));
            assertTrue(Double.parseDouble(f[7]) > 0, "seconds: " + rows.get(i));
            assertTrue(Double.parseDouble(f[8]) >= 0, "cpu seconds: " + rows.get(i));
        }
        assertFalse(Files.exists(whole.resolve("training.log")), "raw training.log");
        assertFalse(Files.exists(whole.resolve("memory.log")), "empty memory.log");

        JsonArray history = CommandsEndToEndTest.json(whole.resolve("report.json"))
                .getAsJsonArray("history");
        for (int i = 0; i < history.size(); i++) {
            JsonObject e = history.get(i).getAsJsonObject();
            double v = e.get("validationLoss").getAsDouble();
            assertTrue(Double.isFinite(v) && v > 0, "validation loss of epoch " + (i + 1));
        }

        // stopped after the first iteration, then killed during the second: its row was
        // written but no checkpoint holds it
        Path split = tmp.resolve("split");
        Cli first = Cli.run(Cli.concat(new String[] {"train", "--out", split.toString(),
            "--stop-after-batches", "1"}, common));
        assertEquals(0, first.exitCode, first.toString());
        assertEquals(1, rows(split).size());
        Files.writeString(split.resolve(MetricsLog.FILE),
                "1,2,9.99,0.1,3,0.01,0.001,1.0,1.0\n1,3,", StandardOpenOption.APPEND);
        Cli rest = Cli.run(Cli.concat(new String[] {"train", "--out", split.toString(),
            "--resume"}, common));
        assertEquals(0, rest.exitCode, rest.toString());
        assertTrue(rest.out.contains("validation loss"), rest.out);
        assertEquals(keys(rows), keys(rows(split)), "rows after the resume");
    }
}
