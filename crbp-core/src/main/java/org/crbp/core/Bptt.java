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

/**
 * Back-propagation through time: the steps are recorded and the loss gradient returns through
 * all of them (memory grows linearly with the number of recorded steps). Truncated BPTT records
 * only the last {@code gradientSteps} steps. With a {@link LipschitzPenalty} this is C-BPTT: the
 * penalty at the last step is added to the loss, and its gradient also flows back through the
 * whole recorded trajectory.
 *
 * <pre>{@code
 * GradientMethod method = Bptt.builder().setSteps(6).optPenalty(LipschitzPenalty.builder().build())
 *         .build();
 * }</pre>
 */
public final class Bptt extends AbstractGradientMethod {

    /** The number of recorded steps; 0 for all the steps of the network trained. */
    private final int gradientSteps;

    private Bptt(Builder builder) {
        super(builder);
        gradientSteps = builder.gradientSteps == 0 ? builder.steps : builder.gradientSteps;
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
     * Returns the number of last steps that record gradients.
     *
     * @return the number of recorded steps; 0 when every step records and the number of steps
     *     is taken from the network
     */
    public int getGradientSteps() {
        return gradientSteps;
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code TBPTT} when fewer steps record than run; without a number of steps of its own a
     * method with {@code optGradientSteps} counts as truncated.
     */
    @Override
    public String getName() {
        boolean truncated = steps == 0 ? gradientSteps > 0 : gradientSteps < steps;
        String base = truncated ? "TBPTT" : "BPTT";
        return penalty == null ? base : "C-" + base;
    }

    @Override
    void describeSettings(StringBuilder text) {
        if (gradientSteps != 0 && gradientSteps != steps) {
            text.append(", gradientSteps=").append(gradientSteps);
        }
    }

    /** Returns the number of recorded steps out of {@code steps} run, checking the bound. */
    private int recordedSteps(int steps) {
        if (gradientSteps == 0) {
            return steps;
        }
        if (gradientSteps > steps) {
            throw new IllegalArgumentException(
                    "gradientSteps ("
                            + gradientSteps
                            + ") cannot exceed steps ("
                            + steps
                            + ", the network's)");
        }
        return gradientSteps;
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
        int runSteps = stepsFor(net);
        int recorded = recordedSteps(runSteps);
        Plan plan = plan(data.head());
        boolean penaltyDue = plan.penaltyDue;
        if (penaltyDue) {
            EngineAutograd.requireSupport(data.head(), getName() + " (the Lipschitz penalty)");
        }
        NDManager caller = data.head().getManager();
        try (NDManager scope = caller.newSubManager();
                GradientCollector collector = caller.getEngine().newGradientCollector()) {
            data.tempAttach(scope);
            labels.tempAttach(scope);
            ScopedParameterStore recording = new ScopedParameterStore(parameterStore, scope, false);
            NDArray drive = net.drive(recording, data, true);
            NDList start = net.getCell().initialState(drive);

            int freeSteps = runSteps - recorded;
            if (freeSteps > 0) {
                NDArray detachedDrive = drive.stopGradient();
                detachedDrive.attach(scope);
                start = net.advance(parameterStore, detachedDrive, start, freeSteps, true, true,
                        (t, state, store) -> stepListener.afterStep(
                                StepListener.Phase.FORWARD, t));
            }
            NDList previous = net.advance(parameterStore, drive, start, recorded - 1, false,
                    true, (t, state, store) -> stepListener.afterStep(
                            StepListener.Phase.FORWARD, freeSteps + t));
            NDList last = net.step(recording, drive, previous, true);
            stepListener.afterStep(StepListener.Phase.FORWARD, runSteps);

            Contraction contraction = null;
            if (plan.columnSums) {
                try (AuxiliaryStep aux =
                        auxiliaryStep(net, parameterStore, drive, previous, scope)) {
                    contraction = contraction(aux, penaltyDue ? penalty : null, scope);
                }
                checkPenalty(contraction);
            }

            NDList predictions = net.readout(recording, last, true);
            double[] lossValue = new double[1];
            NDArray lossArray = evaluateLoss(loss, labels, predictions, lossValue);
            if (penaltyDue && contraction.hasGradient() && penalty.getWeight() > 0) {
                // the trajectory's graph must survive for the loss's backward below
                double[] scales = penaltyScales(previous, contraction.cotangents, false);
                backwardPenalty(net, parameterStore, drive, previous, contraction.cotangents,
                        contraction.probes, scales, penalty.getWeight(), false, true);
            }
            collector.backward(lossArray);

            double residual = Jacobians.relativeDifference(last, previous);
            StepResult.Builder result = StepResult.builder()
                    .setPredictions(keepPredictions(predictions, caller))
                    .setLoss((float) lossValue[0])
                    .optForward(runSteps, false)
                    .optResidual((float) residual)
                    .optMaxJacobianColumnSum(columnSumToReport(contraction), contraction != null);
            if (penaltyDue) {
                result.optPenalty((float) contraction.penalty);
            }
            return result.build();
        }
    }

    /** The builder for {@link Bptt}. */
    public static final class Builder extends GradientMethodBuilder<Builder> {

        private int gradientSteps;

        Builder() {}

        /** {@inheritDoc} */
        @Override
        protected Builder self() {
            return this;
        }

        /**
         * Records gradients through only the last {@code gradientSteps} steps (truncated BPTT);
         * by default all steps record. Without {@link #setSteps} the bound {@code gradientSteps
         * <= steps} is checked against the network's number of steps when training starts.
         *
         * @param gradientSteps the number of recorded steps, 1 to {@code steps}
         * @return this builder
         */
        public Builder optGradientSteps(int gradientSteps) {
            if (gradientSteps < 1) {
                throw new IllegalArgumentException(
                        "gradientSteps must be at least 1, got " + gradientSteps);
            }
            this.gradientSteps = gradientSteps;
            return this;
        }

        /**
         * Builds the method.
         *
         * @return the method
         * @throws IllegalArgumentException if a value is out of range
         */
        public Bptt build() {
            checkSteps();
            if (stepsSet && gradientSteps > steps) {
                throw new IllegalArgumentException(
                        "gradientSteps ("
                                + gradientSteps
                                + ") cannot exceed steps ("
                                + steps
                                + ")");
            }
            return new Bptt(this);
        }
    }
}
