/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.crbp.core.solver.AdjointSolver;
import org.crbp.core.solver.Anderson;
import org.crbp.core.solver.FixedPointAdjoint;
import org.crbp.core.solver.FixedPointSolver;
import org.crbp.core.solver.JacobianFree;
import org.crbp.core.solver.NaiveIteration;
import org.crbp.core.solver.NeumannSeries;
import org.crbp.core.solver.PhantomGradient;
import org.junit.jupiter.api.Test;

/** Methods and solvers describe themselves; the old names of the adjoint budget still work. */
class MethodDescriptionTest {

    @Test
    void methodsPrintTheirNameAndKeySettings() {
        LipschitzPenalty lcp = LipschitzPenalty.builder().build();
        assertEquals("C-RBP(steps=12, forward=naive, adjoint=neumann(8, abs 1e-09, cap 1.00),"
                        + " penalty=" + lcp + ")",
                Rbp.builder().setSteps(12).optAdjointBudget(8).optPenalty(lcp).build()
                        .toString());
        assertEquals("RBP(steps=the network's, forward=naive, adjoint=jacobian-free)",
                Rbp.builder().optAdjointSolver(new JacobianFree()).build().toString());
        assertEquals("BPTT(steps=6)", GradientMethods.bptt(6).toString());
        assertEquals("TBPTT(steps=6, gradientSteps=2, no contraction monitor)",
                Bptt.builder().setSteps(6).optGradientSteps(2).optMonitorContraction(false)
                        .build().toString());
        assertEquals("C-BPTT(steps=6, penalty=" + lcp + ", monitor every 3)",
                Bptt.builder().setSteps(6).optPenalty(lcp).optMonitorEvery(3).build()
                        .toString());
    }

    @Test
    void solversPrintTheirDescription() {
        FixedPointSolver[] forward = {
            NaiveIteration.builder().build(), Anderson.builder().optTolerance(1e-3).build()};
        for (FixedPointSolver solver : forward) {
            assertEquals(solver.describe(), solver.toString());
        }
        AdjointSolver[] adjoint = {
            NeumannSeries.reference(15), new JacobianFree(),
            PhantomGradient.builder().build(),
            FixedPointAdjoint.builder().setSolver(NaiveIteration.builder().optTolerance(1e-4)
                    .build()).build()};
        for (AdjointSolver solver : adjoint) {
            assertEquals(solver.describe(), solver.toString());
        }
    }

    @Test
    @SuppressWarnings("deprecation")
    void theOldNamesOfTheAdjointBudgetDelegate() {
        Rbp old = Rbp.builder().setSteps(5).optNeumannTerms(7).optTolerance(1e-3).build();
        Rbp current = Rbp.builder().setSteps(5).optAdjointBudget(7).optNeumannTolerance(1e-3)
                .build();
        assertEquals(7, old.getAdjointBudget());
        assertEquals(7, old.getNeumannTerms());
        assertEquals(current.getAdjointSolver().describe(), old.getAdjointSolver().describe());
        assertEquals("neumann(7, abs 1e-09, cap 1.00, tol 1e-03)",
                current.getAdjointSolver().describe());
    }
}
