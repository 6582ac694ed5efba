/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;

import org.crbp.examples.config.RunConfig;
import org.crbp.examples.config.SettingNames;
import org.crbp.examples.config.MethodKind;
import org.crbp.examples.config.ModelKind;
import org.crbp.examples.ExitCode;
import org.crbp.examples.cli.Cli;
import org.crbp.examples.cli.CommandsEndToEndTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The state of the contraction at every level of the program: the report's {@code contraction}
 * block on the test images, the epoch record's contracting fraction and cut adjoint solves, the
 * one-line warning when an epoch leaves the contractive regime, and the penalty's options.
 */
class ContractionReportTest {

    /** The command line's spelling of the settings, as crbp train passes it. */
    private static final SettingNames OPTIONS = key -> "--" + key;

    @Test
    void theReportAndEveryEpochCarryTheContraction(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        Cli c = Cli.run(Cli.concat(new String[] {"train", "--out", run.toString(), "--epochs",
            "1", "--no-pictures", "--contraction-images", "4", "--penalty-reduction", "image"},
                CheckpointTrustTest.TINY));
        assertEquals(0, c.exitCode, c.toString());
        JsonObject report = CommandsEndToEndTest.json(run.resolve("report.json"));
        JsonObject k = report.getAsJsonObject("contraction");
        assertEquals(8, k.get("images").getAsInt(), "every test image is measured");
        assertEquals(1e-3, k.get("tol").getAsDouble(), 0);
        assertEquals(12, k.get("horizonSteps").getAsInt(), "4 x T = 4 x 3");
        for (String name : new String[] {"convergedFraction", "spectralRadiusMedian",
            "spectralRadiusP95", "driftMedian"}) {
            assertTrue(k.has(name), name);
        }
        double radius = k.get("spectralRadiusMedian").getAsDouble();
        assertTrue(radius > 0 && radius < 10, "a spectral radius, got " + radius);
        assertTrue(c.out.contains("Test contraction on 8 images: "), c.out);
        assertEquals("image", report.get("penaltyReduction").getAsString());

        JsonObject epoch = report.getAsJsonArray("history").get(0).getAsJsonObject();
        assertEquals(4, epoch.get("contractionImages").getAsInt());
        double fraction = epoch.get("contractingFraction").getAsDouble();
        assertTrue(fraction >= 0 && fraction <= 1, "a fraction, got " + fraction);
        double cut = epoch.get("adjointCutFraction").getAsDouble();
        assertTrue(cut == 0 || cut == 0.5 || cut == 1, "two adjoint solves, got " + cut);
        assertEquals(cut, epoch.get("adjointCutGrowth").getAsDouble()
                + epoch.get("adjointCutNormCap").getAsDouble()
                + epoch.get("adjointCutBudget").getAsDouble()
                + epoch.get("adjointCutExploded").getAsDouble(), 1e-12,
                "the reasons add up to the whole");
        assertTrue(c.out.contains("contracting "), c.out);
    }

    @Test
    void anEpochOutsideTheContractiveRegimeIsToldInOneLine() {
        RunConfig c = RunConfig.forRecipe("cpu");
        c.method = MethodKind.CRBP;
        c.model = ModelKind.HGRU;
        Checkpoints.EpochRecord r = new Checkpoints.EpochRecord();
        r.epoch = 3;
        r.contractionImages = 64;
        r.contractingFraction = 0.95;
        r.adjointCutFraction = 0.02;
        assertNull(TrainingLoop.contractionWarning(r, c, OPTIONS), "95% contract, 2% cut: fine");

        r.contractingFraction = 0.5;
        r.spectralRadiusMedian = 1.3;
        String few = TrainingLoop.contractionWarning(r, c, OPTIONS);
        assertTrue(few.startsWith("epoch 3 left the contractive regime: 50% of 64 validation"
                + " images contract (spectral radius median 1.30)"), few);
        assertTrue(few.contains("the implicit gradient is approximate"), few);
        assertTrue(few.contains("--penalty-weight"), few);
        assertEquals(1, few.split("\n").length);

        r.spectralRadiusMedian = 0.94;
        String slow = TrainingLoop.contractionWarning(r, c, OPTIONS);
        assertTrue(slow.contains("the dynamics contract slowly: solve to a tolerance (--tol 1e-3"
                + " --max-steps 48)"), slow);

        r.contractingFraction = 1;
        r.adjointCutFraction = 0.4;
        String cut = TrainingLoop.contractionWarning(r, c, OPTIONS);
        assertTrue(cut.contains("40% of its adjoint solves were cut short"), cut);

        c.method = MethodKind.BPTT;
        assertNull(TrainingLoop.contractionWarning(r, c, OPTIONS), "BPTT's gradient is not implicit");
    }

    @Test
    void thePenaltyOptionsAreValidated(@TempDir Path tmp) {
        Cli reduction = Cli.run(Cli.concat(new String[] {"train", "--out",
            tmp.resolve("a").toString(), "--penalty-reduction", "median"},
                CheckpointTrustTest.TINY));
        assertEquals(ExitCode.USAGE.code(), reduction.exitCode, reduction.toString());
        assertTrue(reduction.err.contains("--penalty-reduction must be mean, sum, image or"
                + " violating, got 'median'"), reduction.err);
        Cli difference = Cli.run(Cli.concat(new String[] {"train", "--out",
            tmp.resolve("b").toString(), "--penalty-difference", "forward"},
                CheckpointTrustTest.TINY));
        assertEquals(ExitCode.USAGE.code(), difference.exitCode, difference.toString());
        assertTrue(difference.err.contains("--penalty-difference must be one-sided or central"),
                difference.err);
        Cli images = Cli.run(Cli.concat(new String[] {"train", "--out",
            tmp.resolve("c").toString(), "--contraction-images", "-1"},
                CheckpointTrustTest.TINY));
        assertEquals(ExitCode.USAGE.code(), images.exitCode, images.toString());
        assertTrue(images.err.contains("--contraction-images must be 0 (off) or more"),
                images.err);
    }
}
