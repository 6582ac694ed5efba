/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.instances;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Bilinear ROIAlign with pixel-centre ("aligned") coordinates, built from the engine's
 * differentiable operations (DJL 0.36's PyTorch engine has no ROIAlign operator).
 *
 * <p>Inputs: features {@code (N, C, H, W)}; boxes {@code (R, 4)} as {@code x1, y1, x2, y2} in
 * input-image pixels, where pixel {@code (i, j)} covers {@code [j, j+1) x [i, i+1)}; the batch
 * index of each box {@code (R)}, an integer array with values in {@code [0, N)}. Output: {@code
 * (R, C, S, S)}, in the features' data type and manager.
 *
 * <p>Each box is scaled to feature coordinates by the spatial scale (features per image pixel,
 * {@code 1 / stride}), split into {@code S x S} bins, and each bin is the mean of {@code s x s}
 * bilinear samples on a regular grid inside it ({@code s}, the sampling ratio, is fixed: the
 * adaptive ratio of other implementations is not offered). A sample at continuous feature
 * coordinate {@code c} reads the feature map at pixel position {@code c - 0.5}, so that a pixel's
 * centre is read exactly. <b>Samples outside the map read zero</b>: the tent weights of
 * bilinear interpolation fall on pixels outside the map, which hold zero (no clamping to the
 * border), so a bin that reaches half a pixel past the border fades toward zero.
 *
 * <p>The bilinear weights of a sample are separable in {@code y} and {@code x}, and so is their
 * mean over a bin's grid; the box's output is therefore {@code A_y F A_x^T} with {@code A_y}
 * {@code (S, H)} and {@code A_x} {@code (S, W)} built on the host from the box and {@code F} the
 * box's feature map. The gradient flows to the features; the boxes are constants (they are read
 * to the host, and receive no gradient).
 *
 * <p>As a block, its forward takes {@code NDList(features, boxes, batchIndex)} and returns {@code
 * NDList(rois)}; it has no parameters.
 *
 * <pre>{@code
 * RoiAlign align = RoiAlign.builder().setOutputSize(7).optSpatialScale(0.25).build();
 * NDArray rois = align.apply(features, boxes, batchIndex); // (R, C, 7, 7)
 * }</pre>
 */
public final class RoiAlign extends AbstractBlock {

    /** The default number of samples per bin side, 2 (as Mask R-CNN). */
    public static final int DEFAULT_SAMPLING_RATIO = 2;

    private static final byte VERSION = 1;

    private final int outputSize;
    private final int samplingRatio;
    private final double spatialScale;

    private RoiAlign(Builder builder) {
        super(VERSION);
        outputSize = builder.outputSize;
        samplingRatio = builder.samplingRatio;
        spatialScale = builder.spatialScale;
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
     * Returns the output size {@code S} of each box's map.
     *
     * @return the output size
     */
    public int getOutputSize() {
        return outputSize;
    }

    /**
     * Returns the number of samples per bin side.
     *
     * @return the sampling ratio
     */
    public int getSamplingRatio() {
        return samplingRatio;
    }

    /**
     * Returns the spatial scale: features per input-image pixel.
     *
     * @return the spatial scale
     */
    public double getSpatialScale() {
        return spatialScale;
    }

    /**
     * Applies this ROIAlign.
     *
     * @param features the features {@code (N, C, H, W)}
     * @param boxes the boxes {@code (R, 4)}, {@code x1, y1, x2, y2} in image pixels
     * @param batchIndex the image of each box {@code (R)}, integers in {@code [0, N)}
     * @return the boxes' features {@code (R, C, S, S)}
     * @throws IllegalArgumentException if a shape, a box or a batch index is bad
     */
    public NDArray apply(NDArray features, NDArray boxes, NDArray batchIndex) {
        return align(features, boxes, batchIndex, spatialScale, outputSize, samplingRatio);
    }

    /**
     * Bilinear ROIAlign with pixel-centre coordinates (see the class comment).
     *
     * @param features the features {@code (N, C, H, W)}, floating point
     * @param boxes the boxes {@code (R, 4)}, {@code x1, y1, x2, y2} in image pixels, {@code x2 >=
     *     x1} and {@code y2 >= y1}
     * @param batchIndex the image of each box {@code (R)}, an integer array with values in
     *     {@code [0, N)}
     * @param spatialScale features per image pixel, positive
     * @param outputSize the output size {@code S}, at least 1
     * @param samplingRatio samples per bin side, at least 1
     * @return the boxes' features {@code (R, C, S, S)} in the features' manager
     * @throws IllegalArgumentException if a shape, a box, a batch index or an option is bad
     */
    public static NDArray align(NDArray features, NDArray boxes, NDArray batchIndex,
            double spatialScale, int outputSize, int samplingRatio) {
        checkOptions(spatialScale, outputSize, samplingRatio);
        Shape fs = features.getShape();
        if (fs.dimension() != 4 || !features.getDataType().isFloating()) {
            throw new IllegalArgumentException("RoiAlign: the features must be a floating-point"
                    + " array (N, C, H, W), got " + fs + " " + features.getDataType());
        }
        long rois = checkBoxShapes(boxes, batchIndex);
        int height = Math.toIntExact(fs.get(2));
        int width = Math.toIntExact(fs.get(3));
        int r = Math.toIntExact(rois);
        NDManager manager = features.getManager();
        DataType type = features.getDataType();
        try (NDManager temporaries = manager.newSubManager()) {
            // the inputs visit the scope, so that conversions and intermediates are freed with it
            features.tempAttach(temporaries);
            boxes.tempAttach(temporaries);
            batchIndex.tempAttach(temporaries);
            double[] box = boxes.toType(DataType.FLOAT64, false).toDoubleArray();
            long[] index = batchIndex.toType(DataType.INT64, false).toLongArray();
            double[] rowWeights = new double[r * outputSize * height];
            double[] columnWeights = new double[r * outputSize * width];
            for (int b = 0; b < r; b++) {
                checkBox(box, b, index[b], fs.get(0));
                binWeights(box[4 * b + 1] * spatialScale, box[4 * b + 3] * spatialScale, height,
                        outputSize, samplingRatio, rowWeights, b * outputSize * height);
                binWeights(box[4 * b] * spatialScale, box[4 * b + 2] * spatialScale, width,
                        outputSize, samplingRatio, columnWeights, b * outputSize * width);
            }
            NDArray ay = ownedConstant(temporaries, rowWeights,
                    new Shape(r, 1, outputSize, height), type);
            NDArray axT = ownedConstant(temporaries, columnWeights,
                    new Shape(r, 1, outputSize, width), type).transpose(0, 1, 3, 2);
            NDArray indices;
            try (NDArray wrapped = temporaries.create(index)) {
                indices = wrapped.duplicate();
            }
            NDArray perBox = features.get(new NDIndex("{}", indices));
            // (R, 1, S, H) x (R, C, H, W) x (R, 1, W, S) -> (R, C, S, S)
            NDArray out = ay.matMul(perBox).matMul(axT);
            out.attach(manager);
            return out;
        }
    }

    /**
     * Crops instance masks to Mask R-CNN's mask targets: each mask is ROIAligned in its own box
     * (spatial scale 1, the given sampling ratio) and thresholded at 0.5.
     *
     * @param masks the instance masks {@code (R, H, W)} in {0, 1}, one per box, at image
     *     resolution
     * @param boxes the boxes {@code (R, 4)} in image pixels
     * @param size the target size {@code M}
     * @param samplingRatio samples per bin side, at least 1
     * @return the targets {@code (R, M, M)} in {0, 1}, in the masks' manager and data type (float64
     *     for an integer mask)
     * @throws IllegalArgumentException if a shape or a box is bad
     */
    public static NDArray maskTargets(NDArray masks, NDArray boxes, int size, int samplingRatio) {
        Shape ms = masks.getShape();
        if (ms.dimension() != 3) {
            throw new IllegalArgumentException(
                    "RoiAlign.maskTargets: the masks must be (R, H, W), got " + ms);
        }
        NDManager manager = masks.getManager();
        try (NDManager temporaries = manager.newSubManager()) {
            masks.tempAttach(temporaries);
            DataType type = masks.getDataType().isFloating() ? masks.getDataType()
                    : DataType.FLOAT64;
            NDArray maps = masks.toType(type, false).expandDims(1);
            NDArray index = temporaries.arange(0, (int) ms.get(0), 1, DataType.INT64);
            NDArray soft = align(maps, boxes, index, 1, size, samplingRatio).squeeze(1);
            NDArray half = temporaries.full(new Shape(), 0.5f, type);
            NDArray targets = soft.gte(half).toType(type, false);
            targets.attach(manager);
            return targets;
        }
    }

    /**
     * Mean tent weights of one box side's bins: row {@code i} of the {@code (S, n)} block at
     * {@code offset} holds, for pixel {@code p}, the mean over the bin's samples {@code c} of
     * {@code max(0, 1 - |c - 0.5 - p|)}; pixels outside {@code [0, n)} are not stored, so the
     * samples read zero there.
     */
    private static void binWeights(double start, double end, int n, int size, int ratio,
            double[] weights, int offset) {
        double bin = (end - start) / size;
        for (int i = 0; i < size; i++) {
            for (int s = 0; s < ratio; s++) {
                // the sample's position in pixel-index space (pixel p's centre is p + 0.5)
                double c = start + (i + (s + 0.5) / ratio) * bin - 0.5;
                int low = (int) Math.floor(c);
                double frac = c - low;
                if (low >= 0 && low < n) {
                    weights[offset + i * n + low] += (1 - frac) / ratio;
                }
                if (low + 1 >= 0 && low + 1 < n) {
                    weights[offset + i * n + low + 1] += frac / ratio;
                }
            }
        }
    }

    /**
     * An array of {@code values} whose memory the engine owns. On the CPU an array created from
     * Java data reads the Java buffer in place, and that buffer is freed once its array is closed
     * and collected; autograd keeps the operands of a recorded operation until the backward pass,
     * so a constant that enters one must be a copy the engine owns (else the backward reads freed
     * memory: wrong gradients, or out-of-range indices).
     */
    static NDArray ownedConstant(NDManager manager, double[] values, Shape shape,
            DataType type) {
        try (NDArray wrapped = manager.create(values, shape)) {
            return type == DataType.FLOAT64 ? wrapped.duplicate() : wrapped.toType(type, true);
        }
    }

    private static void checkOptions(double spatialScale, int outputSize, int samplingRatio) {
        if (!(spatialScale > 0) || Double.isInfinite(spatialScale)) {
            throw new IllegalArgumentException(
                    "RoiAlign: the spatial scale must be positive and finite, got " + spatialScale);
        }
        if (outputSize < 1) {
            throw new IllegalArgumentException(
                    "RoiAlign: the output size must be at least 1, got " + outputSize);
        }
        if (samplingRatio < 1) {
            throw new IllegalArgumentException(
                    "RoiAlign: the sampling ratio must be at least 1, got " + samplingRatio);
        }
    }

    /** Checks boxes {@code (R, 4)} and batch index {@code (R)}; returns R. */
    private static long checkBoxShapes(NDArray boxes, NDArray batchIndex) {
        Shape bs = boxes.getShape();
        if (bs.dimension() != 2 || bs.get(1) != 4) {
            throw new IllegalArgumentException(
                    "RoiAlign: the boxes must be (R, 4) as x1, y1, x2, y2, got " + bs);
        }
        if (bs.get(0) < 1) {
            throw new IllegalArgumentException("RoiAlign: there are no boxes (R = 0)");
        }
        Shape is = batchIndex.getShape();
        if (is.dimension() != 1 || is.get(0) != bs.get(0)) {
            throw new IllegalArgumentException("RoiAlign: the batch index must be (R) = ("
                    + bs.get(0) + "), one image per box, got " + is);
        }
        if (!batchIndex.getDataType().isInteger()) {
            throw new IllegalArgumentException("RoiAlign: the batch index must be an integer"
                    + " array, got " + batchIndex.getDataType());
        }
        return bs.get(0);
    }

    private static void checkBox(double[] box, int b, long image, long images) {
        double x1 = box[4 * b];
        double y1 = box[4 * b + 1];
        double x2 = box[4 * b + 2];
        double y2 = box[4 * b + 3];
        boolean finite = Double.isFinite(x1) && Double.isFinite(y1) && Double.isFinite(x2)
                && Double.isFinite(y2);
        if (!finite || x2 < x1 || y2 < y1) {
            throw new IllegalArgumentException("RoiAlign: box " + b + " (x1 " + x1 + ", y1 " + y1
                    + ", x2 " + x2 + ", y2 " + y2 + ") must be finite with x2 >= x1 and y2 >= y1");
        }
        if (image < 0 || image >= images) {
            throw new IllegalArgumentException("RoiAlign: box " + b + " names image " + image
                    + " of a batch of " + images);
        }
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        if (inputs.size() != 3) {
            throw new IllegalArgumentException("RoiAlign takes NDList(features, boxes,"
                    + " batchIndex), got " + inputs.size() + " arrays");
        }
        return new NDList(apply(inputs.get(0), inputs.get(1), inputs.get(2)));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        if (inputShapes.length != 3) {
            throw new IllegalArgumentException("RoiAlign takes the shapes of (features, boxes,"
                    + " batchIndex), got " + inputShapes.length + " shapes");
        }
        Shape features = inputShapes[0];
        return new Shape[] {
            new Shape(inputShapes[1].get(0), features.get(1), outputSize, outputSize)
        };
    }

    /** The builder of {@link RoiAlign}. */
    public static final class Builder {
        private int outputSize = -1;
        private int samplingRatio = DEFAULT_SAMPLING_RATIO;
        private double spatialScale = 1;

        Builder() {}

        /**
         * Sets the output size {@code S} of each box's map (required; 14 in Mask R-CNN's mask
         * branch).
         *
         * @param outputSize at least 1
         * @return this builder
         */
        public Builder setOutputSize(int outputSize) {
            this.outputSize = outputSize;
            return this;
        }

        /**
         * Sets the number of samples per bin side (default 2).
         *
         * @param samplingRatio at least 1
         * @return this builder
         */
        public Builder optSamplingRatio(int samplingRatio) {
            this.samplingRatio = samplingRatio;
            return this;
        }

        /**
         * Sets the spatial scale, features per input-image pixel: {@code 1 / stride} of the
         * backbone (default 1).
         *
         * @param spatialScale positive
         * @return this builder
         */
        public Builder optSpatialScale(double spatialScale) {
            this.spatialScale = spatialScale;
            return this;
        }

        /**
         * Builds the block.
         *
         * @return the block
         * @throws IllegalArgumentException if an option is out of range
         */
        public RoiAlign build() {
            checkOptions(spatialScale, outputSize, samplingRatio);
            return new RoiAlign(this);
        }
    }
}
