/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.instances;

import static org.crbp.models.instances.RoiAlignTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;

import org.crbp.core.RecurrentNet;
import org.crbp.models.PathfinderModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The heads, backbone, semantic head and mask loss: hand-computed values, shapes, counts. */
class InstanceBlocksTest {

    private NDManager manager;

    @BeforeEach
    void setUp() {
        Engine.getInstance().setRandomSeed(3);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void transposedConvolutionByHand() {
        // one input pixel per output 2×2 block: x (1, 2, 1, 2), weight (2, 1, 2, 2)
        NDArray x = manager.create(new double[] {1, 10, 2, 0}, new Shape(1, 2, 1, 2));
        NDArray weight = manager.create(new double[] {1, 2, 3, 4, 100, 0, 0, 100},
                new Shape(2, 1, 2, 2));
        NDArray bias = manager.create(new double[] {0.5});
        NDArray y = TransposedConv2x2.upsample(x, weight, bias);
        assertEquals(new Shape(1, 1, 2, 4), y.getShape());
        // left block: 1 * [1 2; 3 4] + 2 * [100 0; 0 100]; right block: 10 * [1 2; 3 4]
        double[] expected = {201.5, 2.5, 10.5, 20.5, 3.5, 204.5, 30.5, 40.5};
        assertArrayEquals(expected, y.toDoubleArray(), 1e-12);
    }

    @Test
    void parameterCountsRecurrentBelowFeedforward() {
        int channels = 8;
        int classes = 3;
        FeedforwardMaskHead feedforward = FeedforwardMaskHead.builder().setClasses(classes)
                .optChannels(channels).build();
        RecurrentNet recurrent = RecurrentMaskHead.builder().setClasses(classes)
                .optChannels(channels).optSteps(4).build();
        // 4 × (3×3 conv: 9·64 + 8 = 584) + transposed 2×2 (4·64 + 8 = 264) + 1×1 (3·8 + 3 = 27)
        assertEquals(2336 + 264 + 27, PathfinderModels.countParameters(feedforward));
        // 1×1 drive (64 + 8 = 72) + hGRU (two 3×3 kernels 2·576, gates 2·(64 + 8), five
        // per-channel scalars 5·8, four norms 4·16: 1400) + the same 264 + 27
        assertEquals(72 + 1400 + 264 + 27, PathfinderModels.countParameters(recurrent));
        assertTrue(PathfinderModels.countParameters(recurrent)
                < PathfinderModels.countParameters(feedforward));
        // backbone from 3 channels at stride 4: stem 9·3·8 + 8 = 224, two stages of 584
        InstanceBackbone backbone = InstanceBackbone.builder().optChannels(channels).build();
        assertEquals(224 + 2 * 584, PathfinderModels.countParameters(backbone));
        // semantic head of 2 stuff classes + thing: 3×3 (584) and 1×1 to 3 (27)
        SemanticHead semantic = SemanticHead.builder().setStuffClasses(2)
                .optInputChannels(channels).build();
        assertEquals(584 + 27, PathfinderModels.countParameters(semantic));
    }

    @Test
    void headShapes() {
        Shape rois = new Shape(3, 4, 6, 6);
        FeedforwardMaskHead feedforward = FeedforwardMaskHead.builder().setClasses(2)
                .optInputChannels(4).optChannels(5).build();
        feedforward.initialize(manager, DataType.FLOAT32, rois);
        ParameterStore ps = new ParameterStore(manager, false);
        NDArray x = manager.randomUniform(0f, 1f, rois);
        NDArray y = feedforward.forward(ps, new NDList(x), false).head();
        assertEquals(new Shape(3, 2, 12, 12), y.getShape());
        assertEquals(y.getShape(), feedforward.getOutputShapes(new Shape[] {rois})[0]);

        RecurrentNet recurrent = RecurrentMaskHead.builder().setClasses(2).optInputChannels(4)
                .optChannels(3).optSteps(2).build();
        recurrent.initialize(manager, DataType.FLOAT32, rois);
        assertEquals(new Shape(3, 2, 12, 12), recurrent.forward(ps, new NDList(x), false).head()
                .getShape());

        InstanceBackbone backbone = InstanceBackbone.builder().optInputChannels(1).optChannels(3)
                .optStride(2).build();
        Shape images = new Shape(2, 1, 12, 16);
        backbone.initialize(manager, DataType.FLOAT32, images);
        NDArray features = backbone.forward(ps, new NDList(manager.ones(images)), false).head();
        assertEquals(new Shape(2, 3, 6, 8), features.getShape());
        SemanticHead semantic = SemanticHead.builder().setStuffClasses(2).optInputChannels(3)
                .optStride(2).build();
        semantic.initialize(manager, DataType.FLOAT32, features.getShape());
        assertEquals(new Shape(2, 3, 12, 16), semantic.forward(ps, new NDList(features), false)
                .head().getShape());
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> backbone.forward(ps,
                new NDList(manager.ones(new Shape(1, 1, 12, 15))), false)), "multiples of");
    }

    @Test
    void bilinearUpsamplingByHand() {
        // row [0, 1] doubled: outputs read positions max(0, -0.25), 0.25, 0.75, 1.25 (clamped
        // to the last pixel): 0, 0.25, 0.75, 1; the single row is repeated
        NDArray x = manager.create(new double[] {0, 1}, new Shape(1, 1, 1, 2));
        NDArray y = SemanticHead.upsample(x, 2);
        assertEquals(new Shape(1, 1, 2, 4), y.getShape());
        assertArrayEquals(new double[] {0, 0.25, 0.75, 1, 0, 0.25, 0.75, 1}, y.toDoubleArray(),
                1e-12);
        // the gradient of sum(y): each input pixel's weights over the 2×4 outputs, (1 + 0.75 +
        // 0.25) in a row, twice; read after freed Java buffers were overwritten
        x.setRequiresGradient(true);
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            NDArray total = SemanticHead.upsample(x, 2).sum();
            RoiAlignTest.overwriteFreedBuffers();
            collector.backward(total);
        }
        assertArrayEquals(new double[] {4, 4}, x.getGradient().toDoubleArray(), 1e-12);
    }

    @Test
    void maskLossByHand() {
        // 2 ROIs, 2 classes, 1×1 masks. ROI 0 has class 1, logit 2, target 1:
        // softplus(2) - 2 = log(1 + e^-2); ROI 1 has class 0, logit -1, target 0: softplus(-1)
        NDArray logits = manager.create(new double[] {7, 2, -1, 5}, new Shape(2, 2, 1, 1));
        logits.setRequiresGradient(true);
        NDList labels = new NDList(manager.create(new double[] {1, 0}, new Shape(2, 1, 1)),
                manager.create(new int[] {1, 0}));
        double expected = (Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1))) / 2;
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            NDArray loss = new MaskLoss().evaluate(labels, new NDList(logits));
            assertEquals(expected, loss.getDouble(), 1e-12);
            collector.backward(loss);
        }
        // d/dz = (sigmoid(z) - t) / 2 on the picked maps, 0 on the others
        double[] gradient = logits.getGradient().toDoubleArray();
        assertArrayEquals(new double[] {0, (sigmoid(2) - 1) / 2, sigmoid(-1) / 2, 0}, gradient,
                1e-12);

        // stable at extreme logits: softplus(1000) - 0 and softplus(-1000) - 0
        NDArray extreme = manager.create(new double[] {1000, 0, -1000, 0},
                new Shape(2, 2, 1, 1));
        NDList zeros = new NDList(manager.zeros(new Shape(2, 1, 1)),
                manager.create(new long[] {0, 0}));
        assertEquals(500, new MaskLoss().evaluate(zeros, new NDList(extreme)).getDouble(), 1e-9);
        NDArray extreme32 = extreme.toType(DataType.FLOAT32, false);
        assertTrue(Float.isFinite(new MaskLoss().evaluate(zeros, new NDList(extreme32))
                .getFloat()));

        assertOneLine(assertThrows(IllegalArgumentException.class, () -> new MaskLoss().evaluate(
                new NDList(labels.get(0), manager.create(new int[] {1, 2})),
                new NDList(logits))), "ROI 1 has class 2");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> new MaskLoss().evaluate(
                new NDList(manager.zeros(new Shape(2, 2, 2)), labels.get(1)),
                new NDList(logits))), "targets must be (2, 1, 1)");
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void modelForwardIsTheMaskNetsForward() {
        InstanceBackbone backbone = InstanceBackbone.builder().optInputChannels(1).optChannels(2)
                .optStride(2).build();
        RoiAlign align = RoiAlign.builder().setOutputSize(3)
                .optSpatialScale(backbone.getSpatialScale()).build();
        RecurrentNet maskNet = RecurrentMaskHead.builder().setClasses(2).optChannels(3)
                .optInputChannels(2).optRoiFeatures(backbone, align).optSteps(3).build();
        InstanceSegmentationModel model = InstanceSegmentationModel.builder().setMaskNet(maskNet)
                .setSemanticHead(SemanticHead.builder().setStuffClasses(2).optInputChannels(2)
                        .optStride(2).build()).build();
        Shape images = new Shape(2, 1, 8, 8);
        Shape boxes = new Shape(3, 4);
        Shape index = new Shape(3);
        model.initialize(manager, DataType.FLOAT64, images, boxes, index);
        ParameterStore ps = new ParameterStore(manager, false);
        NDList data = new NDList(manager.randomUniform(0f, 1f, images).toType(DataType.FLOAT64,
                false), manager.create(new double[] {0, 0, 8, 8, 1, 2, 5, 7, 3, 0, 8, 4}, boxes),
                manager.create(new long[] {0, 1, 1}));
        NDList out = model.forward(ps, data, false);
        assertEquals(new Shape(3, 2, 6, 6), out.get(0).getShape());
        assertEquals(new Shape(2, 3, 8, 8), out.get(1).getShape());
        assertArrayEquals(model.getOutputShapes(new Shape[] {images, boxes, index}),
                out.getShapes());
        double[] viaMaskNet = maskNet.forward(ps, data, false).head().toDoubleArray();
        assertArrayEquals(viaMaskNet, out.get(0).toDoubleArray(), 1e-12);
        NDArray features = backbone.forward(ps, new NDList(data.head()), false).head();
        double[] viaSemantic = model.getSemanticHead().forward(ps, new NDList(features), false)
                .head().toDoubleArray();
        assertArrayEquals(viaSemantic, out.get(1).toDoubleArray(), 1e-12);
        // every parameter is listed once, the backbone's inside the mask net's encoder
        long total = PathfinderModels.countParameters(model);
        assertEquals(PathfinderModels.countParameters(maskNet)
                + PathfinderModels.countParameters(model.getSemanticHead()), total);
        assertTrue(model.getParameters().keys().stream().anyMatch(k -> k.contains("backbone")));
    }

    @Test
    void buildersRefuseBadSettings() {
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> FeedforwardMaskHead.builder().build()), "setClasses");
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> RecurrentMaskHead.builder().build()), "setClasses");
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> SemanticHead.builder().build()), "setStuffClasses");
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> InstanceBackbone.builder().optStride(3).build()), "stride");
        InstanceBackbone backbone = InstanceBackbone.builder().optStride(4).build();
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> RecurrentMaskHead.builder().setClasses(2).optRoiFeatures(backbone,
                        RoiAlign.builder().setOutputSize(4).optSpatialScale(0.5).build())
                        .build()), "stride 4");
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> RecurrentMaskHead.builder().setClasses(2).optInputChannels(8)
                        .optRoiFeatures(backbone, RoiAlign.builder().setOutputSize(4)
                                .optSpatialScale(0.25).build()).build()),
                "the backbone gives 16 channels");
        RecurrentNet plain = RecurrentMaskHead.builder().setClasses(2).build();
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> InstanceSegmentationModel.builder().setMaskNet(plain)
                        .setSemanticHead(SemanticHead.builder().setStuffClasses(1).build())
                        .build()), "RoiFeatureEncoder");
    }
}
