/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.library;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingResult;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.evaluator.BinaryAccuracy;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.SigmoidBinaryCrossEntropyLoss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.PairList;

import org.crbp.core.Convolutions;
import org.crbp.core.GradientMethods;
import org.crbp.core.RecurrentCell;
import org.crbp.core.RecurrentNet;
import org.crbp.core.training.CrbpTrain;
import org.crbp.core.training.DiagnosticsListener;

import java.util.ArrayDeque;
import java.util.Random;

/**
 * A custom recurrent cell trained with C-RBP, using crbp-core and DJL only: which pixels of a
 * random maze are connected to the marked one? Spreading the mark takes many steps of a local
 * rule, the kind of problem a recurrent CNN solves and a shallow feedforward one does not.
 *
 * <pre>
 * mvn -q -pl crbp-examples -am compile exec:java
 * </pre>
 */
public final class CustomCellExample {

    private CustomCellExample() {}

    /**
     * One step {@code h' = h + sigmoid(r) (tanh(W * h + x) - h)}: the state moves towards a
     * convolution of itself plus the drive {@code x}, at a learned per-channel rate.
     */
    public static final class SpreadCell extends RecurrentCell {
        private final Parameter weight;
        private final Parameter rate;

        /** @param channels the number of state channels, equal to the encoder's */
        public SpreadCell(int channels) {
            weight = addParameter(Parameter.builder().setName("weight")
                    .setType(Parameter.Type.WEIGHT).optShape(new Shape(channels, channels, 3, 3))
                    .optInitializer(new NormalInitializer(0.05f)).build());
            rate = addParameter(Parameter.builder().setName("rate")
                    .setType(Parameter.Type.OTHER).optShape(new Shape(channels, 1, 1))
                    .optInitializer(new ConstantInitializer(0f)).build());
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
            NDArray x = inputs.get(0); // the drive, computed once by the encoder
            NDArray h = inputs.get(1); // the state
            NDArray w = ps.getValue(weight, x.getDevice(), training);
            NDArray a = Activation.sigmoid(ps.getValue(rate, x.getDevice(), training));
            NDArray spread = Convolutions.same(h, w, null); // guarded on the CPU
            // only NDArray operands: a Number operand such as h.mul(0.5f) breaks the gradient
            return new NDList(h.add(Activation.tanh(spread.add(x)).sub(h).mul(a)));
        }
    }

    /**
     * Trains the cell for a few epochs and prints the validation loss and pixel accuracy.
     *
     * @param args ignored
     * @throws Exception if training fails
     */
    public static void main(String[] args) throws Exception {
        // seeds the initialisation and the batch order: the same figures on every run
        Engine.getInstance().setRandomSeed(1);
        TrainingResult result = train(4, 256);
        System.out.printf("validation: loss %.4f, pixel accuracy %.3f%n",
                result.getValidateLoss(), result.getValidateEvaluation("accuracy"));
    }

    /**
     * Builds the network and trains it with C-RBP.
     *
     * @param epochs the number of epochs
     * @param images the number of training images (a quarter of that for validation)
     * @return the trainer's result after the last epoch
     * @throws Exception if training fails
     */
    public static TrainingResult train(int epochs, int images) throws Exception {
        int steps = 16;
        int channels = 16; // whole 16-blocks: see docs/models.md on the CPU convolution's NaNs
        int size = 16;
        int batch = 16;
        RecurrentNet net = RecurrentNet.builder()
                .setEncoder(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(channels)
                        .optPadding(new Shape(1, 1)).build())
                .setCell(new SpreadCell(channels))
                .setReadout(Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(1).build())
                .optSteps(steps) // the same T as the gradient method's below
                .build();
        try (Model model = Model.newInstance("spread")) {
            model.setBlock(net);
            NDManager manager = model.getNDManager();
            ArrayDataset train = mazes(manager, images, size, batch, 1);
            ArrayDataset validation = mazes(manager, images / 4, size, batch, 2);
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(new SigmoidBinaryCrossEntropyLoss())
                            .optOptimizer(Optimizer.adam()
                                    .optLearningRateTracker(Tracker.fixed(0.01f)).build())
                            .addEvaluator(new BinaryAccuracy("accuracy", 0f))
                            .addTrainingListeners(TrainingListener.Defaults.basic())
                            .addTrainingListeners(new DiagnosticsListener()); // one line an epoch
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(batch, 2, size, size));
                // C-RBP: T steps, at most 15 Neumann terms, lambda 0.9, penalty weight 10
                CrbpTrain.fit(trainer, epochs, train, validation,
                        GradientMethods.crbp(steps, 15, 0.9f, 10f));
                return trainer.getTrainingResult();
            }
        }
    }

    /**
     * Random mazes: channel 0 holds open pixels (60% of them), channel 1 marks one open pixel;
     * the label is 1 on every open pixel connected to the mark (4-neighbours), 0 elsewhere.
     */
    static ArrayDataset mazes(NDManager manager, int count, int size, int batch, long seed) {
        Random random = new Random(seed);
        int area = size * size;
        float[] images = new float[count * 2 * area];
        float[] labels = new float[count * area];
        for (int n = 0; n < count; n++) {
            int mark;
            do {
                for (int i = 0; i < area; i++) {
                    images[n * 2 * area + i] = random.nextFloat() < 0.6f ? 1 : 0;
                }
                mark = random.nextInt(area);
            } while (images[n * 2 * area + mark] == 0);
            images[n * 2 * area + area + mark] = 1;
            ArrayDeque<Integer> todo = new ArrayDeque<>();
            todo.add(mark);
            labels[n * area + mark] = 1;
            while (!todo.isEmpty()) {
                int i = todo.poll();
                int[] next = {i % size > 0 ? i - 1 : -1, i % size < size - 1 ? i + 1 : -1,
                    i - size, i + size};
                for (int j : next) {
                    if (j >= 0 && j < area && images[n * 2 * area + j] == 1
                            && labels[n * area + j] == 0) {
                        labels[n * area + j] = 1;
                        todo.add(j);
                    }
                }
            }
        }
        return new ArrayDataset.Builder()
                .setData(manager.create(images, new Shape(count, 2, size, size)))
                .optLabels(manager.create(labels, new Shape(count, 1, size, size)))
                .setSampling(batch, true)
                .build();
    }
}
