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
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The encoder of a recurrent mask head trained together with its backbone: {@code images ->
 * backbone -> RoiAlign -> projection -> drive}. Its forward takes {@code NDList(images, boxes,
 * batchIndex)} (the boxes and batch index as {@link RoiAlign} takes them) and returns {@code
 * NDList(drive)} of shape {@code (R, C, S, S)}.
 *
 * <p>As the encoder of a {@link org.crbp.core.RecurrentNet} it makes every {@link
 * org.crbp.core.GradientMethod} train the backbone through the mask loss: BPTT records the whole
 * forward, and RBP pushes the drive's gradient back through this encoder once, after its adjoint
 * solve. Children: {@code backbone}, {@code roiAlign}, {@code projection}.
 */
public final class RoiFeatureEncoder extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Block backbone;
    private final RoiAlign roiAlign;
    private final Block projection;

    private RoiFeatureEncoder(Builder builder) {
        super(VERSION);
        backbone = addChildBlock("backbone", builder.backbone);
        roiAlign = addChildBlock("roiAlign", builder.roiAlign);
        projection = addChildBlock("projection", builder.projection);
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
     * Returns the backbone, which maps {@code NDList(images)} to {@code NDList(features)}.
     *
     * @return the backbone
     */
    public Block getBackbone() {
        return backbone;
    }

    /**
     * Returns the ROIAlign.
     *
     * @return the ROIAlign
     */
    public RoiAlign getRoiAlign() {
        return roiAlign;
    }

    /**
     * Returns the projection from ROI features to the drive.
     *
     * @return the projection
     */
    public Block getProjection() {
        return projection;
    }

    /**
     * Computes the drive from features the backbone has already computed.
     *
     * @param parameterStore the parameter store
     * @param features the backbone's features {@code (N, C, H, W)}
     * @param boxes the boxes {@code (R, 4)} in image pixels
     * @param batchIndex the image of each box {@code (R)}
     * @param training whether this is a training pass
     * @return the drive {@code (R, C', S, S)}
     */
    public NDArray encode(ParameterStore parameterStore, NDArray features, NDArray boxes,
            NDArray batchIndex, boolean training) {
        NDArray rois = roiAlign.apply(features, boxes, batchIndex);
        return projection.forward(parameterStore, new NDList(rois), training).head();
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        checkInputs(inputs.size());
        NDArray features = backbone.forward(parameterStore, new NDList(inputs.get(0)), training)
                .singletonOrThrow();
        return new NDList(encode(parameterStore, features, inputs.get(1), inputs.get(2),
                training));
    }

    private static void checkInputs(int count) {
        if (count != 3) {
            throw new IllegalArgumentException("RoiFeatureEncoder takes NDList(images, boxes,"
                    + " batchIndex), got " + count + " arrays");
        }
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType,
            Shape... inputShapes) {
        checkInputs(inputShapes.length);
        backbone.initialize(manager, dataType, inputShapes[0]);
        Shape[] rois = roiShapes(inputShapes);
        roiAlign.initialize(manager, dataType, backbone.getOutputShapes(
                new Shape[] {inputShapes[0]})[0], inputShapes[1], inputShapes[2]);
        projection.initialize(manager, dataType, rois);
    }

    private Shape[] roiShapes(Shape[] inputShapes) {
        Shape features = backbone.getOutputShapes(new Shape[] {inputShapes[0]})[0];
        return roiAlign.getOutputShapes(new Shape[] {features, inputShapes[1], inputShapes[2]});
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        checkInputs(inputShapes.length);
        return projection.getOutputShapes(roiShapes(inputShapes));
    }

    /** The builder of {@link RoiFeatureEncoder}. */
    public static final class Builder {
        private Block backbone;
        private RoiAlign roiAlign;
        private Block projection;

        Builder() {}

        /**
         * Sets the backbone (required): a block from {@code NDList(images)} to {@code
         * NDList(features)}, such as an {@link InstanceBackbone}.
         *
         * @param backbone the backbone
         * @return this builder
         */
        public Builder setBackbone(Block backbone) {
            this.backbone = backbone;
            return this;
        }

        /**
         * Sets the ROIAlign (required); its spatial scale must match the backbone's stride.
         *
         * @param roiAlign the ROIAlign
         * @return this builder
         */
        public Builder setRoiAlign(RoiAlign roiAlign) {
            this.roiAlign = roiAlign;
            return this;
        }

        /**
         * Sets the projection from ROI features to the drive (required), such as a 1×1
         * convolution.
         *
         * @param projection the projection
         * @return this builder
         */
        public Builder setProjection(Block projection) {
            this.projection = projection;
            return this;
        }

        /**
         * Builds the encoder.
         *
         * @return the encoder
         * @throws IllegalArgumentException if a part is missing, or the ROIAlign's spatial scale
         *     is not {@code 1 / stride} of an {@link InstanceBackbone}
         */
        public RoiFeatureEncoder build() {
            if (backbone == null || roiAlign == null || projection == null) {
                throw new IllegalArgumentException("RoiFeatureEncoder needs a backbone, a"
                        + " RoiAlign and a projection; missing: "
                        + (backbone == null ? "backbone " : "")
                        + (roiAlign == null ? "roiAlign " : "")
                        + (projection == null ? "projection" : ""));
            }
            if (backbone instanceof InstanceBackbone) {
                int stride = ((InstanceBackbone) backbone).getStride();
                if (Math.abs(roiAlign.getSpatialScale() * stride - 1) > 1e-12) {
                    throw new IllegalArgumentException("RoiFeatureEncoder: the RoiAlign's spatial"
                            + " scale " + roiAlign.getSpatialScale() + " does not match the"
                            + " backbone's stride " + stride + " (it must be 1/" + stride + ")");
                }
            }
            return new RoiFeatureEncoder(this);
        }
    }
}
