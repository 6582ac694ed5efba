/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.instances;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import ai.djl.util.PairList;

import org.crbp.core.GradientMethod;
import org.crbp.core.NonFiniteLossException;
import org.crbp.core.RecurrentNet;
import org.crbp.core.ScopedParameterStore;
import org.crbp.core.StepResult;
import org.crbp.models.FocalLoss;

/**
 * A whole instance-segmentation model at CPU scale, trained in one step per batch: a backbone
 * shared by a recurrent mask head (whose encoder is a {@link RoiFeatureEncoder}) and a {@link
 * SemanticHead}. Ground-truth boxes stand in for a region proposal network.
 *
 * <p>Forward: {@code NDList(images (N, c, H, W), boxes (R, 4), batchIndex (R))} to {@code
 * NDList(maskLogits (R, K, 2S, 2S), semanticLogits (N, stuff + 1, H, W))}, the backbone run once.
 *
 * <p><b>Training</b> ({@link #forwardBackward}): first the semantic loss, with ordinary autograd on
 * its own forward of the backbone, is back-propagated into the backbone and the semantic head;
 * then the {@link GradientMethod} (BPTT, RBP, C-BPTT, C-RBP, …) runs the mask head on {@code
 * NDList(images, boxes, batchIndex)} and adds the mask loss's gradient, which reaches the backbone
 * through the encoder (BPTT records it; RBP pushes the drive's gradient through it after its
 * adjoint solve). The two gradients add up in the parameters (DJL's gradients accumulate until
 * the optimizer's step zeroes them), so one {@code trainer.step()} then updates everything with
 * {@code mask loss + semanticWeight × semantic loss}. The backbone runs twice per step, which at
 * this scale costs little and keeps the gradient method's contract (it opens its own gradient
 * collector, and only one can be open).
 *
 * <pre>{@code
 * InstanceBackbone backbone = InstanceBackbone.builder().optChannels(16).optStride(4).build();
 * RoiAlign align = RoiAlign.builder().setOutputSize(7)
 *         .optSpatialScale(backbone.getSpatialScale()).build();
 * RecurrentNet maskNet = RecurrentMaskHead.builder().setClasses(3).optChannels(16)
 *         .optRoiFeatures(backbone, align).optSteps(20).build();
 * InstanceSegmentationModel model = InstanceSegmentationModel.builder().setMaskNet(maskNet)
 *         .setSemanticHead(SemanticHead.builder().setStuffClasses(2).build()).build();
 * // per batch, with the trainer's parameter store:
 * InstanceStepResult r = model.forwardBackward(GradientMethods.crbp(20, 15, 0.9f, 1f), ps,
 *         new NDList(images, boxes, batchIndex), new NDList(maskTargets, boxClasses),
 *         semanticLabels);
 * trainer.step();
 * }</pre>
 *
 * <p>A feedforward mask head ({@link Builder#setFeedforwardMaskHead}, e.g. {@link
 * FeedforwardMaskHead}) takes the recurrent head's place in the same wiring; it trains by
 * ordinary autograd with {@link #forwardBackward(ParameterStore, NDList, NDList, NDArray)}.
 *
 * <p>Children: {@code maskNet} (holding the backbone in its encoder) and {@code semantic}; with
 * a feedforward head {@code maskEncoder} (holding the backbone), {@code maskHead} and {@code
 * semantic}.
 */
public final class InstanceSegmentationModel extends AbstractBlock {

    private static final byte VERSION = 1;

    private final RecurrentNet maskNet;
    private final Block feedforwardHead;
    private final RoiFeatureEncoder roiEncoder;
    private final SemanticHead semanticHead;
    private final Loss maskLoss;
    private final Loss semanticLoss;
    private final float semanticWeight;

    private InstanceSegmentationModel(Builder builder) {
        super(VERSION);
        if (builder.maskNet != null) {
            maskNet = addChildBlock("maskNet", builder.maskNet);
            roiEncoder = (RoiFeatureEncoder) builder.maskNet.getEncoder();
            feedforwardHead = null;
        } else {
            maskNet = null;
            roiEncoder = addChildBlock("maskEncoder", builder.roiEncoder);
            feedforwardHead = addChildBlock("maskHead", builder.feedforwardHead);
        }
        semanticHead = addChildBlock("semantic", builder.semanticHead);
        maskLoss = builder.maskLoss;
        semanticLoss = builder.semanticLoss;
        semanticWeight = builder.semanticWeight;
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
     * Returns the recurrent mask head, whose encoder holds the backbone.
     *
     * @return the mask network, or null for a model with a feedforward mask head
     */
    public RecurrentNet getMaskNet() {
        return maskNet;
    }

    /**
     * Returns whether the mask head is recurrent (trained by a {@link GradientMethod}).
     *
     * @return true for a recurrent mask head, false for a feedforward one
     */
    public boolean isRecurrent() {
        return maskNet != null;
    }

    /**
     * Returns the feedforward mask head (after the ROI encoder).
     *
     * @return the head, or null for a model with a recurrent mask head
     */
    public Block getFeedforwardHead() {
        return feedforwardHead;
    }

    /**
     * Returns the ROI encoder (backbone, ROIAlign, projection) in front of the mask head.
     *
     * @return the encoder
     */
    public RoiFeatureEncoder getRoiEncoder() {
        return roiEncoder;
    }

    /**
     * Returns the shared backbone.
     *
     * @return the backbone
     */
    public Block getBackbone() {
        return roiEncoder.getBackbone();
    }

    /**
     * Returns the semantic head.
     *
     * @return the semantic head
     */
    public SemanticHead getSemanticHead() {
        return semanticHead;
    }

    /**
     * Returns the mask loss.
     *
     * @return the mask loss
     */
    public Loss getMaskLoss() {
        return maskLoss;
    }

    /**
     * Returns the semantic loss.
     *
     * @return the semantic loss
     */
    public Loss getSemanticLoss() {
        return semanticLoss;
    }

    /**
     * Runs one training step's forward and backward and <em>adds</em> the gradients of {@code mask
     * loss + semanticWeight × semantic loss} into every parameter (see the class comment). Called
     * with no gradient collector open; call the optimizer's step afterwards.
     *
     * @param method the gradient method of the mask head
     * @param parameterStore the store that owns the parameters (the trainer's)
     * @param data {@code NDList(images, boxes, batchIndex)}
     * @param maskLabels {@code NDList(targets (R, M, M), classes (R))}, as {@link MaskLoss} takes
     * @param semanticLabels class indices {@code (N, H, W)} for the semantic head
     * @return the losses and the mask method's diagnostics
     * @throws NonFiniteLossException if a loss is not finite; the model's parameter gradients
     *     are then zeroed, so the batch adds nothing
     * @throws IllegalArgumentException if the data do not have three arrays
     */
    public InstanceStepResult forwardBackward(GradientMethod method,
            ParameterStore parameterStore, NDList data, NDList maskLabels,
            NDArray semanticLabels) {
        checkData(data.size());
        if (maskNet == null) {
            throw new IllegalArgumentException("InstanceSegmentationModel: a feedforward mask"
                    + " head trains with forwardBackward(parameterStore, data, maskLabels,"
                    + " semanticLabels), without a gradient method");
        }
        NDArray[] semanticLogits = new NDArray[1];
        float semantic = semanticPass(parameterStore, data.get(0), semanticLabels,
                semanticLogits);
        StepResult mask;
        try {
            mask = method.forwardBackward(maskNet, parameterStore, data, maskLabels, maskLoss);
        } catch (NonFiniteLossException e) {
            // the semantic gradient is already in: drop it too, so the batch adds nothing
            zeroGradients();
            semanticLogits[0].close();
            throw e;
        }
        return new InstanceStepResult(mask, semantic, semanticWeight, semanticLogits[0]);
    }

    /**
     * Runs one training step of a model with a feedforward mask head: the whole model forward
     * with ordinary autograd (the backbone once), and the gradient of {@code mask loss +
     * semanticWeight x semantic loss} <em>added</em> into every parameter. Called with no
     * gradient collector open; call the optimizer's step afterwards.
     *
     * @param parameterStore the store that owns the parameters (the trainer's)
     * @param data {@code NDList(images, boxes, batchIndex)}
     * @param maskLabels {@code NDList(targets (R, M, M), classes (R))}, as {@link MaskLoss} takes
     * @param semanticLabels class indices {@code (N, H, W)} for the semantic head
     * @return the losses; the mask step's predictions are the detached mask logits
     * @throws NonFiniteLossException if a loss is not finite; then no gradient was added
     * @throws IllegalArgumentException if the mask head is recurrent or the data do not have
     *     three arrays
     */
    public InstanceStepResult forwardBackward(ParameterStore parameterStore, NDList data,
            NDList maskLabels, NDArray semanticLabels) {
        checkData(data.size());
        if (maskNet != null) {
            throw new IllegalArgumentException("InstanceSegmentationModel: a recurrent mask head"
                    + " trains with forwardBackward(method, ...)");
        }
        NDManager caller = data.head().getManager();
        try (NDManager scope = caller.newSubManager();
                GradientCollector collector = caller.getEngine().newGradientCollector()) {
            data.tempAttach(scope);
            maskLabels.tempAttach(scope);
            semanticLabels.tempAttach(scope);
            NDList out = forward(parameterStore, data, true);
            out.attach(scope);
            NDArray mask = maskLoss.evaluate(maskLabels, new NDList(out.get(0)));
            NDArray semantic = semanticLoss.evaluate(new NDList(semanticLabels),
                    new NDList(out.get(1)));
            float maskValue = (float) mask.toType(DataType.FLOAT64, false).getDouble();
            float semanticValue = (float) semantic.toType(DataType.FLOAT64, false).getDouble();
            if (!Float.isFinite(maskValue) || !Float.isFinite(semanticValue)) {
                throw new NonFiniteLossException("The mask loss is " + maskValue + " and the"
                        + " semantic loss " + semanticValue + "; no gradient was added");
            }
            NDArray weight = scope.full(new Shape(), semanticWeight, semantic.getDataType());
            collector.backward(mask.add(semantic.mul(weight)));
            NDArray maskLogits = out.get(0).stopGradient().duplicate();
            NDArray semanticLogits = out.get(1).stopGradient().duplicate();
            maskLogits.attach(caller);
            semanticLogits.attach(caller);
            StepResult step = StepResult.builder().setPredictions(new NDList(maskLogits))
                    .setLoss(maskValue).build();
            return new InstanceStepResult(step, semanticValue, semanticWeight, semanticLogits);
        }
    }

    /**
     * The semantic half of {@link #forwardBackward}: the backbone and the semantic head forward
     * with ordinary autograd, and {@code semanticWeight × semantic loss} back-propagated into
     * their parameters (added to their gradients). Called with no gradient collector open.
     *
     * @param parameterStore the store that owns the parameters
     * @param images the images {@code (N, c, H, W)}
     * @param labels class indices {@code (N, H, W)}
     * @return the semantic loss, before its weight
     * @throws NonFiniteLossException if the loss is not finite; then no gradient was added
     */
    public float semanticForwardBackward(ParameterStore parameterStore, NDArray images,
            NDArray labels) {
        NDArray[] logits = new NDArray[1];
        float value = semanticPass(parameterStore, images, labels, logits);
        logits[0].close();
        return value;
    }

    /** The semantic half; {@code logitsOut[0]} gets the detached logits, in the caller's. */
    private float semanticPass(ParameterStore parameterStore, NDArray images, NDArray labels,
            NDArray[] logitsOut) {
        NDManager caller = images.getManager();
        try (NDManager scope = caller.newSubManager();
                GradientCollector collector = caller.getEngine().newGradientCollector()) {
            images.tempAttach(scope);
            labels.tempAttach(scope);
            ScopedParameterStore store = new ScopedParameterStore(parameterStore, scope, false);
            NDArray features = getBackbone().forward(store, new NDList(images), true).head();
            NDList logits = semanticHead.forward(store, new NDList(features), true);
            NDArray loss = semanticLoss.evaluate(new NDList(labels), logits);
            // read in double (the loss is float64 in gradient checks); freed with the scope
            float value = (float) loss.toType(DataType.FLOAT64, false).getDouble();
            if (!Float.isFinite(value)) {
                throw new NonFiniteLossException(
                        "The semantic loss is " + value + "; no gradient was added");
            }
            NDArray weight = scope.full(new Shape(), semanticWeight, loss.getDataType());
            collector.backward(loss.mul(weight));
            logitsOut[0] = logits.head().stopGradient().duplicate();
            logitsOut[0].attach(caller);
            return value;
        }
    }

    /** Sets the gradient of every parameter of this model to zero. */
    private void zeroGradients() {
        for (Pair<String, Parameter> pair : getParameters()) {
            Parameter parameter = pair.getValue();
            if (!parameter.isInitialized() || !parameter.requiresGradient()
                    || !parameter.getArray().hasGradient()) {
                continue;
            }
            try (NDArray gradient = parameter.getArray().getGradient()) {
                gradient.subi(gradient);
            }
        }
    }

    private static void checkData(int count) {
        if (count != 3) {
            throw new IllegalArgumentException("InstanceSegmentationModel takes NDList(images,"
                    + " boxes, batchIndex), got " + count + " arrays");
        }
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        checkData(inputs.size());
        NDManager outer = inputs.head().getManager();
        try (NDManager scope = outer.newSubManager()) {
            inputs.tempAttach(scope);
            ScopedParameterStore store = new ScopedParameterStore(parameterStore, scope, false);
            NDArray features = getBackbone().forward(store, new NDList(inputs.get(0)), training)
                    .head();
            NDArray semantic = semanticHead.forward(store, new NDList(features), training).head();
            // the mask head's forward as RecurrentNet runs it, on the features computed above
            NDArray drive = roiEncoder.encode(store, features, inputs.get(1), inputs.get(2),
                    training);
            NDArray masks;
            if (maskNet == null) {
                masks = feedforwardHead.forward(store, new NDList(drive), training).head();
            } else {
                NDList state = maskNet.getCell().initialState(drive);
                NDList last = maskNet.advance(parameterStore, drive, state, maskNet.getSteps(),
                        false, training, null);
                masks = maskNet.readout(store, last, training).head();
            }
            NDList out = new NDList(masks, semantic);
            out.attach(outer);
            return out;
        }
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType,
            Shape... inputShapes) {
        checkData(inputShapes.length);
        if (maskNet == null) {
            roiEncoder.initialize(manager, dataType, inputShapes);
            feedforwardHead.initialize(manager, dataType,
                    roiEncoder.getOutputShapes(inputShapes));
        } else {
            maskNet.initialize(manager, dataType, inputShapes);
        }
        semanticHead.initialize(manager, dataType,
                getBackbone().getOutputShapes(new Shape[] {inputShapes[0]}));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        checkData(inputShapes.length);
        Shape masks = maskNet != null ? maskNet.getOutputShapes(inputShapes)[0]
                : feedforwardHead.getOutputShapes(roiEncoder.getOutputShapes(inputShapes))[0];
        Shape semantic = semanticHead.getOutputShapes(
                getBackbone().getOutputShapes(new Shape[] {inputShapes[0]}))[0];
        return new Shape[] {masks, semantic};
    }

    /** The builder of {@link InstanceSegmentationModel}. */
    public static final class Builder {
        private RecurrentNet maskNet;
        private RoiFeatureEncoder roiEncoder;
        private Block feedforwardHead;
        private SemanticHead semanticHead;
        private Loss maskLoss = new MaskLoss();
        private Loss semanticLoss = FocalLoss.crossEntropy();
        private float semanticWeight = 1f;

        Builder() {}

        /**
         * Sets the recurrent mask head (required), built with {@link
         * RecurrentMaskHead.Builder#optRoiFeatures} so that its encoder is a {@link
         * RoiFeatureEncoder} holding the backbone.
         *
         * @param maskNet the mask network
         * @return this builder
         */
        public Builder setMaskNet(RecurrentNet maskNet) {
            this.maskNet = maskNet;
            return this;
        }

        /**
         * Sets a feedforward mask head instead of a recurrent one: the ROI encoder (holding the
         * backbone) and the head after it, such as {@link FeedforwardMaskHead}. The model then
         * trains with {@link InstanceSegmentationModel#forwardBackward(ParameterStore, NDList,
         * NDList, NDArray)}.
         *
         * @param encoder the ROI encoder, from {@code NDList(images, boxes, batchIndex)} to ROI
         *     features
         * @param head the mask head, from ROI features to mask logits {@code (R, K, M, M)}
         * @return this builder
         */
        public Builder setFeedforwardMaskHead(RoiFeatureEncoder encoder, Block head) {
            this.roiEncoder = encoder;
            this.feedforwardHead = head;
            return this;
        }

        /**
         * Sets the semantic head (required); its input channels and stride must be the
         * backbone's.
         *
         * @param semanticHead the semantic head
         * @return this builder
         */
        public Builder setSemanticHead(SemanticHead semanticHead) {
            this.semanticHead = semanticHead;
            return this;
        }

        /**
         * Sets the mask loss (default {@link MaskLoss}).
         *
         * @param maskLoss the loss of the mask head
         * @return this builder
         */
        public Builder optMaskLoss(Loss maskLoss) {
            this.maskLoss = maskLoss;
            return this;
        }

        /**
         * Sets the semantic loss (default per-pixel cross entropy, {@code
         * FocalLoss.crossEntropy()}).
         *
         * @param semanticLoss the loss of the semantic head
         * @return this builder
         */
        public Builder optSemanticLoss(Loss semanticLoss) {
            this.semanticLoss = semanticLoss;
            return this;
        }

        /**
         * Sets the weight of the semantic loss in the step's total (default 1).
         *
         * @param semanticWeight finite, 0 or more
         * @return this builder
         */
        public Builder optSemanticWeight(float semanticWeight) {
            this.semanticWeight = semanticWeight;
            return this;
        }

        /**
         * Builds the model.
         *
         * @return the model
         * @throws IllegalArgumentException if a part is missing, the mask head's encoder is not
         *     a {@link RoiFeatureEncoder}, or the semantic head does not fit an {@link
         *     InstanceBackbone}'s stride
         */
        public InstanceSegmentationModel build() {
            boolean feedforward = roiEncoder != null || feedforwardHead != null;
            if (feedforward && (maskNet != null || roiEncoder == null
                    || feedforwardHead == null)) {
                throw new IllegalArgumentException("InstanceSegmentationModel needs either a"
                        + " mask net or a feedforward head with its ROI encoder, not both");
            }
            if ((maskNet == null && !feedforward) || semanticHead == null || maskLoss == null
                    || semanticLoss == null) {
                throw new IllegalArgumentException("InstanceSegmentationModel needs a mask net,"
                        + " a semantic head and both losses; missing: "
                        + (maskNet == null && !feedforward ? "maskNet " : "")
                        + (semanticHead == null ? "semanticHead " : "")
                        + (maskLoss == null ? "maskLoss " : "")
                        + (semanticLoss == null ? "semanticLoss" : ""));
            }
            if (!feedforward && !(maskNet.getEncoder() instanceof RoiFeatureEncoder)) {
                throw new IllegalArgumentException("InstanceSegmentationModel: the mask net's"
                        + " encoder must be a RoiFeatureEncoder (RecurrentMaskHead's"
                        + " optRoiFeatures), got " + maskNet.getEncoder().getClass().getName());
            }
            Block backbone = feedforward ? roiEncoder.getBackbone()
                    : ((RoiFeatureEncoder) maskNet.getEncoder()).getBackbone();
            if (backbone instanceof InstanceBackbone
                    && ((InstanceBackbone) backbone).getStride() != semanticHead.getStride()) {
                throw new IllegalArgumentException("InstanceSegmentationModel: the semantic"
                        + " head upsamples by " + semanticHead.getStride() + " but the backbone's"
                        + " stride is " + ((InstanceBackbone) backbone).getStride());
            }
            if (!(semanticWeight >= 0) || Float.isInfinite(semanticWeight)) {
                throw new IllegalArgumentException("InstanceSegmentationModel: the semantic"
                        + " weight must be finite and 0 or more, got " + semanticWeight);
            }
            return new InstanceSegmentationModel(this);
        }
    }
}
