/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.crbp.examples.config.ModelKind;
import org.crbp.examples.config.RunConfig;
import org.crbp.examples.config.SettingNames;
import org.crbp.examples.run.Checkpoints;
import org.crbp.examples.run.MetricsLog;
import org.crbp.examples.run.Training;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A second task trained through the real run layer: one epoch of {@link SyntheticTask}, whose own
 * metrics land in metrics.csv, the checkpoint and report.json, with no Pathfinder metric there.
 */
class SyntheticTaskTest {

    @Test
    void aSecondTaskTrainsAndReportsItsOwnMetrics(@TempDir Path tmp) throws IOException {
        Tasks.register(new SyntheticTask());
        RunConfig c = new RunConfig();
        c.task = SyntheticTask.NAME;
        c.model = ModelKind.byName("ff");
        c.epochs = 1;
        c.batch = 4;
        c.trainSize = 8;
        c.validationSize = 4;
        c.testSize = 4;
        c.validate(SettingNames.KEYS);
        Path out = tmp.resolve("run");
        Training.Options o = new Training.Options();
        o.quiet = true;
        StringWriter console = new StringWriter();
        Map<String, Object> report = Training.run(c, out, o, new PrintWriter(console));

        // metrics.csv: the fixed columns, then the task's own, one row per batch
        List<String> rows = Files.readAllLines(out.resolve(MetricsLog.FILE),
                StandardCharsets.UTF_8);
        assertEquals(MetricsLog.HEADER + ",batchMae", rows.get(0));
        assertEquals(3, rows.size(), rows.toString());
        for (String row : rows.subList(1, 3)) {
            String[] f = row.split(",", -1);
            assertEquals(10, f.length, row);
            double mae = Double.parseDouble(f[9]);
            // a mean absolute error of brightness targets in [0, 1]: finite and non-negative
            assertTrue(mae >= 0 && mae < 10, row);
        }

        // report.json: the task's test metric and its epoch metrics, no Pathfinder metric
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("report.json"),
                StandardCharsets.UTF_8)).getAsJsonObject();
        double mae = json.get("mae").getAsDouble();
        assertTrue(mae >= 0 && mae < 10, json.toString());
        assertEquals(mae, (Double) report.get("mae"), 0.0);
        assertFalse(json.has("f1") || json.has("iou"), json.toString());
        JsonObject epoch = json.getAsJsonArray("history").get(0).getAsJsonObject();
        assertTrue(epoch.has("trainMae") && epoch.has("validationMae")
                && epoch.has("validationLoss"), epoch.toString());
        assertFalse(epoch.has("trainF1") || epoch.has("validationIoU"), epoch.toString());
        assertEquals("brightness", json.getAsJsonObject("config").get("task").getAsString());

        // the checkpoint reads back with the same named metrics, in the task's order
        Checkpoints.Found found = Checkpoints.latestIn(out);
        Checkpoints.EpochRecord r = found.state.history.get(0);
        assertEquals(List.of("trainMae", "validationMae", "validationLoss"),
                r.metrics().names());
        assertEquals(epoch.get("validationMae").getAsDouble(), r.metric("validationMae"), 0.0);
        assertEquals(SyntheticTask.NAME, found.state.config.task);
    }
}
