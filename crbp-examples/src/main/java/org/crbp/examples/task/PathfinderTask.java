/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.task;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.dataset.BatchSampler;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;
import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.loss.Loss;

import org.crbp.core.RecurrentNet;
import org.crbp.examples.CliException;
import org.crbp.examples.analysis.Charts;
import org.crbp.examples.analysis.Pictures;
import org.crbp.examples.analysis.Scores;
import org.crbp.examples.config.RunConfig;
import org.crbp.examples.pathfinder.PathfinderConfig;
import org.crbp.examples.pathfinder.PathfinderDataset;
import org.crbp.examples.pathfinder.PathfinderGenerator;
import org.crbp.examples.pathfinder.PathfinderPreset;
import org.crbp.models.FocalDiceLoss;
import org.crbp.models.FocalLoss;
import org.crbp.models.HgruCell;
import org.crbp.models.PathfinderModels;
import org.crbp.models.SegmentationEvaluator;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * Pathfinder contour segmentation (the paper's task): generated or stored images of a preset,
 * the per-pixel readout of {@link PathfinderModels}, focal (or focal plus Dice) loss, and the
 * foreground confusion counts behind F1 and IoU. An epoch records {@code trainF1}, {@code
 * validationF1}, {@code validationIoU} and {@code validationLoss}; the validation IoU selects the
 * best checkpoint.
 */
public final class PathfinderTask implements Task {

    /** The task's name. */
    public static final String NAME = "pathfinder";
    /** The epoch's F1 on its training batches. */
    public static final String TRAIN_F1 = "trainF1";
    /** The epoch's F1 on the validation images. */
    public static final String VALIDATION_F1 = "validationF1";
    /** The epoch's IoU (F1 / (2 - F1)) on the validation images. */
    public static final String VALIDATION_IOU = "validationIoU";
    /** The epoch's loss on the validation images. */
    public static final String VALIDATION_LOSS = "validationLoss";

    /** Creates the task. */
    public PathfinderTask() {}

    /** {@inheritDoc} */
    @Override
    public String name() {
        return NAME;
    }

    /** {@inheritDoc} */
    @Override
    public void checkData(RunConfig c) {
        evaluationSet(c, null, Split.VALIDATION, c.validationSize);
        evaluationSet(c, null, Split.TEST, c.testSize);
        trainingSet(c, 0, 0);
    }

    /** {@inheritDoc} */
    @Override
    public PathfinderDataset trainingSet(RunConfig c, int epoch, int skipBatches) {
        long epochSeed = PathfinderGenerator.mix(c.seed, 1_000_003L + epoch);
        PathfinderDataset.Builder b =
                base(c, c.presetValue(), PathfinderDataset.Split.TRAIN, c.trainSize)
                        .optRandomFlips(true)
                        .optFlipSeed(epochSeed);
        int length = c.contourLength(epoch);
        if (c.data == null && length != c.presetValue().config().getContourLength()) {
            b.optPreset(null).optConfig(c.presetValue().withContourLength(length));
        }
        if (c.freshData && c.data == null) {
            // new images every epoch, disjoint in seed from validation and test
            b.optSeed(PathfinderGenerator.mix(c.seed, 2_000_003L + epoch));
        }
        Sampler batches = new BatchSampler(new Shuffle(epochSeed), c.batch, true);
        b.setSampling(skipBatches == 0 ? batches : new Skip(batches, skipBatches));
        return build(b);
    }

    /** {@inheritDoc} */
    @Override
    public PathfinderDataset evaluationSet(RunConfig c, String preset, Split split, int size) {
        PathfinderPreset p = preset == null ? c.presetValue() : RunConfig.preset(preset);
        return evaluationSet(c, p, split == Split.TEST ? PathfinderDataset.Split.TEST
                : PathfinderDataset.Split.VALIDATION, size);
    }

    /**
     * A fixed, unflipped evaluation set of a preset.
     *
     * @param c the configuration (seed, data folder, batch)
     * @param preset the preset
     * @param split validation or test
     * @param size the number of images
     * @return the dataset
     */
    public static PathfinderDataset evaluationSet(RunConfig c, PathfinderPreset preset,
            PathfinderDataset.Split split, int size) {
        PathfinderDataset.Builder b = base(c, preset, split, size);
        b.setSampling(c.batch, false, false);
        return build(b);
    }

    private static PathfinderDataset.Builder base(
            RunConfig c, PathfinderPreset preset, PathfinderDataset.Split split, int size) {
        PathfinderDataset.Builder b = PathfinderDataset.builder().optPreset(preset).setSize(size);
        if (c.data != null) {
            Path dir = Paths.get(c.data).resolve(split.name().toLowerCase(Locale.ROOT));
            if (!Files.isDirectory(dir)) {
                throw new CliException(
                        "data folder " + c.data + " has no " + dir.getFileName()
                                + "/ folder (write one with: crbp generate --preset " + preset
                                + " --out " + c.data + ")");
            }
            b.optFolder(dir);
        } else {
            b.optSeed(c.seed).optSplit(split);
        }
        return b;
    }

    private static PathfinderDataset build(PathfinderDataset.Builder b) {
        try {
            return b.build();
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new CliException(e.getMessage());
        }
    }

    /** {@inheritDoc} */
    @Override
    public Block model(RunConfig c, int steps) {
        switch (c.model) {
            case HGRU:
                return PathfinderModels.hgru(c.kernel, c.channels, steps,
                        "chronos".equals(c.gateInit) ? HgruCell.GateInit.CHRONOS
                                : HgruCell.GateInit.REFERENCE, c.gateFloor);
            case CONVLSTM:
                return PathfinderModels.convLstm(c.kernel, c.channels, steps);
            case FF:
                return PathfinderModels.feedforward(c.kernel, c.channels);
            default:
                throw new CliException("unknown model '" + c.model + "'");
        }
    }

    /** {@inheritDoc} */
    @Override
    public Shape inputShape(RunConfig c) {
        PathfinderConfig images = c.presetValue().config();
        return new Shape(c.batch, 1, images.getOutputHeight(), images.getOutputWidth());
    }

    /** {@inheritDoc} */
    @Override
    public Loss loss(RunConfig c) {
        return "focal-dice".equals(c.loss) ? new FocalDiceLoss(c.diceWeight) : new FocalLoss();
    }

    /** {@inheritDoc} */
    @Override
    public Evaluator trainingEvaluator() {
        return SegmentationEvaluator.f1();
    }

    /** {@inheritDoc} */
    @Override
    public Scorer newScorer(RunConfig c) {
        return new Counts();
    }

    /** {@inheritDoc} */
    @Override
    public Metrics trainingMetrics(Scorer training) {
        return Metrics.EMPTY.with(TRAIN_F1, scores(training).f1());
    }

    /** {@inheritDoc} */
    @Override
    public Metrics validationMetrics(Scorer validation, double loss) {
        Scores s = scores(validation);
        return Metrics.EMPTY.with(VALIDATION_F1, s.f1()).with(VALIDATION_IOU, s.iou())
                .with(VALIDATION_LOSS, loss);
    }

    /** {@inheritDoc} */
    @Override
    public List<String> epochMetricNames() {
        return List.of(TRAIN_F1, VALIDATION_F1, VALIDATION_IOU, VALIDATION_LOSS);
    }

    /** {@inheritDoc} */
    @Override
    public String selectionMetric() {
        return VALIDATION_IOU;
    }

    /** {@inheritDoc} */
    @Override
    public String selectionMetricLabel() {
        return "IoU";
    }

    /** {@inheritDoc} */
    @Override
    public String epochSummary(Metrics epoch) {
        return String.format(Locale.ROOT,
                ", training F1 %.3f, validation loss %.4f F1 %.4f IoU %.4f",
                epoch.get(TRAIN_F1), epoch.get(VALIDATION_LOSS), epoch.get(VALIDATION_F1),
                epoch.get(VALIDATION_IOU));
    }

    /** {@inheritDoc} */
    @Override
    public Map<String, Object> testReport(Scorer test) {
        return scores(test).toMap();
    }

    /** {@inheritDoc} */
    @Override
    public String testSummary(Scorer test) {
        return scores(test).toString();
    }

    /**
     * Returns a scorer's foreground metrics.
     *
     * @param scorer a scorer of this task
     * @return the metrics of its summed counts
     */
    public static Scores scores(Scorer scorer) {
        Scores s = new Scores();
        s.add(((Counts) scorer).counts.clone());
        return s;
    }

    /** {@inheritDoc} */
    @Override
    public void drawPictures(Block block, NDManager manager, RunConfig c, TrainingHistory history,
            Path out, int analysisSteps, Map<String, Object> report, PrintWriter console)
            throws IOException {
        List<String> written = new ArrayList<>();
        String name = c.preset + ", " + c.model + " " + c.methodLabel()
                + (c.recurrent() ? " T=" + c.steps : "");
        if (history.size() > 0) {
            Charts.trainingCurves(history.epochs(), history.losses(), history.penalties(),
                    history.metric(TRAIN_F1), history.metric(VALIDATION_F1), name,
                    out.resolve(Pictures.CURVES));
            written.add(Pictures.CURVES);
        }
        if (block instanceof RecurrentNet) {
            RecurrentNet net = (RecurrentNet) block;
            int last = analysisSteps > 0 ? analysisSteps : Pictures.defaultAnalysisSteps(c.steps);
            PathfinderDataset small = evaluationSet(c, c.presetValue(),
                    PathfinderDataset.Split.TEST, Math.min(c.testSize, 2 * c.batch));
            Map<String, Object> ex = Pictures.extrapolation(net, manager, small, last);
            Map<String, double[]> series = new LinkedHashMap<>();
            series.put(c.preset, (double[]) ex.get("f1"));
            Charts.extrapolation((double[]) ex.get("steps"), series, c.steps,
                    "Readout at every step (" + name + ")", out.resolve(Pictures.EXTRAPOLATION));
            report.put("extrapolation", ex);
            written.add(Pictures.EXTRAPOLATION);
            Pictures.timeCourseAndStateSpace(net, manager, c.steps, small, last, name, out,
                    report);
            written.add(Pictures.TIME_COURSE);
            written.add(Pictures.STATE_SPACE);
        }
        report.put("pictures", written);
        console.println("Pictures: " + String.join(", ", written) + " in " + out);
    }

    /** Foreground confusion counts {tp, fp, fn, tn}, summed over batches. */
    private static final class Counts implements Scorer {
        private static final String[] NAMES = {"tp", "fp", "fn", "tn"};
        private final long[] counts = new long[4];

        @Override
        public void add(NDList labels, NDList predictions) {
            long[] batch = SegmentationEvaluator.confusion(labels, predictions);
            for (int i = 0; i < counts.length; i++) {
                counts[i] += batch[i];
            }
        }

        @Override
        public Map<String, Number> sums() {
            Map<String, Number> m = new LinkedHashMap<>();
            for (int i = 0; i < NAMES.length; i++) {
                m.put(NAMES[i], counts[i]);
            }
            return m;
        }

        @Override
        public void restore(Map<String, Number> sums) {
            for (int i = 0; i < NAMES.length; i++) {
                Number v = sums == null ? null : sums.get(NAMES[i]);
                counts[i] = v == null ? 0 : v.longValue();
            }
        }
    }

    /** Leaves out the first batches of another sampler. */
    static final class Skip implements Sampler {

        private final Sampler inner;
        private final int skip;

        Skip(Sampler inner, int skip) {
            this.inner = inner;
            this.skip = skip;
        }

        /** {@inheritDoc} */
        @Override
        public Iterator<List<Long>> sample(RandomAccessDataset dataset) {
            Iterator<List<Long>> it = inner.sample(dataset);
            for (int i = 0; i < skip && it.hasNext(); i++) {
                it.next();
            }
            return it;
        }

        /** {@inheritDoc} */
        @Override
        public int getBatchSize() {
            return inner.getBatchSize();
        }
    }

    /** A seeded random permutation of the dataset's indices. */
    static final class Shuffle implements Sampler.SubSampler {

        private final long seed;

        Shuffle(long seed) {
            this.seed = seed;
        }

        /** {@inheritDoc} */
        @Override
        public Iterator<Long> sample(RandomAccessDataset dataset) {
            int n = Math.toIntExact(dataset.size());
            long[] order = new long[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Random random = new Random(seed);
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                long t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            return new Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return next < n;
                }

                @Override
                public Long next() {
                    if (next >= n) {
                        throw new NoSuchElementException();
                    }
                    return order[next++];
                }
            };
        }
    }
}
