/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.instances;

import ai.djl.nn.Block;

import org.crbp.core.RecurrentNet;
import org.crbp.models.HgruCell;
import org.crbp.models.SameConv2d;

/**
 * The paper's recurrent mask head: Mask R-CNN's four 3×3 convolutions replaced by one {@link
 * HgruCell} with 3×3 kernels run for {@code T} steps, as a {@link RecurrentNet}
 *
 * <pre>
 * ROI features (R, in, S, S) -> 1×1 conv (drive, C channels) -> hGRU^T -> {@link MaskPredictor}
 *     -> (R, classes, 2S, 2S)
 * </pre>
 *
 * <p>so that every {@link org.crbp.core.GradientMethod} trains it, with data {@code
 * NDList(roiFeatures)}: {@code GradientMethods.crbp(20, 15, 0.9f, 1f)} runs the paper's 20
 * steps in memory that does not grow with the number of steps. The drive is always a 1×1 convolution, even when {@code in = C}: it
 * gives the hGRU's drive a learned scale and lets RBP's drive gradient reach parameters when the
 * data has none. With {@link Builder#optRoiFeatures} the encoder is a {@link RoiFeatureEncoder}
 * (backbone, ROIAlign and the 1×1 convolution) and the data is {@code NDList(images, boxes,
 * batchIndex)}.
 *
 * <p>Parameters at {@code C} channels, input {@code in}, {@code K} classes and kernel 3: {@code
 * (in C + C) + (20 C² + 15 C) + (4 C² + C) + K (C + 1)}, the hGRU's part counting its two 3×3
 * horizontal kernels, two 1×1 gates, five per-channel scalars and four batch norms. Against the
 * feedforward head's {@code 40 C² + 5 C + K (C + 1)} (at {@code in = C}) that is {@code 25 C² +
 * 17 C + K (C + 1)}: fewer for every {@code C >= 1}.
 *
 * <pre>{@code
 * RecurrentNet head = RecurrentMaskHead.builder().setClasses(3).optChannels(16).optSteps(20)
 *         .build();
 * StepResult r = GradientMethods.crbp(20, 15, 0.9f, 1f)
 *         .forwardBackward(head, parameterStore, new NDList(roiFeatures), maskLabels,
 *                 new MaskLoss());
 * }</pre>
 */
public final class RecurrentMaskHead {

    /** The default width, 16. */
    public static final int DEFAULT_CHANNELS = 16;
    /** The paper's number of steps, 20. */
    public static final int DEFAULT_STEPS = 20;
    /** The paper's horizontal kernel of the mask head's hGRU, 3. */
    public static final int DEFAULT_KERNEL = 3;

    private RecurrentMaskHead() {}

    /**
     * Creates a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The builder of the recurrent mask head. */
    public static final class Builder {
        private static final int UNSET = -1;

        private int classes;
        private int channels = DEFAULT_CHANNELS;
        private int inputChannels = UNSET;
        private int steps = DEFAULT_STEPS;
        private int kernel = DEFAULT_KERNEL;
        private double updateGateFloor;
        private Block backbone;
        private RoiAlign roiAlign;

        Builder() {}

        /**
         * Sets the number of classes, one logit map each (required).
         *
         * @param classes at least 1
         * @return this builder
         */
        public Builder setClasses(int classes) {
            this.classes = classes;
            return this;
        }

        /**
         * Sets the hGRU's channels (default 16).
         *
         * @param channels at least 1
         * @return this builder
         */
        public Builder optChannels(int channels) {
            this.channels = channels;
            return this;
        }

        /**
         * Sets the channels of the ROI features (default: the hGRU's channels).
         *
         * @param inputChannels at least 1
         * @return this builder
         */
        public Builder optInputChannels(int inputChannels) {
            this.inputChannels = inputChannels;
            return this;
        }

        /**
         * Sets the number of hGRU steps of the forward pass (default 20, the paper's).
         *
         * @param steps at least 1
         * @return this builder
         */
        public Builder optSteps(int steps) {
            this.steps = steps;
            return this;
        }

        /**
         * Sets the hGRU's horizontal kernel size (default 3, the paper's mask head).
         *
         * @param kernel an odd number, at least 1
         * @return this builder
         */
        public Builder optKernel(int kernel) {
            this.kernel = kernel;
            return this;
        }

        /**
         * Sets the hGRU's update-gate floor (default 0, the reference's gate); see {@link
         * HgruCell.Builder#optUpdateGateFloor}. The reference's update gate starts between
         * {@code σ(-7)} and {@code σ(-1)}, so a head run for few steps passes little of its drive
         * on to the masks at first; a floor raises that.
         *
         * @param floor in [0, 1)
         * @return this builder
         */
        public Builder optUpdateGateFloor(double floor) {
            this.updateGateFloor = floor;
            return this;
        }

        /**
         * Makes the encoder a {@link RoiFeatureEncoder}: the network's data becomes {@code
         * NDList(images, boxes, batchIndex)} and the backbone trains through the mask loss. The
         * backbone's output channels must be the input channels of this head.
         *
         * @param backbone the backbone, from {@code NDList(images)} to {@code NDList(features)}
         * @param roiAlign the ROIAlign, with the spatial scale of the backbone's stride
         * @return this builder
         */
        public Builder optRoiFeatures(Block backbone, RoiAlign roiAlign) {
            this.backbone = backbone;
            this.roiAlign = roiAlign;
            return this;
        }

        /**
         * Builds the head.
         *
         * @return the network {@code encoder -> hGRU -> MaskPredictor}
         * @throws IllegalArgumentException if a count is out of range, or only one of the
         *     backbone and the ROIAlign is given
         */
        public RecurrentNet build() {
            if (classes < 1) {
                throw new IllegalArgumentException(
                        "RecurrentMaskHead needs setClasses(>= 1), got " + classes);
            }
            if (channels < 1 || (inputChannels != UNSET && inputChannels < 1)) {
                throw new IllegalArgumentException("RecurrentMaskHead needs at least 1 channel"
                        + " and 1 input channel, got " + channels + " and " + inputChannels);
            }
            if ((backbone == null) != (roiAlign == null)) {
                throw new IllegalArgumentException("RecurrentMaskHead.optRoiFeatures needs both"
                        + " a backbone and a RoiAlign");
            }
            int in = inputChannels == UNSET ? channels : inputChannels;
            if (backbone instanceof InstanceBackbone
                    && ((InstanceBackbone) backbone).getChannels() != in) {
                throw new IllegalArgumentException("RecurrentMaskHead: the backbone gives "
                        + ((InstanceBackbone) backbone).getChannels() + " channels but the head"
                        + " takes " + in + " (optInputChannels)");
            }
            Block drive = SameConv2d.builder().setInChannels(in).setOutChannels(channels)
                    .setKernel(1).build();
            Block encoder = backbone == null ? drive : RoiFeatureEncoder.builder()
                    .setBackbone(backbone).setRoiAlign(roiAlign).setProjection(drive).build();
            HgruCell cell = HgruCell.builder().optChannels(channels).optKernel(kernel)
                    .optUpdateGateFloor(updateGateFloor).build();
            return RecurrentNet.builder()
                    .setEncoder(encoder)
                    .setCell(cell)
                    .setReadout(new MaskPredictor(channels, classes))
                    .optSteps(steps)
                    .build();
        }
    }
}
