/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.cli;

import org.crbp.examples.CliException;
import org.crbp.examples.config.Json;
import org.crbp.examples.config.MethodKind;
import org.crbp.examples.config.ModelKind;
import org.crbp.examples.config.RunConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The model's size is one mixin in three commands; model and method are enums. */
class ModelOptionsTest {

    @Test
    void oneMixinInTrainReproduceAndBenchmark() {
        CommandLine main = Main.commandLine();
        for (String cmd : new String[] {"train", "reproduce", "benchmark"}) {
            CommandLine.Model.CommandSpec spec = main.getSubcommands().get(cmd).getCommandSpec();
            for (String name : new String[] {"--channels", "--kernel", "--batch",
                "--neumann-terms"}) {
                OptionSpec o = spec.findOption(name);
                assertNotNull(o, cmd + " " + name);
                assertTrue(((java.lang.reflect.Field) o.userObject()).getDeclaringClass()
                        == ModelOptions.class, cmd + " " + name + " is declared outside the mixin");
            }
        }
    }

    @Test
    void modelAndMethodAreCaseInsensitiveEnums() {
        TrainCommand t = new TrainCommand();
        new CommandLine(t).parseArgs("--model", "ConvLSTM", "--method", "CBPTT");
        RunConfig c = t.run.toConfig();
        assertEquals(ModelKind.CONVLSTM, c.model);
        assertEquals(MethodKind.CBPTT, c.method);
        assertEquals(RunConfig.DEFAULT_BPTT_STEPS, c.steps);
        assertEquals("C-BPTT", c.methodLabel());
        // stored with the command-line spelling, and read back
        String json = Json.GSON.toJson(c);
        assertTrue(json.contains("\"model\": \"convlstm\"") || json.contains("\"model\":\"convlstm\""),
                json);
        assertEquals(ModelKind.CONVLSTM, Json.GSON.fromJson(json, RunConfig.class).model);
    }

    @Test
    void badValuesListTheChoices() {
        CliException m = assertThrows(CliException.class, () -> ModelKind.parse("resnet", OptionNames.OPTIONS));
        assertEquals("--model must be hgru, convlstm or ff, got 'resnet'", m.getMessage());
        CliException g = assertThrows(CliException.class, () -> MethodKind.parse("sgd", OptionNames.OPTIONS));
        assertEquals("--method must be bptt, cbptt, rbp, crbp or tbptt, got 'sgd'",
                g.getMessage());
    }
}
