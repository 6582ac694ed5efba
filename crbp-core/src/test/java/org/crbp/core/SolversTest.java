/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;

import org.crbp.core.check.GradientCheck;
import org.crbp.core.solver.AdjointProblem;
import org.crbp.core.solver.AdjointResult;
import org.crbp.core.solver.AdjointSolver;
import org.crbp.core.solver.Anderson;
import org.crbp.core.solver.FixedPointResult;
import org.crbp.core.solver.FixedPointSolver;
import org.crbp.core.solver.NaiveIteration;
import org.crbp.core.solver.NeumannSeries;
import org.crbp.core.solver.Residual;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

/**
 * The forward and adjoint solvers in float64: against long plain iteration, against a dense
 * solve of a known linear system, against the 200-term Neumann gradient and against the closed
 * forms of the approximations.
 */
class SolversTest {

    private static final Shape INPUT = new Shape(2, 1, 5, 5);

    private NDManager manager;
    private ParameterStore ps;
    private final Loss loss = new SquaredErrorLoss();

    @BeforeEach
    void setUp() {
        Engine.getInstance().setRandomSeed(17);
        manager = NDManager.newBaseManager();
        ps = new ParameterStore(manager, false);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private NDArray random(Shape shape, long seed) {
        Random random = new Random(seed);
        double[] values = new double[(int) shape.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble();
        }
        return manager.create(values, shape);
    }

    private RecurrentNet build(RecurrentCell cell, int steps) {
        RecurrentNet net = TestCells.net(cell, 3, 2, steps);
        net.initialize(manager, DataType.FLOAT64, INPUT);
        return net;
    }

    /** Solves {@code h = F(x, h)} for the net's cell and the given input. */
    private FixedPointResult solve(RecurrentNet net, NDList data, FixedPointSolver solver,
            int budget) {
        NDArray drive = net.drive(ps, data, false).stopGradient();
        return solver.solve(net.stepMap(ps, drive, false), net.getCell().initialState(drive),
                budget);
    }

    private static double relativeDistance(NDList a, NDList b) {
        return Jacobians.relativeDifference(a, b);
    }

    @Test
    void andersonReachesThePlainFixedPoint() {
        for (RecurrentCell cell : new RecurrentCell[] {
            TestCells.tanh(3, 3, 0.9f), new TestCells.TwoStateCell(3, 0.9f)}) {
            RecurrentNet net = build(cell, 2);
            NDList data = new NDList(random(INPUT, 1));
            FixedPointResult plain = solve(net, data, NaiveIteration.builder().build(), 500);
            assertTrue(plain.residual() < 1e-13, "500 plain steps: " + plain);
            FixedPointResult anderson = solve(net, data,
                    Anderson.builder().optWindow(5).optTolerance(1e-12).build(), 100);
            assertTrue(anderson.converged(), anderson.toString());
            double distance = relativeDistance(anderson.state(), plain.state());
            assertTrue(distance < 1e-10, cell.getClass().getSimpleName() + ": " + distance);

            FixedPointResult plainToTolerance = solve(net, data,
                    NaiveIteration.builder().optTolerance(1e-12).build(), 500);
            assertTrue(plainToTolerance.converged());
            assertTrue(anderson.evaluations() < plainToTolerance.evaluations(),
                    "Anderson " + anderson.evaluations() + " vs plain "
                            + plainToTolerance.evaluations());
            assertEquals(anderson.evaluations(), anderson.residuals().length);
            assertEquals(2, anderson.sampleResiduals().length);
        }
    }

    @Test
    void aSolverThatRunsOutOfBudgetSaysSo() {
        RecurrentNet net = build(TestCells.tanh(3, 3, 0.9f), 2);
        NDList data = new NDList(random(INPUT, 2));
        for (FixedPointSolver solver : new FixedPointSolver[] {
            NaiveIteration.builder().optTolerance(1e-12).build(),
            Anderson.builder().optTolerance(1e-12).build()}) {
            FixedPointResult result = solve(net, data, solver, 3);
            assertFalse(result.converged(), solver.describe());
            assertFalse(result.diverged(), solver.describe());
            assertEquals(3, result.evaluations());
            assertEquals(3, result.residuals().length);
            assertTrue(result.residual() > 1e-12);
        }
        // tolerance 0 is the fixed depth: the whole budget, and no claim of convergence
        FixedPointResult fixed = solve(net, data, NaiveIteration.builder().build(), 7);
        assertEquals(7, fixed.evaluations());
        assertFalse(fixed.converged());
    }

    @Test
    void everySampleRuleWaitsForTheSlowestSample() {
        RecurrentNet net = build(TestCells.tanh(3, 3, 0.9f), 2);
        NDArray image = random(INPUT, 3);
        // the second sample is ten times brighter: a different fixed point, reached at its pace
        NDArray bright = image.get("1:2").mul(10);
        NDList data = new NDList(image.get("0:1").concat(bright, 0));
        FixedPointResult batch = solve(net, data,
                NaiveIteration.builder().optTolerance(1e-6).build(), 300);
        FixedPointResult every = solve(net, data, NaiveIteration.builder().optTolerance(1e-6)
                .optStopRule(Residual.StopRule.EVERY_SAMPLE).build(), 300);
        assertTrue(batch.converged() && every.converged());
        assertTrue(every.evaluations() >= batch.evaluations());
        for (double r : every.sampleResiduals()) {
            assertTrue(r <= 1e-6, "sample residual " + r);
        }
    }

    /** {@code g = v + g A} for a row vector g: a known linear adjoint system. */
    private static final class LinearProblem implements AdjointProblem {
        final NDArray matrix;
        final NDList v;

        LinearProblem(NDArray matrix, NDArray v) {
            this.matrix = matrix;
            this.v = new NDList(v);
        }

        @Override
        public NDList rightHandSide() {
            return v;
        }

        @Override
        public NDList vjp(NDList u, NDManager target) {
            NDArray product = u.head().matMul(matrix);
            product.attach(target);
            return new NDList(product);
        }
    }

    private static double[][] randomMatrix(int n, double radius, long seed) {
        Random random = new Random(seed);
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                // a random symmetric part keeps the eigenvalues real, near +radius and -radius
                a[i][j] = (random.nextDouble() * 2 - 1) * radius / Math.sqrt(n);
            }
        }
        return a;
    }

    /** {@code v (I - A)^-1} by Gaussian elimination on {@code (I - A)^T x = v}. */
    private static double[] solveDense(double[][] a, double[] v) {
        int n = v.length;
        double[][] m = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                m[i][j] = (i == j ? 1 : 0) - a[j][i];
            }
            m[i][n] = v[i];
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[p][c])) {
                    p = r;
                }
            }
            double[] t = m[c];
            m[c] = m[p];
            m[p] = t;
            for (int r = 0; r < n; r++) {
                if (r != c) {
                    double f = m[r][c] / m[c][c];
                    for (int k = c; k <= n; k++) {
                        m[r][k] -= f * m[c][k];
                    }
                }
            }
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = m[i][n] / m[i][i];
        }
        return x;
    }

    private static double[] times(double[] row, double[][] a) {
        double[] out = new double[row.length];
        for (int j = 0; j < row.length; j++) {
            for (int i = 0; i < row.length; i++) {
                out[j] += row[i] * a[i][j];
            }
        }
        return out;
    }

    @Test
    void exactAdjointSolversSolveAKnownSystem() {
        int n = 12;
        double[][] a = randomMatrix(n, 0.9, 5);
        double[] v = new double[n];
        Random random = new Random(6);
        for (int i = 0; i < n; i++) {
            v[i] = random.nextDouble() - 0.5;
        }
        double[] flat = new double[n * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, flat, i * n, n);
        }
        LinearProblem problem = new LinearProblem(manager.create(flat, new Shape(n, n)),
                manager.create(v, new Shape(1, n)));
        double[] exact = solveDense(a, v);
        AdjointSolver[] solvers = {
            NeumannSeries.builder().optMaxTerms(2000).optNormCap(0).optAbsoluteTolerance(0)
                    .optGrowthGuard(false).optTolerance(1e-14).build(),
            GradientMethods.fixedPointAdjoint(2000, 1e-14),
            GradientMethods.andersonAdjoint(200, 1e-13, 6)
        };
        for (AdjointSolver solver : solvers) {
            AdjointResult result = solver.solve(problem, manager);
            double[] g = result.solution().head().toDoubleArray();
            assertTrue(GradientCheck.relativeError(g, exact) < 1e-10,
                    solver.describe() + ": " + GradientCheck.relativeError(g, exact));
            assertTrue(result.converged(), solver.describe() + " " + result);
        }
        AdjointResult anderson = solvers[2].solve(problem, manager);
        AdjointResult plain = solvers[1].solve(problem, manager);
        assertTrue(anderson.products() < plain.products(),
                "Anderson " + anderson.products() + " vs plain " + plain.products());

        // JFB is v itself; the phantom gradient is l sum_(j<k) ((1-l) I + l A^T)^j v
        double[] jfb = GradientMethods.jacobianFree().solve(problem, manager).solution().head()
                .toDoubleArray();
        assertArrayEquals(v, jfb, 0);
        double damping = 0.6;
        int k = 7;
        double[] u = v.clone();
        double[] expected = new double[n];
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < n; i++) {
                expected[i] += damping * u[i];
            }
            double[] ua = times(u, a);
            for (int i = 0; i < n; i++) {
                u[i] = (1 - damping) * u[i] + damping * ua[i];
            }
        }
        AdjointResult phantom = GradientMethods.phantomGradient(k, damping)
                .solve(problem, manager);
        assertEquals(k - 1, phantom.products());
        assertArrayEquals(expected, phantom.solution().head().toDoubleArray(), 1e-13);
    }

    @Test
    void neumannStopRulesAreTheReferences() {
        int n = 6;
        double[] v = {0.1, -0.2, 0.05, 0.3, -0.1, 0.2};
        // A = 2 I: every term doubles; the growth guard stops at once and drops the term
        double[] growing = new double[n * n];
        for (int i = 0; i < n; i++) {
            growing[i * n + i] = 2;
        }
        LinearProblem expansive = new LinearProblem(manager.create(growing, new Shape(n, n)),
                manager.create(v, new Shape(1, n)));
        AdjointResult grown = NeumannSeries.reference(15).solve(expansive, manager);
        assertTrue(grown.diverged());
        assertEquals(AdjointResult.Stop.GROWTH, grown.stop());
        assertTrue(grown.stop().cutShort());
        assertEquals(0, grown.products());
        assertArrayEquals(v, grown.solution().head().toDoubleArray(), 0);

        // A = 0.5 I: g = v (1 + 1/2 + ...), capped before ||g|| passes 1
        double[] half = new double[n * n];
        for (int i = 0; i < n; i++) {
            half[i * n + i] = 0.5;
        }
        NDArray big = manager.create(v, new Shape(1, n)).mul(2);
        LinearProblem capped = new LinearProblem(manager.create(half, new Shape(n, n)), big);
        AdjointResult atCap = NeumannSeries.reference(15).solve(capped, manager);
        double norm = GradientCheck.norm(atCap.solution().head().toDoubleArray());
        // ||v|| = 0.87, ||v + v/2|| = 1.3 > 1: the first term is dropped
        assertEquals(0, atCap.products());
        assertTrue(norm <= 1, "norm " + norm);
        assertFalse(atCap.diverged());
        assertEquals(AdjointResult.Stop.NORM_CAP, atCap.stop(), "a cap stop is reported");
        assertTrue(atCap.stop().cutShort());

        // a small v: terms fall below the absolute 1e-9 after about 25 halvings, within 40
        LinearProblem tiny = new LinearProblem(manager.create(half, new Shape(n, n)),
                manager.create(v, new Shape(1, n)).mul(1e-3));
        AdjointResult converged = NeumannSeries.reference(40).solve(tiny, manager);
        assertTrue(converged.converged(), converged.toString());
        assertEquals(AdjointResult.Stop.CONVERGED, converged.stop());
        assertTrue(converged.products() > 10 && converged.products() < 40,
                converged.toString());
        AdjointResult budget = NeumannSeries.reference(5).solve(tiny, manager);
        assertFalse(budget.converged(), "5 terms cannot reach 1e-9");
        assertEquals(5, budget.products());
        assertEquals(AdjointResult.Stop.COMPLETED, budget.stop(),
                "without a tolerance the planned terms are the whole series");
        assertFalse(budget.stop().cutShort());
        AdjointResult shortOfTolerance = NeumannSeries.builder().optMaxTerms(3)
                .optTolerance(1e-6).build().solve(tiny, manager);
        assertEquals(AdjointResult.Stop.BUDGET, shortOfTolerance.stop(),
                shortOfTolerance.toString());
        // the relative tolerance stops the series when it has converged
        AdjointResult relative = NeumannSeries.builder().optMaxTerms(100).optTolerance(1e-3)
                .build().solve(tiny, manager);
        assertTrue(relative.converged() && relative.products() < 15, relative.toString());
    }

    private Map<String, double[]> gradients(RecurrentNet net, GradientMethod method, NDList data,
            NDList labels) {
        return GradientCheck.gradients(net, method, ps, data, labels, loss);
    }

    @Test
    void exactAdjointSolversMatchTheLongNeumannGradient() {
        int steps = 60;
        // contractive enough that 200 Neumann terms are converged to far below 1e-8
        for (RecurrentCell cell : new RecurrentCell[] {
            TestCells.tanh(3, 3, 0.5f), new TestCells.TwoStateCell(3, 0.3f)}) {
            RecurrentNet net = build(cell, steps);
            NDList data = new NDList(random(INPUT, 7));
            NDList labels = new NDList(random(new Shape(2, 2, 5, 5), 8));
            Map<String, double[]> neumann = gradients(net, GradientMethods.rbp(steps,
                    GradientMethods.naive(0), NeumannSeries.builder().optMaxTerms(200)
                            .optNormCap(0).optAbsoluteTolerance(0).optGrowthGuard(false)
                            .build()), data, labels);
            AdjointSolver[] exact = {
                GradientMethods.fixedPointAdjoint(200, 1e-14),
                GradientMethods.andersonAdjoint(100, 1e-13, 5)
            };
            for (AdjointSolver solver : exact) {
                Map<String, double[]> g = gradients(net,
                        GradientMethods.rbp(steps, GradientMethods.naive(0), solver), data,
                        labels);
                double error = GradientCheck.maxRelativeError(g, neumann);
                assertTrue(error < 1e-8, cell.getClass().getSimpleName() + " "
                        + solver.describe() + ": " + error);
            }
            // Anderson forward to a tolerance: the same gradient once h* is as accurate
            Map<String, double[]> andersonForward = gradients(net, GradientMethods.rbp(steps,
                    GradientMethods.anderson(1e-13, 5), NeumannSeries.builder()
                            .optMaxTerms(200).optNormCap(0).optAbsoluteTolerance(0)
                            .optGrowthGuard(false).build()),
                    data, labels);
            double error = GradientCheck.maxRelativeError(andersonForward, neumann);
            assertTrue(error < 1e-8, "Anderson forward: " + error);
        }
    }

    @Test
    void jacobianFreeIsTheLastStepsGradient() {
        int steps = 12;
        RecurrentNet net = build(TestCells.tanh(3, 3, 0.7f), steps);
        NDList data = new NDList(random(INPUT, 9));
        NDList labels = new NDList(random(new Shape(2, 2, 5, 5), 10));
        Map<String, double[]> jfb = gradients(net,
                GradientMethods.rbp(steps, GradientMethods.naive(0), GradientMethods.jacobianFree()),
                data, labels);
        Map<String, double[]> lastStep = gradients(net,
                GradientMethods.truncatedBptt(steps, 1), data, labels);
        assertTrue(GradientCheck.maxRelativeError(jfb, lastStep) < 1e-12);
        // the phantom gradient with k = 1 and no damping is JFB
        Map<String, double[]> phantom = gradients(net, GradientMethods.rbp(steps,
                GradientMethods.naive(0), GradientMethods.phantomGradient(1, 1)), data, labels);
        assertTrue(GradientCheck.maxRelativeError(phantom, jfb) < 1e-12);
    }

    @Test
    @SuppressWarnings("deprecation") // neumannTerms() is checked against its new name
    void stepResultCarriesTheSolverStatistics() {
        int steps = 80;
        RecurrentNet net = build(TestCells.tanh(3, 3, 0.5f), steps);
        NDList data = new NDList(random(INPUT, 11));
        NDList labels = new NDList(random(new Shape(2, 2, 5, 5), 12));
        GradientMethod method = GradientMethods.crbp(steps, 0.9, 1f,
                GradientMethods.anderson(1e-6, 5), GradientMethods.andersonAdjoint(30, 1e-6, 5));
        StepResult result = method.forwardBackward(net, ps, data, labels, loss);
        assertTrue(result.forwardConverged(), result.toString());
        assertTrue(result.steps() > 2 && result.steps() < steps, result.toString());
        assertTrue(result.residual() < 1e-5, result.toString());
        assertTrue(result.adjointConverged(), result.toString());
        assertTrue(result.adjointIterations() > 0 && result.adjointIterations() < 30);
        assertEquals(result.neumannTerms(), result.adjointIterations());
        assertTrue(result.contractionMeasured());
    }
}
