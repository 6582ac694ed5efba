/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.core.solver;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.Locale;

/**
 * The damped phantom gradient (Geng et al. 2021) taken at the fixed point: the gradient of {@code
 * k} damped steps {@code h <- (1 - l) h + l F(h)} unrolled from {@code h*}, with every Jacobian
 * evaluated at {@code h*}:
 *
 * <pre>
 * g = l * sum_(j=0..k-1) ((1 - l) I + l J^T)^j v
 * </pre>
 *
 * pushed through the one recorded step. {@code k - 1} vector-Jacobian products. With {@code k = 1,
 * l = 1} it is {@link JacobianFree}; as {@code k} grows it tends to the exact {@code (I - J^T)^-1
 * v} for any damping {@code l} in (0, 1] when the step is a contraction.
 */
public final class PhantomGradient implements AdjointSolver {

    private final int steps;
    private final double damping;

    private PhantomGradient(Builder builder) {
        steps = builder.steps;
        damping = builder.damping;
    }

    /**
     * Creates a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@inheritDoc} */
    @Override
    public AdjointResult solve(AdjointProblem problem, NDManager manager) {
        NDList v = problem.rightHandSide();
        NDList sum = States.copy(v, manager);
        try (NDManager work = manager.newSubManager()) {
            NDList u = v;
            for (int j = 1; j < steps; j++) {
                NDList product = problem.vjp(u, work);
                // u <- (1 - l) u + l J^T u: plain arrays, no recorded graph here
                NDList next = new NDList(u.size());
                for (int i = 0; i < u.size(); i++) {
                    NDArray a = u.get(i).mul(1 - damping);
                    a.attach(work);
                    NDArray b = product.get(i).muli(damping);
                    next.add(a.addi(b));
                }
                product.close();
                if (u != v) {
                    u.close();
                }
                u = next;
                for (int i = 0; i < sum.size(); i++) {
                    sum.get(i).addi(u.get(i));
                }
            }
        }
        for (NDArray s : sum) {
            s.muli(damping);
        }
        return AdjointResult.builder()
                .setSolution(sum)
                .optWork(steps - 1, Double.NaN)
                .build();
    }

    /** {@inheritDoc} */
    @Override
    public String describe() {
        return String.format(Locale.ROOT, "phantom(k=%d, damping=%.3g)", steps, damping);
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return describe();
    }

    /** The builder for {@link PhantomGradient}. */
    public static final class Builder {
        private int steps = 5;
        private double damping = 0.5;

        Builder() {}

        /**
         * Sets the number of unrolled damped steps {@code k} (default 5).
         *
         * @param steps k, at least 1
         * @return this builder
         */
        public Builder optSteps(int steps) {
            this.steps = steps;
            return this;
        }

        /**
         * Sets the damping {@code l} (default 0.5).
         *
         * @param damping the damping, in (0, 1]
         * @return this builder
         */
        public Builder optDamping(double damping) {
            this.damping = damping;
            return this;
        }

        /**
         * Builds the solver.
         *
         * @return the solver
         * @throws IllegalArgumentException if a value is out of range
         */
        public PhantomGradient build() {
            Solvers.checkPositive(steps, "The phantom gradient's steps");
            if (!(damping > 0 && damping <= 1)) {
                throw new IllegalArgumentException(
                        "The phantom gradient's damping must be in (0, 1], got " + damping);
            }
            return new PhantomGradient(this);
        }
    }
}
