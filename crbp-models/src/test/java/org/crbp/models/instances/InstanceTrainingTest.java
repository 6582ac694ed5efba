/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.models.instances;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;

import org.crbp.core.GradientMethod;
import org.crbp.core.GradientMethods;
import org.crbp.core.RecurrentNet;
import org.crbp.core.StepResult;
import org.crbp.core.check.GradientCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Training the instance blocks: the backbone's gradient through the recurrent head under BPTT
 * against central differences (float64), the semantic and mask gradients adding up in the
 * backbone, every gradient method lowering the recurrent head's mask loss, and the whole model
 * trained with C-RBP.
 */
class InstanceTrainingTest {

    private static final Shape IMAGES = new Shape(2, 1, 8, 8);
    private static final int CLASSES = 2;

    private NDManager manager;

    @BeforeEach
    void setUp() {
        Engine.getInstance().setRandomSeed(17);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    /**
     * A tiny model: 2-channel backbone at stride 2, 2×2 ROIs, a 2-channel hGRU run 2 steps. Two
     * settings make the gradients large enough to measure: the backbone's biases start at 0.5,
     * so that no ReLU is off everywhere (with 2 channels a freshly drawn backbone can output
     * zeros, and then every backbone gradient is 0), and the update gate's floor is 0.5 (the
     * reference's gate starts near 0.02, and the drive then moves the mask logits by about
     * 1e-6).
     */
    private InstanceSegmentationModel tinyModel(DataType type) {
        InstanceBackbone backbone = InstanceBackbone.builder().optInputChannels(1).optChannels(2)
                .optStride(2).build();
        RoiAlign align = RoiAlign.builder().setOutputSize(2)
                .optSpatialScale(backbone.getSpatialScale()).build();
        RecurrentNet maskNet = RecurrentMaskHead.builder().setClasses(CLASSES).optChannels(2)
                .optInputChannels(2).optRoiFeatures(backbone, align).optSteps(2)
                .optUpdateGateFloor(0.5).build();
        InstanceSegmentationModel model = InstanceSegmentationModel.builder().setMaskNet(maskNet)
                .setSemanticHead(SemanticHead.builder().setStuffClasses(2).optInputChannels(2)
                        .optStride(2).build()).build();
        model.initialize(manager, type, IMAGES, new Shape(3, 4), new Shape(3));
        for (Pair<String, Parameter> p : backbone.getParameters()) {
            if (p.getKey().endsWith("bias")) {
                p.getValue().getArray().set(new NDIndex(":"), 0.5);
            }
        }
        return model;
    }

    private NDArray random(Shape shape, long seed) {
        Random random = new Random(seed);
        double[] values = new double[(int) shape.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble();
        }
        return manager.create(values, shape);
    }

    private NDList tinyData() {
        return new NDList(random(IMAGES, 1),
                manager.create(new double[] {0, 0, 8, 8, 2, 1, 7, 6, 1, 3, 6, 8}, new Shape(3, 4)),
                manager.create(new long[] {0, 0, 1}));
    }

    private NDList tinyMaskLabels() {
        NDArray targets = random(new Shape(3, 4, 4), 2).gt(0.5).toType(DataType.FLOAT64, false);
        return new NDList(targets, manager.create(new long[] {1, 0, 1}));
    }

    private NDArray tinySemanticLabels() {
        return random(new Shape(2, 8, 8), 3).mul(3).floor().toType(DataType.INT64, false);
    }

    @Test
    void backboneGradientThroughTheRecurrentHeadEqualsFiniteDifferences() {
        InstanceSegmentationModel model = tinyModel(DataType.FLOAT64);
        RecurrentNet maskNet = model.getMaskNet();
        ParameterStore ps = new ParameterStore(manager, false);
        NDList data = tinyData();
        NDList labels = tinyMaskLabels();
        MaskLoss loss = new MaskLoss();
        Map<String, double[]> analytic = GradientCheck.gradients(maskNet,
                GradientMethods.bptt(2), ps, data, labels, loss);
        // a step of 1e-4: the backbone's gradients are about 1e-5 in norm, and the rounding
        // noise of a 1e-6 step (1e-10 per element) would be 1e-5 of them; the truncation error
        // of 1e-4 is about 1e-7 of them
        Map<String, double[]> numeric = GradientCheck.lossFiniteDifferences(maskNet, ps, data,
                labels, loss, 2, 1e-4);
        assertEquals(numeric.keySet(), analytic.keySet());
        int encoderParameters = 0;
        for (String name : numeric.keySet()) {
            if (name.contains("encoder")) {
                // the backbone and the drive's 1×1 convolution: the gradient under test
                encoderParameters++;
                double error = GradientCheck.relativeError(analytic.get(name), numeric.get(name));
                assertTrue(GradientCheck.norm(numeric.get(name)) > 1e-6,
                        name + " should have a gradient; norms " + norms(numeric));
                assertTrue(error < 1e-6, name + ": relative error " + error);
            } else {
                // the cell's gates are nearly saturated at their reference start: below 1e-6
                // the comparison is absolute
                double error = GradientCheck.relativeError(analytic.get(name), numeric.get(name),
                        1e-6);
                assertTrue(error < 1e-4, name + ": relative error " + error);
            }
        }
        // stem and down1 (weight and bias each) and the drive's 1×1 convolution
        assertEquals(6, encoderParameters);
    }

    private static String norms(Map<String, double[]> gradients) {
        StringBuilder text = new StringBuilder();
        gradients.forEach((k, v) -> text.append(k).append('=').append(GradientCheck.norm(v))
                .append(' '));
        return text.toString();
    }

    static Stream<Arguments> methodsForTheSum() {
        Supplier<GradientMethod> bptt = () -> GradientMethods.bptt(2);
        Supplier<GradientMethod> crbp = () -> GradientMethods.crbp(2, 5, 0.9f, 1f);
        return Stream.of(Arguments.of("BPTT", bptt), Arguments.of("C-RBP", crbp));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methodsForTheSum")
    void theBackboneSumsTheSemanticAndMaskGradients(String name,
            Supplier<GradientMethod> method) {
        InstanceSegmentationModel model = tinyModel(DataType.FLOAT64);
        ParameterStore ps = new ParameterStore(manager, false);
        NDList data = tinyData();
        NDList maskLabels = tinyMaskLabels();
        NDArray semanticLabels = tinySemanticLabels();

        zeroGradients(model);
        InstanceStepResult step = model.forwardBackward(method.get(), ps, data, maskLabels,
                semanticLabels);
        assertTrue(Float.isFinite(step.getTotalLoss()));
        Map<String, double[]> both = backboneGradients(model);

        zeroGradients(model);
        float semanticLoss = model.semanticForwardBackward(ps, data.head(), semanticLabels);
        assertEquals(step.getSemanticLoss(), semanticLoss, 0);
        Map<String, double[]> semantic = backboneGradients(model);

        zeroGradients(model);
        StepResult mask = method.get().forwardBackward(model.getMaskNet(), ps, data, maskLabels,
                model.getMaskLoss());
        assertEquals(step.getMaskLoss(), mask.loss(), 0);
        Map<String, double[]> maskOnly = backboneGradients(model);

        assertEquals(4, both.size(), "stem and down1, weight and bias");
        for (String key : both.keySet()) {
            double[] sum = semantic.get(key).clone();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += maskOnly.get(key)[i];
            }
            assertTrue(GradientCheck.norm(semantic.get(key)) > 1e-8, key + ": no semantic part");
            assertTrue(GradientCheck.norm(maskOnly.get(key)) > 1e-8, key + ": no mask part");
            double error = GradientCheck.relativeError(both.get(key), sum);
            assertTrue(error < 1e-10, name + " " + key + ": the step's gradient is not the sum,"
                    + " relative error " + error);
        }
    }

    @Test
    void aTrainingStepLeavesNoArrayBehind() {
        InstanceSegmentationModel model = tinyModel(DataType.FLOAT64);
        ParameterStore ps = new ParameterStore(manager, false);
        NDList data = tinyData();
        NDList maskLabels = tinyMaskLabels();
        NDArray semanticLabels = tinySemanticLabels();
        GradientMethod method = GradientMethods.crbp(2, 5, 0.9f, 1f);
        // the first step may create what lives as long as the model (gradient buffers)
        InstanceStepResult first = model.forwardBackward(method, ps, data, maskLabels,
                semanticLabels);
        first.getMaskStep().predictions().close();
        first.getSemanticLogits().close();
        int before = manager.getManagedArrays().size();
        for (int i = 0; i < 3; i++) {
            // what the step returns (the mask and semantic logits) is the caller's to close
            InstanceStepResult r = model.forwardBackward(method, ps, data, maskLabels,
                    semanticLabels);
            r.getMaskStep().predictions().close();
            r.getSemanticLogits().close();
            model.forward(ps, data, false).close();
        }
        assertEquals(before, manager.getManagedArrays().size(),
                "arrays left in the data's manager by three steps and forwards");
    }

    private static void zeroGradients(Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray array = p.getValue().getArray();
            if (array.hasGradient()) {
                try (NDArray g = array.getGradient()) {
                    g.subi(g);
                }
            }
        }
    }

    private static Map<String, double[]> backboneGradients(InstanceSegmentationModel model) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : model.getBackbone().getParameters()) {
            try (NDArray g = p.getValue().getArray().getGradient()) {
                out.put(p.getKey(), g.toDoubleArray());
            }
        }
        return out;
    }

    static Stream<Arguments> methods() {
        int steps = 4;
        return Stream.of(
                Arguments.of("BPTT", GradientMethods.bptt(steps)),
                Arguments.of("TBPTT", GradientMethods.truncatedBptt(steps, 2)),
                Arguments.of("RBP", GradientMethods.rbp(steps, 4)),
                Arguments.of("C-BPTT", GradientMethods.cbptt(steps, 0.9f, 1f)),
                Arguments.of("C-RBP", GradientMethods.crbp(steps, 4, 0.9f, 1f)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("methods")
    void everyMethodTrainsTheRecurrentHead(String name, GradientMethod method) {
        RecurrentNet head = RecurrentMaskHead.builder().setClasses(CLASSES).optInputChannels(3)
                .optChannels(4).optSteps(4).build();
        Shape rois = new Shape(4, 3, 5, 5);
        MaskLoss loss = new MaskLoss();
        try (Model model = Model.newInstance("mask-head")) {
            model.setBlock(head);
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss).optOptimizer(
                    Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.05f)).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(rois);
                NDManager m = trainer.getManager();
                NDArray features = m.randomUniform(0f, 1f, rois);
                // a synthetic mask: where the first channel, upsampled 2×, is bright (30%)
                NDArray targets = features.get(":, 0").repeat(1, 2).repeat(2, 2).gt(0.7f)
                        .toType(DataType.FLOAT32, false);
                NDList data = new NDList(features);
                NDList labels = new NDList(targets, m.create(new int[] {0, 1, 1, 0}));
                ParameterStore ps = new ParameterStore(m, false);
                float first = Float.NaN;
                for (int i = 0; i < 8; i++) {
                    try (NDManager scope = m.newSubManager()) {
                        data.tempAttach(scope);
                        labels.tempAttach(scope);
                        StepResult r = method.forwardBackward(head, ps, data, labels, loss);
                        trainer.step();
                        assertTrue(Float.isFinite(r.loss()), name + " loss " + r.loss());
                        if (i == 0) {
                            first = r.loss();
                        }
                    }
                }
                try (NDManager scope = m.newSubManager()) {
                    data.tempAttach(scope);
                    labels.tempAttach(scope);
                    float after = loss.evaluate(labels, head.forward(ps, data, true)).getFloat();
                    assertTrue(after < 0.95f * first,
                            name + ": the mask loss should fall, first " + first + ", after "
                                    + after);
                }
            }
        }
    }

    @Test
    void crbpTrainsTheWholeModel() {
        Scene scene = Scene.draw(manager);
        InstanceBackbone backbone = InstanceBackbone.builder().optInputChannels(1).optChannels(4)
                .optStride(2).build();
        RoiAlign align = RoiAlign.builder().setOutputSize(4)
                .optSpatialScale(backbone.getSpatialScale()).build();
        RecurrentNet maskNet = RecurrentMaskHead.builder().setClasses(CLASSES).optChannels(4)
                .optInputChannels(4).optRoiFeatures(backbone, align).optSteps(6).build();
        InstanceSegmentationModel net = InstanceSegmentationModel.builder().setMaskNet(maskNet)
                .setSemanticHead(SemanticHead.builder().setStuffClasses(2).optInputChannels(4)
                        .optStride(2).build()).build();
        GradientMethod method = GradientMethods.crbp(6, 5, 0.9f, 1f);
        try (Model model = Model.newInstance("instances")) {
            model.setBlock(net);
            DefaultTrainingConfig config = new DefaultTrainingConfig(new MaskLoss()).optOptimizer(
                    Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.02f)).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(scene.data.getShapes());
                ParameterStore ps = new ParameterStore(trainer.getManager(), false);
                float first = Float.NaN;
                float last = Float.NaN;
                for (int i = 0; i < 10; i++) {
                    try (NDManager scope = manager.newSubManager()) {
                        scene.data.tempAttach(scope);
                        scene.maskLabels.tempAttach(scope);
                        InstanceStepResult r = net.forwardBackward(method, ps, scene.data,
                                scene.maskLabels, scene.semanticLabels);
                        trainer.step();
                        if (i == 0) {
                            first = r.getTotalLoss();
                        }
                        last = r.getTotalLoss();
                    }
                }
                assertTrue(last < 0.9f * first,
                        "the total loss should fall: first " + first + ", last " + last);
            }
        }
    }

    /**
     * Two 16×16 images: stuff 0 above, stuff 1 below, and on it a disc (class 0) and a square
     * (class 1), each its own instance; the semantic labels mark them "thing" (2).
     */
    private static final class Scene {
        final NDList data;
        final NDList maskLabels;
        final NDArray semanticLabels;

        private Scene(NDList data, NDList maskLabels, NDArray semanticLabels) {
            this.data = data;
            this.maskLabels = maskLabels;
            this.semanticLabels = semanticLabels;
        }

        static Scene draw(NDManager manager) {
            int size = 16;
            double[][] boxes = {{1, 2, 9, 10}, {9, 6, 15, 12}, {6, 1, 14, 9}, {2, 8, 8, 14}};
            long[] image = {0, 0, 1, 1};
            long[] classes = {0, 1, 1, 0};
            double[] pixels = new double[2 * size * size];
            long[] semantic = new long[2 * size * size];
            double[] masks = new double[boxes.length * size * size];
            for (int n = 0; n < 2; n++) {
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        boolean below = y >= size / 2;
                        pixels[(n * size + y) * size + x] = below ? 0.4 : 0.1;
                        semantic[(n * size + y) * size + x] = below ? 1 : 0;
                    }
                }
            }
            for (int b = 0; b < boxes.length; b++) {
                double[] box = boxes[b];
                double cx = (box[0] + box[2]) / 2;
                double cy = (box[1] + box[3]) / 2;
                double radius = (box[2] - box[0]) / 2;
                for (int y = (int) box[1]; y < box[3]; y++) {
                    for (int x = (int) box[0]; x < box[2]; x++) {
                        double dx = x + 0.5 - cx;
                        double dy = y + 0.5 - cy;
                        boolean inside = classes[b] == 1 || dx * dx + dy * dy <= radius * radius;
                        if (inside) {
                            int at = (int) ((image[b] * size + y) * size + x);
                            pixels[at] = 1;
                            semantic[at] = 2;
                            masks[(b * size + y) * size + x] = 1;
                        }
                    }
                }
            }
            double[] flatBoxes = new double[4 * boxes.length];
            for (int b = 0; b < boxes.length; b++) {
                System.arraycopy(boxes[b], 0, flatBoxes, 4 * b, 4);
            }
            NDArray boxArray = manager.create(flatBoxes, new Shape(boxes.length, 4));
            NDArray targets = RoiAlign.maskTargets(
                    manager.create(masks, new Shape(boxes.length, size, size)), boxArray, 8, 2)
                    .toType(DataType.FLOAT32, false);
            NDList data = new NDList(
                    manager.create(pixels, new Shape(2, 1, size, size))
                            .toType(DataType.FLOAT32, false),
                    boxArray.toType(DataType.FLOAT32, false), manager.create(image));
            return new Scene(data, new NDList(targets, manager.create(classes)),
                    manager.create(semantic, new Shape(2, size, size)));
        }
    }
}
