/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.crbp.examples.CliException;
import org.crbp.examples.ExitCode;
import org.crbp.examples.cli.Cli;
import org.crbp.examples.config.Json;
import org.crbp.examples.config.RunConfig;
import org.crbp.examples.config.SettingNames;
import org.junit.jupiter.api.Test;

import java.util.List;

/** The registry of tasks: Pathfinder by default, by name, and one line for an unknown name. */
class TasksTest {

    @Test
    void pathfinderIsTheDefaultAndKnownByName() {
        Task byDefault = Tasks.byName(null, SettingNames.KEYS);
        assertEquals("pathfinder", byDefault.name());
        assertSame(byDefault, Tasks.byName(" Pathfinder ", SettingNames.KEYS));
        assertSame(byDefault, Tasks.of(new RunConfig()));
        assertEquals("pathfinder", Tasks.names().get(0));
        assertEquals("validationIoU", byDefault.selectionMetric());
        assertTrue(byDefault.epochMetricNames().contains(byDefault.selectionMetric()));
        assertEquals(List.of(), byDefault.batchMetricNames());
    }

    @Test
    void unknownTaskIsOneUsageLineListingTheKnownOnes() {
        CliException e = assertThrows(CliException.class,
                () -> Tasks.byName("panoptic", SettingNames.KEYS));
        assertEquals(ExitCode.USAGE, e.getExitCode());
        assertTrue(e.getMessage().startsWith("task must be pathfinder"), e.getMessage());
        assertTrue(e.getMessage().endsWith("got 'panoptic'"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void trainRefusesAnUnknownTaskWithExitTwo() {
        Cli r = Cli.run("train", "--task", "panoptic", "--epochs", "1");
        assertEquals(2, r.exitCode, r.toString());
        assertTrue(r.err.contains("--task must be pathfinder") && r.err.contains("'panoptic'"),
                r.err);
    }

    @Test
    void aPathfinderConfigurationNamesNoTask() {
        // the files of a Pathfinder run read and write as before tasks had names
        RunConfig c = new RunConfig();
        assertNull(c.task);
        String json = Json.GSON.toJson(c);
        assertTrue(!json.contains("\"task\""), json);
        c.task = "other";
        RunConfig back = Json.GSON.fromJson(Json.GSON.toJson(c), RunConfig.class);
        assertEquals("other", back.task);
    }
}
