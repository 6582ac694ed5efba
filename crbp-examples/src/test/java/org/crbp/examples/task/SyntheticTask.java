/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.loss.Loss;

import org.crbp.examples.config.RunConfig;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A second task, as small as a task can be: the mean brightness of a 4x4 image, regressed by
 * one linear layer and scored by the mean absolute error. It proves that a task plugs into the
 * run layer without touching it.
 */
final class SyntheticTask implements Task {

    static final String NAME = "brightness";
    private static final int SIDE = 4;

    private final NDManager manager = NDManager.newBaseManager();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void checkData(RunConfig c) {}

    @Override
    public Dataset trainingSet(RunConfig c, int epoch, int skipBatches) {
        return images(c.seed * 31 + epoch, c.trainSize, c.batch);
    }

    @Override
    public Dataset evaluationSet(RunConfig c, String preset, Split split, int size) {
        return images(c.seed * 31 + 1000 + split.ordinal(), size, c.batch);
    }

    private Dataset images(long seed, int n, int batch) {
        Random random = new Random(seed);
        float[] pixels = new float[n * SIDE * SIDE];
        float[] means = new float[n];
        for (int i = 0; i < n; i++) {
            float sum = 0;
            for (int j = 0; j < SIDE * SIDE; j++) {
                pixels[i * SIDE * SIDE + j] = random.nextFloat();
                sum += pixels[i * SIDE * SIDE + j];
            }
            means[i] = sum / (SIDE * SIDE);
        }
        NDArray x = manager.create(pixels, new Shape(n, 1, SIDE, SIDE));
        NDArray y = manager.create(means, new Shape(n, 1));
        return new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(batch, false)
                .build();
    }

    @Override
    public Block model(RunConfig c, int steps) {
        return new SequentialBlock().add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(1).build());
    }

    @Override
    public Shape inputShape(RunConfig c) {
        return new Shape(c.batch, 1, SIDE, SIDE);
    }

    @Override
    public Loss loss(RunConfig c) {
        return Loss.l2Loss();
    }

    @Override
    public Evaluator trainingEvaluator() {
        return Loss.l1Loss("mae");
    }

    @Override
    public Scorer newScorer(RunConfig c) {
        return new AbsoluteError();
    }

    @Override
    public Metrics trainingMetrics(Scorer training) {
        return Metrics.EMPTY.with("trainMae", ((AbsoluteError) training).mean());
    }

    @Override
    public Metrics validationMetrics(Scorer validation, double loss) {
        return Metrics.EMPTY.with("validationMae", ((AbsoluteError) validation).mean())
                .with("validationLoss", loss);
    }

    @Override
    public List<String> epochMetricNames() {
        return List.of("trainMae", "validationMae", "validationLoss");
    }

    @Override
    public String selectionMetric() {
        return "validationMae";
    }

    @Override
    public List<String> batchMetricNames() {
        return List.of("batchMae");
    }

    @Override
    public Metrics batchMetrics(Scorer batch) {
        return Metrics.EMPTY.with("batchMae", ((AbsoluteError) batch).mean());
    }

    @Override
    public String epochSummary(Metrics epoch) {
        return String.format(Locale.ROOT, ", training MAE %.4f, validation MAE %.4f",
                epoch.get("trainMae"), epoch.get("validationMae"));
    }

    @Override
    public Map<String, Object> testReport(Scorer test) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mae", ((AbsoluteError) test).mean());
        return m;
    }

    @Override
    public String testSummary(Scorer test) {
        return String.format(Locale.ROOT, "MAE %.4f", ((AbsoluteError) test).mean());
    }

    @Override
    public void drawPictures(Block block, NDManager m, RunConfig c, TrainingHistory history,
            Path out, int analysisSteps, Map<String, Object> report, PrintWriter console) {
        report.put("pictures", List.of());
    }

    /** The summed absolute error and the number of values. */
    static final class AbsoluteError implements Scorer {
        double error;
        long values;

        @Override
        public void add(NDList labels, NDList predictions) {
            try (NDArray d = labels.singletonOrThrow().sub(predictions.singletonOrThrow()).abs()) {
                error += d.sum().getFloat();
                values += d.size();
            }
        }

        double mean() {
            return values == 0 ? Double.NaN : error / values;
        }

        @Override
        public Map<String, Number> sums() {
            Map<String, Number> m = new LinkedHashMap<>();
            m.put("absoluteError", error);
            m.put("values", values);
            return m;
        }

        @Override
        public void restore(Map<String, Number> sums) {
            Number e = sums.get("absoluteError");
            Number v = sums.get("values");
            error = e == null ? 0 : e.doubleValue();
            values = v == null ? 0 : v.longValue();
        }
    }
}
