/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.util.Pair;

import org.crbp.core.RecurrentNet;

/**
 * Factories for the paper's Pathfinder segmentation models.
 *
 * <table>
 *   <caption>Trainable parameters (as PyTorch counts them) at 25 channels</caption>
 *   <tr><th>model</th><th>parameters</th></tr>
 *   <tr><td>{@code hgru(15, 25, T)}</td><td>284,227</td></tr>
 *   <tr><td>{@code hgru(9, 25, T)}</td><td>104,227</td></tr>
 *   <tr><td>{@code hgru(5, 25, T)}</td><td>34,227</td></tr>
 *   <tr><td>{@code hgru(3, 25, T)}</td><td>14,227</td></tr>
 *   <tr><td>{@code convLstm(15, 25, T)}</td><td>1,126,452</td></tr>
 *   <tr><td>{@code feedforward(15, 25)} (FF6)</td><td>845,527</td></tr>
 * </table>
 *
 * <p>The recurrent models are {@link RecurrentNet}s {@code GaborInputLayer -> cell^T ->
 * SegmentationReadout}; their input is a batch {@code (N, 1, H, W)} of images in [0, 1] and their
 * output {@code (N, 2, H, W)} logits.
 */
public final class PathfinderModels {

    /** The number of output classes (background, contour), 2. */
    public static final int CLASSES = 2;

    private PathfinderModels() {}

    /**
     * The hGRU Pathfinder model: Gabor input layer, {@link HgruCell}, readout.
     *
     * @param kernel the horizontal kernel size (15 in the paper; 3, 5, 7, 9 also used)
     * @param channels the number of channels (25 in the paper)
     * @param steps the number of steps of the forward pass
     * @return the network
     */
    public static RecurrentNet hgru(int kernel, int channels, int steps) {
        return hgru(kernel, channels, steps, HgruCell.GateInit.REFERENCE);
    }

    /**
     * The hGRU Pathfinder model with a choice of gate-bias initialisation.
     *
     * @param kernel the horizontal kernel size (15 in the paper; 3, 5, 7, 9 also used)
     * @param channels the number of channels (25 in the paper)
     * @param steps the number of steps of the forward pass (also the T of the chronos rule)
     * @param gateInit how the gate biases start
     * @return the network
     */
    public static RecurrentNet hgru(
            int kernel, int channels, int steps, HgruCell.GateInit gateInit) {
        return hgru(kernel, channels, steps, gateInit, 0);
    }

    /**
     * The hGRU Pathfinder model with a choice of gate-bias initialisation and a floor on the
     * update gate (see {@link HgruCell.Builder#optUpdateGateFloor}).
     *
     * @param kernel the horizontal kernel size (15 in the paper; 3, 5, 7, 9 also used)
     * @param channels the number of channels (25 in the paper)
     * @param steps the number of steps of the forward pass (also the T of the chronos rule)
     * @param gateInit how the gate biases start
     * @param updateGateFloor the update gate's floor, in [0, 1); 0 is the reference's gate
     * @return the network
     */
    public static RecurrentNet hgru(
            int kernel, int channels, int steps, HgruCell.GateInit gateInit,
            double updateGateFloor) {
        HgruCell.Builder cell =
                HgruCell.builder()
                        .optKernel(kernel)
                        .optChannels(channels)
                        .optUpdateGateFloor(updateGateFloor);
        if (gateInit == HgruCell.GateInit.CHRONOS) {
            cell.optChronosGateInit(Math.max(3, steps));
        }
        return RecurrentNet.builder()
                .setEncoder(new GaborInputLayer(channels))
                .setCell(cell.build())
                .setReadout(new SegmentationReadout(channels, CLASSES))
                .optSteps(steps)
                .build();
    }

    /**
     * The convLSTM Pathfinder model: Gabor input layer, {@link ConvLstmCell}, readout of {@code
     * h}.
     *
     * @param kernel the kernel size (15 in the paper)
     * @param channels the number of channels (25 in the paper)
     * @param steps the number of steps of the forward pass
     * @return the network
     */
    public static RecurrentNet convLstm(int kernel, int channels, int steps) {
        return RecurrentNet.builder()
                .setEncoder(new GaborInputLayer(channels))
                .setCell(ConvLstmCell.builder().optKernel(kernel).optChannels(channels).build())
                .setReadout(new SegmentationReadout(channels, CLASSES))
                .optSteps(steps)
                .build();
    }

    /**
     * The feedforward control "FF6": a 7×7 convolution from 1 to {@code channels} without bias
     * (PyTorch's default initialisation, no Gabor bank, no squaring) and a batch norm, six blocks
     * of [{@code kernel}×{@code kernel} convolution with bias, batch norm, ReLU], and a 1×1
     * convolution to 2 classes. The batch norms are DJL's {@link BatchNorm} with PyTorch's
     * defaults (eps 1e-5, running statistics with momentum 0.1 in PyTorch's convention): batch
     * statistics in training, running statistics in evaluation.
     *
     * @param kernel the kernel size of the six blocks (15 in the paper)
     * @param channels the number of channels (25 in the paper)
     * @return the block, input {@code (N, 1, H, W)}, output {@code (N, 2, H, W)}
     */
    public static SequentialBlock feedforward(int kernel, int channels) {
        SequentialBlock net = new SequentialBlock();
        net.add(
                SameConv2d.builder()
                        .setInChannels(1)
                        .setOutChannels(channels)
                        .setKernel(7)
                        .optBias(false)
                        .build());
        net.add(torchBatchNorm());
        for (int i = 0; i < 6; i++) {
            net.add(
                    SameConv2d.builder()
                            .setInChannels(channels)
                            .setOutChannels(channels)
                            .setKernel(kernel)
                            .build());
            net.add(torchBatchNorm());
            net.add(Activation.reluBlock());
        }
        net.add(
                SameConv2d.builder()
                        .setInChannels(channels)
                        .setOutChannels(CLASSES)
                        .setKernel(1)
                        .build());
        return net;
    }

    private static BatchNorm torchBatchNorm() {
        // DJL's momentum is the weight of the old running value: PyTorch's 0.1 is DJL's 0.9
        return BatchNorm.builder().optEpsilon(1e-5f).optMomentum(0.9f).build();
    }

    /**
     * Counts the trainable parameters of a block as PyTorch's {@code sum(p.numel() for p in
     * model.parameters() if p.requires_grad)} does: running statistics are not counted. Parameters
     * whose shape is only known after initialisation (DJL's {@code BatchNorm}) are taken from
     * their arrays, so such a block must be initialised first.
     *
     * @param block the block
     * @return the number of trainable scalars
     * @throws IllegalStateException if a trainable parameter has no shape yet
     */
    public static long countParameters(Block block) {
        long total = 0;
        for (Pair<String, Parameter> pair : block.getParameters()) {
            Parameter p = pair.getValue();
            if (!p.requiresGradient()) {
                continue;
            }
            Shape shape = p.isInitialized() ? p.getArray().getShape() : p.getShape();
            if (shape == null) {
                throw new IllegalStateException(
                        "Parameter "
                                + pair.getKey()
                                + " has no shape yet: initialise the block before counting");
            }
            total += shape.size();
        }
        return total;
    }
}
