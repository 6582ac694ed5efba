/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Adam (the reference's optimiser: default betas, no weight decay, constant learning rate), or
 * AdamW with a warm-up and cosine schedule, whose state can be saved and restored, so that a resumed run continues with exactly the moments an
 * uninterrupted run would have. DJL's own {@code Adam} keeps its moments private and {@code
 * Model.save} does not write them. The update itself is DJL's fused {@code adamUpdate}.
 *
 * <p>The state is keyed by parameter <em>names</em> (such as {@code 02cell_01u1Weight}), which are
 * the same in every process, not by parameter ids, which are random per instance.
 */
public final class CheckpointAdam extends Optimizer {

    private static final int MAGIC = 0x43414431; // "CAD1"

    private final float learningRate;
    private final long totalUpdates;
    private final double warmup;
    private final boolean cosine;
    private final float weightDecay;
    private final java.util.Set<String> decayed = ConcurrentHashMap.newKeySet();
    private final float beta1 = 0.9f;
    private final float beta2 = 0.999f;
    private final float epsilon = 1e-8f;
    private final Map<String, NDArray> means = new ConcurrentHashMap<>();
    private final Map<String, NDArray> variances = new ConcurrentHashMap<>();
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();

    /**
     * Creates the optimiser.
     *
     * @param learningRate the constant learning rate
     */
    public CheckpointAdam(float learningRate) {
        this(learningRate, false, 0, 0, 0f);
    }

    /**
     * Creates the optimiser with a schedule and decoupled weight decay (AdamW).
     *
     * @param learningRate the peak learning rate
     * @param cosine whether the rate follows a linear warm-up and then a cosine decay to 0
     * @param warmup the warm-up, a fraction of {@code totalUpdates}
     * @param totalUpdates the horizon of the cosine schedule
     * @param weightDecay the decoupled weight decay, applied to the parameters named by {@link
     *     #decay} only (0: plain Adam)
     */
    public CheckpointAdam(float learningRate, boolean cosine, double warmup, long totalUpdates,
            float weightDecay) {
        super(new Builder());
        this.learningRate = learningRate;
        this.cosine = cosine;
        this.warmup = warmup;
        this.totalUpdates = Math.max(1, totalUpdates);
        this.weightDecay = weightDecay;
    }

    /**
     * Applies the weight decay to a parameter (the others, such as biases, gains and gate
     * biases, are not decayed).
     *
     * @param parameterId the parameter's id
     */
    public void decay(String parameterId) {
        decayed.add(parameterId);
    }

    /**
     * Returns the learning rate of an update.
     *
     * @param t the update's number, from 1
     * @return the rate
     */
    public float rate(int t) {
        if (!cosine) {
            return learningRate;
        }
        double warm = Math.max(1, Math.round(warmup * totalUpdates));
        if (t <= warm) {
            return (float) (learningRate * t / warm);
        }
        double progress = Math.min(1, (t - warm) / Math.max(1, totalUpdates - warm));
        return (float) (learningRate * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }

    /** {@inheritDoc} */
    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        int t = counts.merge(parameterId, 1, Integer::sum);
        double coef1 = 1.0 - Math.pow(beta1, t);
        double coef2 = 1.0 - Math.pow(beta2, t);
        float rate = rate(t);
        float correction = (float) (rate * Math.sqrt(coef2) / coef1);
        float decay = decayed.contains(parameterId) ? weightDecay : 0f;
        NDArray m = means.computeIfAbsent(parameterId, k -> detachedZeros(weight));
        NDArray v = variances.computeIfAbsent(parameterId, k -> detachedZeros(weight));
        weight.getNDArrayInternal()
                .adamUpdate(
                        new NDList(weight, grad, m, v),
                        new NDList(weight),
                        rate,
                        correction,
                        decay,
                        rescaleGrad,
                        clipGrad,
                        beta1,
                        beta2,
                        epsilon,
                        true,
                        decay > 0);
    }

    private static NDArray detachedZeros(NDArray weight) {
        NDArray z = weight.zerosLike();
        z.detach();
        return z;
    }

    /**
     * Writes the state: per parameter name the update count and both moments.
     *
     * @param block the model's block (maps ids to names)
     * @param out the stream
     * @throws IOException if writing fails
     */
    public void save(Block block, DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        int n = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (counts.containsKey(p.getValue().getId())) {
                n++;
            }
        }
        out.writeInt(n);
        for (Pair<String, Parameter> p : block.getParameters()) {
            String id = p.getValue().getId();
            Integer count = counts.get(id);
            if (count == null) {
                continue;
            }
            out.writeUTF(p.getKey());
            out.writeInt(count);
            out.write(means.get(id).encode());
            out.write(variances.get(id).encode());
        }
    }

    /**
     * Restores a state written by {@link #save}.
     *
     * @param block the model's block (maps names to ids)
     * @param manager the manager that will own the moments
     * @param in the stream
     * @throws IOException if the stream is not a saved state or does not match the block
     */
    public void load(Block block, NDManager manager, DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a saved optimizer state");
        }
        Map<String, Parameter> byName = new HashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            byName.put(p.getKey(), p.getValue());
        }
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            int count = in.readInt();
            NDArray m = manager.decode(in);
            NDArray v = manager.decode(in);
            Parameter p = byName.get(name);
            if (p == null) {
                throw new IOException("optimizer state names an unknown parameter " + name);
            }
            m.detach();
            v.detach();
            counts.put(p.getId(), count);
            means.put(p.getId(), m);
            variances.put(p.getId(), v);
        }
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
