/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;

import org.crbp.core.solver.AdjointProblem;
import org.crbp.core.solver.AdjointResult;
import org.crbp.core.solver.AdjointSolver;
import org.crbp.core.solver.FixedPointMap;
import org.crbp.core.solver.FixedPointResult;
import org.crbp.core.solver.FixedPointSolver;
import org.crbp.core.solver.NaiveIteration;
import org.crbp.core.solver.NeumannSeries;

/**
 * Recurrent back-propagation: the implicit gradient at an (approximate) fixed point, with memory
 * constant in the number of steps. One batch reads like the method:
 *
 * <ol>
 *   <li><b>solve forward</b>: {@code h* = F(x, h*; w)} by a {@link FixedPointSolver} without
 *       gradient, within {@code steps - 1} evaluations (default: plain iteration, tolerance 0,
 *       i.e. exactly {@code steps - 1} steps);
 *   <li><b>one recorded step</b> {@code h_T = F(x, h*; w)} from the detached {@code h*}, the
 *       readout and the loss, giving {@code v = dL/dh_T};
 *   <li><b>adjoint solve</b> {@code g = v + J^T g} by an {@link AdjointSolver} (default: the
 *       Neumann series with the reference's stop rules, {@link NeumannSeries#reference(int)},
 *       within the adjoint budget of {@link Builder#optAdjointBudget} products);
 *   <li><b>parameter gradient and penalty</b>: {@code g} is pushed once through the recorded step
 *       into the weights and the drive (and through the drive into the encoder); with a {@link
 *       LipschitzPenalty} (C-RBP) the penalty's gradient is added at {@code h*}.
 * </ol>
 *
 * <p><b>The penalty's Hessian-vector product</b> is by default a central difference (two extra
 * evaluations and backwards per state tensor with a violating column sum). {@link
 * PenaltyDifference#ONE_SIDED} folds the {@code -S(h*)} term into the recorded step's cotangent
 * instead: one extra evaluation, but a first-order truncation error (the step is about the
 * square root of the unit round-off: {@code 3e-4} relative in float32, {@code 1e-7} in
 * float64); in float32 on the hGRU it put the penalty's gradient 2e-2 (relative) from an exact
 * one, against 1e-3 for the central difference.
 */
public final class Rbp extends AbstractGradientMethod {

    private final FixedPointSolver forwardSolver;
    private final AdjointSolver adjointSolver;
    private final int adjointBudget;
    private final PenaltyDifference penaltyDifference;

    private Rbp(Builder builder) {
        super(builder);
        forwardSolver = builder.forwardSolver == null
                ? NaiveIteration.builder().build()
                : builder.forwardSolver;
        adjointSolver = builder.adjointSolver == null
                ? builder.neumann.optMaxTerms(builder.adjointBudget).build()
                : builder.adjointSolver;
        adjointBudget = builder.adjointBudget;
        penaltyDifference = builder.penaltyDifference;
    }

    /**
     * Creates a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the adjoint budget: the largest number of vector-Jacobian products (Neumann terms
     * {@code (J^T)^k v}, {@code k >= 1}) of the default adjoint solver. A solver set with {@link
     * Builder#optAdjointSolver} carries its own budget and does not read this one.
     *
     * @return the budget, at least 1
     */
    public int getAdjointBudget() {
        return adjointBudget;
    }

    /**
     * Returns the adjoint budget under its old name.
     *
     * @return the budget, at least 1
     * @deprecated use {@link #getAdjointBudget()}, the same number under a name that does not
     *     suggest the Neumann series is the only adjoint solver
     */
    @Deprecated
    public int getNeumannTerms() {
        return getAdjointBudget();
    }

    /**
     * Returns the forward solver.
     *
     * @return the solver of {@code h* = F(x, h*; w)}
     */
    public FixedPointSolver getForwardSolver() {
        return forwardSolver;
    }

    /**
     * Returns the adjoint solver.
     *
     * @return the solver of {@code g = v + J^T g}
     */
    public AdjointSolver getAdjointSolver() {
        return adjointSolver;
    }

    /** {@inheritDoc} */
    @Override
    public String getName() {
        return penalty == null ? "RBP" : "C-RBP";
    }

    @Override
    void describeSettings(StringBuilder text) {
        text.append(", forward=").append(forwardSolver.describe())
                .append(", adjoint=").append(adjointSolver.describe());
        if (penalty != null && penaltyDifference != PenaltyDifference.CENTRAL) {
            text.append(", penalty difference ").append(penaltyDifference);
        }
    }

    /** {@inheritDoc} */
    @Override
    public StepResult forwardBackward(
            RecurrentNet net,
            ParameterStore parameterStore,
            NDList data,
            NDList labels,
            Loss loss) {
        checkInputs(data, labels);
        EngineAutograd.requireSupport(data.head(), getName());
        int runSteps = stepsFor(net);
        Plan plan = plan(data.head());
        boolean penaltyDue = plan.penaltyDue;
        NDManager caller = data.head().getManager();
        try (NDManager scope = caller.newSubManager();
                GradientCollector collector = caller.getEngine().newGradientCollector()) {
            data.tempAttach(scope);
            labels.tempAttach(scope);
            ScopedParameterStore recording = new ScopedParameterStore(parameterStore, scope, false);
            NDArray drive = net.drive(recording, data, true);
            NDArray detachedDrive = drive.stopGradient();
            detachedDrive.attach(scope);

            // 1. solve forward, without gradient
            NDList start = net.getCell().initialState(detachedDrive);
            FixedPointMap stepMap = net.stepMap(parameterStore, detachedDrive, true);
            int[] evaluations = new int[1];
            FixedPointResult forward = forwardSolver.solve((state, target) -> {
                NDList next = stepMap.apply(state, target);
                stepListener.afterStep(StepListener.Phase.FORWARD, ++evaluations[0]);
                return next;
            }, start, runSteps - 1);
            NDList fixedPoint = forward.state();

            // the drive becomes a leaf: every step graph below hangs from it, and its gradient
            // goes through the encoder once at the end
            NDArray driveLeaf = Jacobians.leaves(new NDList(drive), scope).head();

            // 2. one step at h* on detached inputs: its value is h_T, its graph gives J^T u
            Contraction contraction = null;
            double residual;
            double[] lossValue = new double[1];
            NDList predictions;
            AdjointResult adjoint;
            try (AuxiliaryStep aux =
                    auxiliaryStep(net, parameterStore, detachedDrive, fixedPoint, scope)) {
                stepListener.afterStep(StepListener.Phase.FORWARD, evaluations[0] + 1);
                if (plan.columnSums) {
                    contraction = contraction(aux, penaltyDue ? penalty : null, scope);
                    checkPenalty(contraction);
                }
                NDList lastValue = Jacobians.leaves(aux.outputs, scope);
                predictions = net.readout(recording, lastValue, true);
                NDArray lossArray = evaluateLoss(loss, labels, predictions, lossValue);
                collector.backward(lossArray);
                // the leaves' gradient tensors are dL/dh_T; nothing else holds them now
                NDList v = new NDList(lastValue.size());
                for (NDArray leaf : lastValue) {
                    NDArray gradient = leaf.getGradient();
                    if (gradient.getDataType() != leaf.getDataType()) {
                        // a state tensor the readout does not see (a convLSTM's c) has no
                        // gradient, and DJL hands out float32 zeros: keep the state's precision
                        NDArray typed = gradient.toType(leaf.getDataType(), false);
                        gradient.close();
                        gradient = typed;
                    }
                    gradient.attach(scope);
                    v.add(gradient);
                }
                residual = Jacobians.relativeDifference(lastValue, fixedPoint);
                lastValue.close();

                // 3. adjoint solve
                boolean[] implicit = new boolean[v.size()];
                boolean allImplicit = true;
                for (int i = 0; i < implicit.length; i++) {
                    implicit[i] = net.getCell().isImplicitState(i);
                    allImplicit &= implicit[i];
                }
                StepAdjoint problem = new StepAdjoint(aux, allImplicit ? v : project(v, implicit),
                        allImplicit ? null : implicit, stepListener);
                adjoint = checkedAdjoint(adjointSolver.solve(problem, scope), Jacobians.norm(v));
                v.close();
            }

            // 4. the parameter gradient and the penalty: the recorded step at h* with g, one
            // step graph at a time; finally the drive's gradient through the encoder
            boolean withPenalty = penaltyDue && contraction.hasGradient() && penalty.getWeight() > 0;
            boolean oneSided = penaltyDifference == PenaltyDifference.ONE_SIDED;
            NDList cotangent = adjoint.solution();
            double[] scales = null;
            if (withPenalty) {
                scales = penaltyScales(fixedPoint, contraction.cotangents, oneSided);
                if (oneSided) {
                    foldPenalty(cotangent, scales, penalty.getWeight(), contraction.probes);
                }
            }
            try (NDManager stepScope = scope.newSubManager()) {
                ScopedParameterStore store =
                        new ScopedParameterStore(parameterStore, stepScope, false);
                fixedPoint.tempAttach(stepScope);
                NDList last = net.step(store, driveLeaf, fixedPoint, true);
                Jacobians.backward(last, cotangent, false);
            }
            if (withPenalty) {
                backwardPenalty(net, parameterStore, driveLeaf, fixedPoint,
                        contraction.cotangents, contraction.probes, scales, penalty.getWeight(), oneSided, false);
            }
            Jacobians.backward(new NDList(drive), new NDList(driveLeaf.getGradient()), false);

            StepResult.Builder result = StepResult.builder()
                    .setPredictions(keepPredictions(predictions, caller))
                    .setLoss((float) lossValue[0])
                    .optForward(forward.evaluations() + 1, forward.converged())
                    .optAdjoint(adjoint.products(), (float) adjoint.residual(),
                            adjoint.converged(), adjoint.diverged())
                    .optAdjointStop(adjoint.stop())
                    .optResidual((float) residual)
                    .optMaxJacobianColumnSum(columnSumToReport(contraction), contraction != null);
            if (penaltyDue) {
                result.optPenalty((float) contraction.penalty);
            }
            return result.build();
        }
    }

    /**
     * Marks a solve whose solution is not finite, or more than {@link #EXPLODING_GAIN} times the
     * right-hand side, whatever the solver said: on a non-contractive step an adjoint iteration
     * can grow without any term being flagged. A non-finite solution is refused before it reaches
     * a parameter.
     */
    private AdjointResult checkedAdjoint(AdjointResult adjoint, double rightHandSideNorm) {
        double norm = Jacobians.norm(adjoint.solution());
        if (!Double.isFinite(norm)) {
            throw new NonFiniteLossException(getName() + ": the adjoint solve ("
                    + adjointSolver.describe() + ") returned a non-finite cotangent after "
                    + adjoint.products() + " products; the step is not contractive at the state"
                    + " reached; the batch's gradient is unusable (the readout's part may already"
                    + " be in its parameters' gradients)");
        }
        if (norm > EXPLODING_GAIN * rightHandSideNorm && rightHandSideNorm > 0) {
            return adjoint.withStop(AdjointResult.Stop.EXPLODED);
        }
        return adjoint;
    }

    /**
     * The gain {@code ||g|| / ||v||} above which a solve counts as exploded. A contraction with
     * rate {@code q} has a gain of at most about {@code 1 / (1 - q)}: {@code 1e4} allows rates up to
     * 0.9999, while a diverging series passes it within a few dozen products.
     */
    static final double EXPLODING_GAIN = 1e4;

    /** The adjoint system at the auxiliary step: {@code v} and products with its graph. */
    private static final class StepAdjoint implements AdjointProblem {
        private final AuxiliaryStep aux;
        private final NDList v;
        private final boolean[] implicit;
        private final StepListener listener;
        private int products;

        /** With {@code implicit} null every state tensor takes part in the adjoint system. */
        StepAdjoint(AuxiliaryStep aux, NDList v, boolean[] implicit, StepListener listener) {
            this.aux = aux;
            this.v = v;
            this.implicit = implicit;
            this.listener = listener;
        }

        @Override
        public NDList rightHandSide() {
            return v;
        }

        @Override
        public NDList vjp(NDList u, NDManager manager) {
            // the products' temporaries (and for several state tensors, the inner products with
            // the outputs) are freed with this scope
            try (NDManager termScope = manager.newSubManager()) {
                aux.outputs.tempAttach(termScope);
                NDList product = Jacobians.vjp(aux.outputs, u, aux.leaves, termScope);
                if (implicit != null) {
                    // tensors held at their fixed-point values take no part in the system
                    product = project(product, implicit);
                }
                product.attach(manager);
                listener.afterStep(StepListener.Phase.ADJOINT, ++products);
                return product;
            }
        }
    }

    /** Zeroes the tensors that are not implicit; the others are returned as they are. */
    private static NDList project(NDList vectors, boolean[] implicit) {
        NDList projected = new NDList(vectors.size());
        for (int i = 0; i < vectors.size(); i++) {
            NDArray a = vectors.get(i);
            projected.add(implicit[i] ? a : a.zerosLike());
        }
        return projected;
    }

    /** How the penalty's Hessian-vector product is differenced. */
    public enum PenaltyDifference {
        /**
         * {@code (S(h* + s r) - S(h*)) / s}, the second term folded into the recorded step: one
         * extra evaluation per state tensor, a first-order error (2e-2 relative in float32 on the
         * hGRU against an exact penalty gradient).
         */
        ONE_SIDED,
        /**
         * {@code (S(h* + s r) - S(h* - s r)) / 2s}: two extra evaluations, second-order error
         * (1e-3 relative in float32 on the same check) (default).
         */
        CENTRAL
    }

    /** The builder for {@link Rbp}. */
    public static final class Builder extends GradientMethodBuilder<Builder> {

        private int adjointBudget = 15;
        private final NeumannSeries.Builder neumann = NeumannSeries.builder();
        private FixedPointSolver forwardSolver;
        private AdjointSolver adjointSolver;
        private PenaltyDifference penaltyDifference = PenaltyDifference.CENTRAL;

        Builder() {}

        /** {@inheritDoc} */
        @Override
        protected Builder self() {
            return this;
        }

        /**
         * Sets the forward solver (default: plain iteration with tolerance 0, which runs exactly
         * {@code steps - 1} steps before the recorded one). Its budget is {@code steps - 1}.
         *
         * @param solver the solver of {@code h* = F(x, h*; w)}
         * @return this builder
         */
        public Builder optForwardSolver(FixedPointSolver solver) {
            this.forwardSolver = solver;
            return this;
        }

        /**
         * Sets the adjoint solver (default: the Neumann series with the reference's stop rules and
         * at most {@link #optAdjointBudget} terms). When set, the Neumann options of this builder
         * (the budget, {@link #optNeumannTolerance}, the growth guard, the norm cap and the
         * absolute tolerance) are not used: the solver carries its own, e.g. {@code
         * GradientMethods.fixedPointAdjoint(maxProducts, tolerance)}.
         *
         * @param solver the solver of {@code g = v + J^T g}
         * @return this builder
         */
        public Builder optAdjointSolver(AdjointSolver solver) {
            this.adjointSolver = solver;
            return this;
        }

        /**
         * Chooses the difference of the penalty's Hessian-vector product (default {@link
         * PenaltyDifference#CENTRAL}).
         *
         * @param difference the difference
         * @return this builder
         */
        public Builder optPenaltyDifference(PenaltyDifference difference) {
            this.penaltyDifference = difference;
            return this;
        }

        /**
         * Sets the adjoint budget: the largest number of vector-Jacobian products of the default
         * adjoint solver, the Neumann series, i.e. its largest number of terms {@code (J^T)^k v}
         * (default 15, as the reference). Not used when {@link #optAdjointSolver} sets another
         * solver, which carries its own budget.
         *
         * @param budget the number of products, at least 1
         * @return this builder
         */
        public Builder optAdjointBudget(int budget) {
            this.adjointBudget = budget;
            return this;
        }

        /**
         * Sets the adjoint budget under its old name.
         *
         * @param neumannTerms the number of products {@code (J^T)^k v}, at least 1
         * @return this builder
         * @deprecated use {@link #optAdjointBudget(int)}, the same setting
         */
        @Deprecated
        public Builder optNeumannTerms(int neumannTerms) {
            return optAdjointBudget(neumannTerms);
        }

        /**
         * Sets the relative tolerance of the default adjoint solver, the Neumann series: it stops
         * after a term whose norm is at most {@code tolerance} times {@code ||g||} (default 0:
         * off; the reference's absolute 1e-9 and norm cap 1 apply). This is not the forward
         * solve's tolerance, which belongs to the {@link FixedPointSolver} set with {@link
         * #optForwardSolver}, and it is not used when {@link #optAdjointSolver} sets another
         * adjoint solver.
         *
         * @param tolerance the relative tolerance, 0 or more
         * @return this builder
         */
        public Builder optNeumannTolerance(double tolerance) {
            if (!(tolerance >= 0)) {
                throw new IllegalArgumentException("tolerance must be 0 or more, got " + tolerance);
            }
            neumann.optTolerance(tolerance);
            return this;
        }

        /**
         * Sets the Neumann series' relative tolerance; the same as {@link
         * #optNeumannTolerance(double)}. It is not the forward solve's tolerance (that is set on
         * the {@link FixedPointSolver} given to {@link #optForwardSolver}).
         *
         * @param tolerance the relative tolerance of the Neumann series, 0 or more
         * @return this builder
         * @deprecated use {@link #optNeumannTolerance(double)}, whose name says which solve it
         *     stops
         */
        @Deprecated
        public Builder optTolerance(double tolerance) {
            return optNeumannTolerance(tolerance);
        }

        /**
         * Stops the series, dropping the term, when a term is larger than the one before
         * (default on, as the reference; reported as divergence).
         *
         * @param growthGuard whether to stop on a growing term
         * @return this builder
         */
        public Builder optGrowthGuard(boolean growthGuard) {
            neumann.optGrowthGuard(growthGuard);
            return this;
        }

        /**
         * Stops the series before {@code ||g||} passes {@code cap} (default 1, as the reference;
         * 0 for none).
         *
         * @param cap the cap on the norm of the summed cotangent, or 0 for none
         * @return this builder
         */
        public Builder optNormCap(double cap) {
            if (!(cap >= 0)) {
                throw new IllegalArgumentException("The norm cap must be 0 (off) or more, got "
                        + cap);
            }
            neumann.optNormCap(cap);
            return this;
        }

        /**
         * Stops the series, dropping the term, when a term's norm is below {@code tolerance}
         * (default 1e-9, as the reference; 0 for none).
         *
         * @param tolerance the absolute tolerance, 0 or more
         * @return this builder
         */
        public Builder optAbsoluteTolerance(double tolerance) {
            neumann.optAbsoluteTolerance(tolerance);
            return this;
        }

        /**
         * Builds the method.
         *
         * @return the method
         * @throws IllegalArgumentException if a value is out of range
         */
        public Rbp build() {
            checkSteps();
            Checks.checkAdjointBudget(adjointBudget);
            if (penaltyDifference == null) {
                throw new IllegalArgumentException("The penalty difference must not be null");
            }
            return new Rbp(this);
        }
    }
}
