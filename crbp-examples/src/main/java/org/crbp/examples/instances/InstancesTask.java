/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.loss.Loss;
import ai.djl.translate.Batchifier;
import ai.djl.util.Progress;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.crbp.core.GradientMethod;
import org.crbp.core.StepResult;
import org.crbp.examples.CliException;
import org.crbp.examples.ExitCode;
import org.crbp.examples.analysis.Charts;
import org.crbp.examples.analysis.Pictures;
import org.crbp.examples.config.ModelKind;
import org.crbp.examples.config.RunConfig;
import org.crbp.examples.pathfinder.BadDataFileException;
import org.crbp.examples.task.Metrics;
import org.crbp.examples.task.Scorer;
import org.crbp.examples.task.Task;
import org.crbp.examples.task.TrainingHistory;
import org.crbp.models.SameConv2d;
import org.crbp.models.instances.FeedforwardMaskHead;
import org.crbp.models.instances.InstanceBackbone;
import org.crbp.models.instances.InstanceSegmentationModel;
import org.crbp.models.instances.InstanceStepResult;
import org.crbp.models.instances.MaskLoss;
import org.crbp.models.instances.RecurrentMaskHead;
import org.crbp.models.instances.RoiAlign;
import org.crbp.models.instances.RoiFeatureEncoder;
import org.crbp.models.instances.SemanticHead;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.ExecutorService;

/**
 * Panoptic segmentation of the generated scenes ({@link SceneGenerator}) with an {@link
 * InstanceSegmentationModel}: a backbone shared by a semantic head (stuff) and a mask head per
 * instance, feedforward ({@code --head ff}) or the recurrent hGRU head ({@code --head hgru})
 * trained by a gradient method. The boxes come from the ground truth: there is no region
 * proposal network, so PQ measures the masks and the stuff, not detection.
 *
 * <p>Data: a folder with {@code train/}, {@code val/} and {@code test/} COCO panoptic splits
 * ({@code crbp generate --task instances}); a run reads the first {@code --train-size}, {@code
 * --val-size} and {@code --test-size} images of them. Loss: the semantic cross entropy (void
 * pixels add nothing) plus {@link MaskLoss}. An epoch records {@code trainLoss}, {@code
 * trainPq}, {@code pq}, {@code sq}, {@code rq} and {@code validationLoss}; PQ selects the best
 * checkpoint. Predictions become panoptic maps by {@link PanopticInference}.
 */
public final class InstancesTask implements Task {

    /** The task's name. */
    public static final String NAME = "instances";
    /** The training split's folder. */
    public static final String TRAIN = "train";
    /** The validation split's folder. */
    public static final String VALIDATION = "val";
    /** The test split's folder. */
    public static final String TEST = "test";
    /** The side of the ROI features; the masks are twice as large. */
    public static final int ROI_SIZE = 7;
    /** The side of the mask logits and targets. */
    public static final int MASK_SIZE = 2 * ROI_SIZE;
    /** The stride of the backbone. */
    public static final int STRIDE = 4;
    /** The epoch's mean training loss (mask + semantic). */
    public static final String TRAIN_LOSS = "trainLoss";
    /** The epoch's PQ on its training batches. */
    public static final String TRAIN_PQ = "trainPq";
    /** The validation PQ over all categories (selects the best checkpoint). */
    public static final String PQ = "pq";
    /** The validation SQ over all categories. */
    public static final String SQ = "sq";
    /** The validation RQ over all categories. */
    public static final String RQ = "rq";
    /** The validation loss. */
    public static final String VALIDATION_LOSS = "validationLoss";

    private static final Map<Path, PanopticData> CACHE = new LinkedHashMap<>();

    /** Creates the task. */
    public InstancesTask() {}

    /** {@inheritDoc} */
    @Override
    public String name() {
        return NAME;
    }

    /**
     * Reads a split of a data folder (once per process), as a one-line usage error when it is
     * missing or bad.
     *
     * @param c the configuration (its data folder)
     * @param split {@link #TRAIN}, {@link #VALIDATION} or {@link #TEST}
     * @return the split
     */
    public static PanopticData split(RunConfig c, String split) {
        Path dir = dataFolder(c).resolve(split);
        if (!Files.isDirectory(dir)) {
            throw new CliException("data folder " + c.data + " has no " + split + "/ folder"
                    + " (write one with: crbp generate --task instances --out " + c.data + ")");
        }
        synchronized (CACHE) {
            Path key = dir.toAbsolutePath().normalize();
            PanopticData d = CACHE.get(key);
            if (d == null) {
                try {
                    d = PanopticFolder.read(dir);
                } catch (BadDataFileException e) {
                    throw new CliException(e.getMessage(), ExitCode.USAGE, e);
                } catch (IOException e) {
                    throw new CliException("cannot read " + dir + ": " + e.getMessage(),
                            ExitCode.USAGE, e);
                }
                if (CACHE.size() > 8) {
                    CACHE.clear();
                }
                CACHE.put(key, d);
            }
            return d;
        }
    }

    private static Path dataFolder(RunConfig c) {
        if (c.data == null) {
            throw new CliException("the instances task needs --data DIR (write one with: crbp"
                    + " generate --task instances --out DIR)");
        }
        return Paths.get(c.data);
    }

    /** {@inheritDoc} */
    @Override
    public void checkData(RunConfig c) {
        trainingSet(c, 0, 0);
        evaluationSet(c, null, Split.VALIDATION, c.validationSize);
        evaluationSet(c, null, Split.TEST, c.testSize);
    }

    private static List<PanopticSample> first(RunConfig c, String split, int size,
            String option) {
        PanopticData d = split(c, split);
        if (size > d.size()) {
            throw new CliException("--" + option + " " + size + " is more than the " + d.size()
                    + " images of " + dataFolder(c).resolve(split) + "; pass --" + option + " "
                    + d.size() + " or less");
        }
        List<PanopticSample> samples = d.getSamples().subList(0, size);
        int side = samples.get(0).getWidth();
        for (PanopticSample s : samples) {
            if (s.getWidth() != side || s.getHeight() != side) {
                throw new CliException(dataFolder(c).resolve(split).resolve(
                        PanopticFolder.PANOPTIC_JSON) + ": image " + s.getImageId() + " is "
                        + s.getWidth() + "x" + s.getHeight() + ", the first is " + side + "x"
                        + side + "; the instances task needs one square size");
            }
        }
        return samples;
    }

    /** {@inheritDoc} */
    @Override
    public Dataset trainingSet(RunConfig c, int epoch, int skipBatches) {
        // checked where training starts, so that older ff runs still evaluate
        if (c.model == ModelKind.FF && c.kernel != RecurrentMaskHead.DEFAULT_KERNEL) {
            throw new CliException("--kernel " + c.kernel + " has no effect on the ff head (four"
                    + " 3x3 convolutions); leave it out or use --head hgru");
        }
        List<PanopticSample> samples = first(c, TRAIN, c.trainSize, "train-size");
        PanopticCategories categories = split(c, TRAIN).getCategories();
        int[] order = new int[samples.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Random random = new Random(c.seed * 1_000_003L + epoch);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return new Batches(samples, categories, order, c.batch, true, skipBatches);
    }

    /** {@inheritDoc} */
    @Override
    public Dataset evaluationSet(RunConfig c, String preset, Split split, int size) {
        String name = split == Split.TEST ? TEST : VALIDATION;
        List<PanopticSample> samples = first(c, name, size,
                split == Split.TEST ? "test-size" : "val-size");
        int[] order = new int[samples.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        return new Batches(samples, split(c, name).getCategories(), order, c.batch, false, 0);
    }

    /** The numbers of categories and the image side, from the training split's JSON alone. */
    private record Header(int things, int stuff, int side) {}

    private static Header header(RunConfig c) {
        Path json = dataFolder(c).resolve(TRAIN).resolve(PanopticFolder.PANOPTIC_JSON);
        try {
            JsonObject o = JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8))
                    .getAsJsonObject();
            int things = 0;
            int stuff = 0;
            for (JsonElement e : o.getAsJsonArray("categories")) {
                JsonElement isThing = e.getAsJsonObject().get("isthing");
                if (isThing != null && isThing.getAsInt() == 1) {
                    things++;
                } else {
                    stuff++;
                }
            }
            JsonArray images = o.getAsJsonArray("images");
            int side = images.get(0).getAsJsonObject().get("width").getAsInt();
            if (things == 0 || stuff == 0) {
                throw new CliException(json + ": the instances task needs thing and stuff"
                        + " categories, got " + things + " and " + stuff);
            }
            return new Header(things, stuff, side);
        } catch (IOException | RuntimeException e) {
            if (e instanceof CliException) {
                throw (CliException) e;
            }
            throw new CliException("cannot read " + json + ": " + e.getMessage(), ExitCode.USAGE,
                    e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public Block model(RunConfig c, int steps) {
        Header h = header(c);
        return buildModel(c, steps, h.things(), h.stuff());
    }

    /**
     * Builds the model {@link #model} builds, for data whose categories are known without a
     * data folder (scenes generated in memory).
     *
     * @param c the configuration (head, channels, kernel; its data folder is not read)
     * @param steps the mask head's steps (ignored by the ff head)
     * @param categories the data's categories
     * @return the model
     */
    public static Block model(RunConfig c, int steps, PanopticCategories categories) {
        return buildModel(c, steps, categories.things().size(), categories.stuff().size());
    }

    private static Block buildModel(RunConfig c, int steps, int things, int stuff) {
        InstanceBackbone backbone = InstanceBackbone.builder().optChannels(c.channels)
                .optStride(STRIDE).build();
        RoiAlign align = RoiAlign.builder().setOutputSize(ROI_SIZE)
                .optSpatialScale(backbone.getSpatialScale()).build();
        SemanticHead semantic = SemanticHead.builder().setStuffClasses(stuff)
                .optInputChannels(c.channels).optChannels(c.channels).optStride(STRIDE).build();
        InstanceSegmentationModel.Builder b = InstanceSegmentationModel.builder()
                .setSemanticHead(semantic).optSemanticLoss(new SemanticLoss());
        if (c.model == ModelKind.HGRU) {
            b.setMaskNet(RecurrentMaskHead.builder().setClasses(things)
                    .optChannels(c.channels).optKernel(c.kernel).optSteps(steps)
                    .optRoiFeatures(backbone, align)
                    .build());
        } else if (c.model == ModelKind.FF) {
            RoiFeatureEncoder encoder = RoiFeatureEncoder.builder().setBackbone(backbone)
                    .setRoiAlign(align).setProjection(SameConv2d.builder()
                            .setInChannels(c.channels).setOutChannels(c.channels).setKernel(1)
                            .build()).build();
            b.setFeedforwardMaskHead(encoder, FeedforwardMaskHead.builder()
                    .setClasses(things).optChannels(c.channels).build());
        } else {
            throw new CliException("the instances task's --head must be ff or hgru, got '"
                    + c.model + "'");
        }
        return b.build();
    }

    /** {@inheritDoc} */
    @Override
    public Shape inputShape(RunConfig c) {
        return inputShapes(c)[0];
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] inputShapes(RunConfig c) {
        return inputShapes(c.batch, header(c).side());
    }

    /**
     * Returns the shapes the model is initialized with: images, boxes, the boxes' images.
     *
     * @param batch the images per batch
     * @param side the images' side in pixels
     * @return {@code (batch, 3, side, side), (1, 4), (1)}
     */
    public static Shape[] inputShapes(int batch, int side) {
        return new Shape[] {new Shape(batch, 3, side, side), new Shape(1, 4), new Shape(1)};
    }

    /** {@inheritDoc} */
    @Override
    public Loss loss(RunConfig c) {
        return new PanopticLoss("panopticLoss");
    }

    /** {@inheritDoc} */
    @Override
    public Evaluator trainingEvaluator() {
        return new PanopticLoss("trainingLoss");
    }

    /** {@inheritDoc} */
    @Override
    public boolean trainsItsOwnSteps() {
        return true;
    }

    /** {@inheritDoc} */
    @Override
    public StepOutcome trainingStep(Block block, ParameterStore parameterStore, NDList data,
            NDList labels, GradientMethod method) {
        InstanceSegmentationModel model = (InstanceSegmentationModel) block;
        NDList maskLabels = new NDList(labels.get(1), labels.get(2));
        InstanceStepResult r = model.isRecurrent()
                ? model.forwardBackward(method, parameterStore, data, maskLabels, labels.get(0))
                : model.forwardBackward(parameterStore, data, maskLabels, labels.get(0));
        StepResult mask = r.getMaskStep();
        NDList predictions = new NDList(mask.predictions().head(), r.getSemanticLogits());
        return new StepOutcome(model.isRecurrent() ? mask : null, predictions);
    }

    /** {@inheritDoc} */
    @Override
    public Scorer newScorer(RunConfig c) {
        if (c == null) {
            throw new IllegalArgumentException("the instances task's scorer needs the run's"
                    + " configuration (its data folder's categories)");
        }
        return new Quality(split(c, TRAIN).getCategories());
    }

    /**
     * Returns a scorer of panoptic quality against the given categories.
     *
     * @param categories the data's categories
     * @return an empty scorer
     */
    public static Scorer newScorer(PanopticCategories categories) {
        return new Quality(categories);
    }

    /** {@inheritDoc} */
    @Override
    public String dataLabel(RunConfig c) {
        return c.data;
    }

    /** {@inheritDoc} */
    @Override
    public Metrics trainingMetrics(Scorer training) {
        Quality q = (Quality) training;
        return Metrics.EMPTY.with(TRAIN_LOSS, q.meanLoss()).with(TRAIN_PQ, q.average()[0]);
    }

    /** {@inheritDoc} */
    @Override
    public Metrics validationMetrics(Scorer validation, double loss) {
        double[] a = ((Quality) validation).average();
        return Metrics.EMPTY.with(PQ, a[0]).with(SQ, a[1]).with(RQ, a[2])
                .with(VALIDATION_LOSS, loss);
    }

    /** {@inheritDoc} */
    @Override
    public List<String> epochMetricNames() {
        return List.of(TRAIN_LOSS, TRAIN_PQ, PQ, SQ, RQ, VALIDATION_LOSS);
    }

    /** {@inheritDoc} */
    @Override
    public String selectionMetric() {
        return PQ;
    }

    /** {@inheritDoc} */
    @Override
    public String selectionMetricLabel() {
        return "PQ";
    }

    /** {@inheritDoc} */
    @Override
    public String epochSummary(Metrics epoch) {
        return String.format(Locale.ROOT, ", training loss %.4f PQ %.3f, validation loss %.4f"
                + " PQ %.4f SQ %.4f RQ %.4f", epoch.get(TRAIN_LOSS), epoch.get(TRAIN_PQ),
                epoch.get(VALIDATION_LOSS), epoch.get(PQ), epoch.get(SQ), epoch.get(RQ));
    }

    /** {@inheritDoc} */
    @Override
    public Map<String, Object> testReport(Scorer test) {
        return report(((Quality) test).result());
    }

    /**
     * Returns PQ, SQ and RQ of all categories, and the same for things and stuff, as a report
     * holds them.
     *
     * @param r the scores
     * @return the values by key
     */
    public static Map<String, Object> report(PanopticQuality.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pq", r.all().pq());
        m.put("sq", r.all().sq());
        m.put("rq", r.all().rq());
        m.put("things", average(r.things()));
        m.put("stuff", average(r.stuff()));
        m.put("boxes", "ground truth");
        return m;
    }

    private static Map<String, Object> average(PanopticQuality.Average a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pq", a.pq());
        m.put("sq", a.sq());
        m.put("rq", a.rq());
        m.put("n", a.n());
        return m;
    }

    /** {@inheritDoc} */
    @Override
    public String testSummary(Scorer test) {
        PanopticQuality.Result r = ((Quality) test).result();
        return String.format(Locale.ROOT, "PQ %.4f SQ %.4f RQ %.4f (things PQ %.4f, stuff PQ"
                + " %.4f; ground-truth boxes)", r.all().pq(), r.all().sq(), r.all().rq(),
                r.things().pq(), r.stuff().pq());
    }

    /** {@inheritDoc} */
    @Override
    public void drawPictures(Block block, NDManager manager, RunConfig c, TrainingHistory history,
            Path out, int analysisSteps, Map<String, Object> report, PrintWriter console)
            throws IOException {
        List<String> written = new ArrayList<>();
        if (history.size() > 0) {
            Charts.trainingCurves(history.epochs(), history.losses(), history.penalties(),
                    history.metric(TRAIN_PQ), history.metric(PQ), NAME + ", " + c.model + " "
                            + c.methodLabel(), out.resolve(Pictures.CURVES));
            written.add(Pictures.CURVES);
        }
        written.addAll(drawTestPictures(block, manager, c, out, console));
        report.put("pictures", written);
        console.println("Pictures: " + String.join(", ", written) + " in " + out);
    }

    /**
     * Draws the pictures of the first test images: {@link PanopticPictures#PANOPTIC} (image,
     * true and predicted panoptic maps) and, for the recurrent head, {@link
     * PanopticPictures#TIME_COURSE} (its masks step by step).
     *
     * @param block the trained model
     * @param manager a manager
     * @param c the configuration (data folder, test size)
     * @param out the folder the pictures go to
     * @param console where a skipped picture is told
     * @return the pictures written
     * @throws IOException if writing fails
     */
    public static List<String> drawTestPictures(Block block, NDManager manager, RunConfig c,
            Path out, PrintWriter console) throws IOException {
        List<String> written = new ArrayList<>();
        PanopticData data = split(c, TEST);
        List<PanopticSample> samples = first(c, TEST, Math.min(PanopticPictures.ROWS,
                Math.min(c.testSize, data.size())), "test-size");
        PanopticCategories categories = data.getCategories();
        InstanceSegmentationModel model = (InstanceSegmentationModel) block;
        String name = NAME + ", " + c.model + (model.isRecurrent() ? " " + c.methodLabel()
                + " T=" + c.steps : "");
        List<PanopticAnnotation> predicted;
        try (NDManager sub = manager.newSubManager()) {
            long[] ids = new long[samples.size()];
            String[] names = new String[samples.size()];
            for (int b = 0; b < samples.size(); b++) {
                ids[b] = samples.get(b).getImageId();
                names[b] = samples.get(b).getAnnotation().getFileName();
            }
            NDList[] b = batch(sub, samples, categories);
            NDList predictions = block.forward(new ParameterStore(sub, false), b[0], false);
            predictions.attach(sub);
            predicted = predict(categories, predictions, b[1].get(3), b[1].get(4), b[1].get(2),
                    ids, names);
        }
        PanopticPictures.panoptic(samples, predicted, categories, name
                + ": image, truth, prediction", out.resolve(PanopticPictures.PANOPTIC));
        written.add(PanopticPictures.PANOPTIC);
        if (!model.isRecurrent()) {
            console.println("No " + PanopticPictures.TIME_COURSE + ": the ff mask head has no"
                    + " steps");
        } else if (PanopticPictures.timeCourse(model, manager, samples, categories, name
                + ": P(mask) at step t", out.resolve(PanopticPictures.TIME_COURSE)) > 0) {
            written.add(PanopticPictures.TIME_COURSE);
        } else {
            console.println("No " + PanopticPictures.TIME_COURSE + ": the first test images"
                    + " hold no instance");
        }
        return written;
    }

    /**
     * Builds a batch: data {@code NDList(images, boxes, batchIndex)}, labels {@code
     * NDList(semantic, maskTargets, classes, boxes, batchIndex, groundTruthIds, segments)} where
     * {@code groundTruthIds} is the panoptic map {@code (N, H, W)} and {@code segments} lists
     * {@code (image, id, categoryId, crowd)} per ground-truth segment {@code (S, 4)}.
     *
     * @param manager the batch's manager
     * @param samples the images
     * @param categories the categories
     * @return {data, labels}
     */
    public static NDList[] batch(NDManager manager, List<PanopticSample> samples,
            PanopticCategories categories) {
        NDList t = PanopticTargets.batch(manager, samples, categories, MASK_SIZE);
        int n = samples.size();
        int w = samples.get(0).getWidth();
        int h = samples.get(0).getHeight();
        int[] ids = new int[n * w * h];
        List<int[]> segments = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            PanopticAnnotation a = samples.get(b).getAnnotation();
            System.arraycopy(a.getIds(), 0, ids, b * w * h, w * h);
            for (PanopticSegment s : a.getSegments()) {
                segments.add(new int[] {b, s.id(), s.categoryId(), s.crowd() ? 1 : 0});
            }
        }
        int[] table = new int[4 * segments.size()];
        for (int k = 0; k < segments.size(); k++) {
            System.arraycopy(segments.get(k), 0, table, 4 * k, 4);
        }
        NDList data = new NDList(t.get(0), t.get(2), t.get(3));
        NDList labels = new NDList(t.get(1), t.get(5), t.get(4), t.get(2).duplicate(),
                t.get(3).duplicate(), manager.create(ids, new Shape(n, h, w)),
                manager.create(table, new Shape(segments.size(), 4)));
        return new NDList[] {data, labels};
    }

    /**
     * Builds the panoptic predictions of a batch from the model's outputs.
     *
     * @param categories the categories
     * @param predictions {@code NDList(maskLogits (R, K, M, M), semanticLogits (N, C, H, W))}
     * @param boxes the boxes {@code (R, 4)}
     * @param batchIndex the image of each box {@code (R)}
     * @param classes the thing class of each box {@code (R)}
     * @param imageIds the image id of each image of the batch
     * @param fileNames the segment map's file name of each image
     * @return one annotation per image
     */
    public static List<PanopticAnnotation> predict(PanopticCategories categories,
            NDList predictions, NDArray boxes, NDArray batchIndex, NDArray classes,
            long[] imageIds, String[] fileNames) {
        NDArray semantic = predictions.get(1);
        Shape s = semantic.getShape();
        int n = (int) s.get(0);
        int chw = (int) (s.get(1) * s.get(2) * s.get(3));
        float[] sem = semantic.toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                .toFloatArray();
        NDArray masks = predictions.get(0);
        Shape ms = masks.getShape();
        int k = (int) ms.get(1);
        int m = (int) ms.get(2);
        float[] mask = masks.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[] box = boxes.toFloatArray();
        int[] index = batchIndex.toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
        int[] cls = classes.toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
        List<PanopticAnnotation> out = new ArrayList<>(n);
        for (int b = 0; b < n; b++) {
            List<float[]> bs = new ArrayList<>();
            List<float[]> ms2 = new ArrayList<>();
            List<Integer> cs = new ArrayList<>();
            for (int r = 0; r < index.length; r++) {
                if (index[r] != b) {
                    continue;
                }
                bs.add(java.util.Arrays.copyOfRange(box, 4 * r, 4 * r + 4));
                int from = ((r * k) + cls[r]) * m * m;
                ms2.add(java.util.Arrays.copyOfRange(mask, from, from + m * m));
                cs.add(cls[r]);
            }
            int[] c = cs.stream().mapToInt(Integer::intValue).toArray();
            float[] one = java.util.Arrays.copyOfRange(sem, b * chw, (b + 1) * chw);
            out.add(PanopticInference.predict(categories, imageIds[b], fileNames[b],
                    (int) s.get(3), (int) s.get(2), one, ms2, m, bs, c));
        }
        return out;
    }

    /** The folder of an evaluation's predicted panoptic maps (COCO panoptic files). */
    public static final String PREDICTIONS_DIR = "predictions";

    /**
     * Tests a trained model on the data folder's test split: writes the predictions as COCO
     * panoptic files into {@code out/}{@value #PREDICTIONS_DIR} and returns their scores.
     *
     * @param block the trained model
     * @param manager a manager
     * @param c the configuration (data folder, test size, batch)
     * @param out the output folder
     * @return the scores as {@link #report} gives them, and the test's size
     * @throws IOException if writing fails
     */
    public static Map<String, Object> evaluate(Block block, NDManager manager, RunConfig c,
            Path out) throws IOException {
        PanopticData data = split(c, TEST);
        List<PanopticSample> samples = first(c, TEST, Math.min(c.testSize, data.size()),
                "test-size");
        PanopticCategories categories = data.getCategories();
        List<PanopticAnnotation> predicted = new ArrayList<>();
        List<PanopticAnnotation> truth = new ArrayList<>();
        ParameterStore ps = new ParameterStore(manager, false);
        for (int from = 0; from < samples.size(); from += c.batch) {
            List<PanopticSample> chosen = samples.subList(from,
                    Math.min(samples.size(), from + c.batch));
            long[] ids = new long[chosen.size()];
            String[] names = new String[chosen.size()];
            for (int b = 0; b < chosen.size(); b++) {
                ids[b] = chosen.get(b).getImageId();
                names[b] = chosen.get(b).getAnnotation().getFileName();
                truth.add(chosen.get(b).getAnnotation());
            }
            try (NDManager sub = manager.newSubManager()) {
                NDList[] b = batch(sub, chosen, categories);
                NDList predictions = block.forward(ps, b[0], false);
                predictions.attach(sub);
                predicted.addAll(predict(categories, predictions, b[1].get(3), b[1].get(4),
                        b[1].get(2), ids, names));
            }
        }
        PanopticFolder.writePredictions(out.resolve(PREDICTIONS_DIR), categories, predicted,
                true);
        Map<String, Object> r = report(PanopticQuality.evaluate(categories, truth, predicted));
        r.put("testImages", samples.size());
        return r;
    }

    /**
     * Per-pixel cross entropy over the labelled pixels: void ({@link PanopticTargets#IGNORE})
     * adds nothing and does not count in the mean.
     */
    static final class SemanticLoss extends Loss {

        SemanticLoss() {
            super("SemanticCrossEntropy");
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            NDArray logits = predictions.head();
            NDArray label = labels.head();
            int classes = Math.toIntExact(logits.getShape().get(1));
            // labels carry no gradient: plain numbers are fine on them
            NDArray valid = label.gte(0).toType(logits.getDataType(), false);
            NDArray safe = label.maximum(0);
            NDArray oneHot = safe.oneHot(classes, logits.getDataType()).transpose(0, 3, 1, 2);
            NDArray picked = logits.logSoftmax(1).mul(oneHot).sum(new int[] {1});
            NDArray count = valid.sum().maximum(1);
            return picked.mul(valid).sum().neg().div(count);
        }
    }

    /** The task's loss: mask loss plus the semantic cross entropy. */
    static final class PanopticLoss extends Loss {
        private final MaskLoss mask = new MaskLoss();
        private final SemanticLoss semantic = new SemanticLoss();

        PanopticLoss(String name) {
            super(name);
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            NDArray m = mask.evaluate(new NDList(labels.get(1), labels.get(2)),
                    new NDList(predictions.get(0)));
            NDArray s = semantic.evaluate(new NDList(labels.get(0)),
                    new NDList(predictions.get(1)));
            return m.add(s);
        }
    }

    /** Panoptic quality's counts per category and the loss, summed over batches. */
    static final class Quality implements Scorer {
        private final Map<Integer, double[]> counts = new LinkedHashMap<>();
        private final PanopticCategories categories;
        private double lossSum;
        private long batches;

        Quality(PanopticCategories categories) {
            this.categories = categories;
        }

        private PanopticCategories categories() {
            return categories;
        }

        @Override
        public void add(NDList labels, NDList predictions) {
            if (labels.size() < 7 || predictions.size() < 2) {
                return;
            }
            int n = (int) labels.get(5).getShape().get(0);
            long[] ids = new long[n];
            String[] names = new String[n];
            for (int b = 0; b < n; b++) {
                ids[b] = b;
                names[b] = b + ".png";
            }
            List<PanopticAnnotation> predicted = predict(categories(), predictions,
                    labels.get(3), labels.get(4), labels.get(2), ids, names);
            List<PanopticAnnotation> truth = groundTruth(labels.get(5), labels.get(6), names);
            PanopticQuality.Result r = PanopticQuality.evaluate(categories(), truth, predicted);
            for (PanopticQuality.CategoryScore s : r.perCategory().values()) {
                double[] c = counts.computeIfAbsent(s.categoryId(), k -> new double[4]);
                c[0] += s.tp();
                c[1] += s.fp();
                c[2] += s.fn();
                c[3] += s.iouSum();
            }
            try (NDArray l = new PanopticLoss("l").evaluate(labels, predictions)) {
                lossSum += l.getFloat();
                batches++;
            }
        }

        private List<PanopticAnnotation> groundTruth(NDArray idMaps, NDArray table,
                String[] names) {
            Shape s = idMaps.getShape();
            int n = (int) s.get(0);
            int h = (int) s.get(1);
            int w = (int) s.get(2);
            int[] ids = idMaps.toIntArray();
            int[] t = table.toIntArray();
            List<PanopticAnnotation> out = new ArrayList<>(n);
            for (int b = 0; b < n; b++) {
                List<SegmentLabel> labels = new ArrayList<>();
                for (int k = 0; k < t.length / 4; k++) {
                    if (t[4 * k] == b) {
                        labels.add(new SegmentLabel(t[4 * k + 1], t[4 * k + 2],
                                t[4 * k + 3] == 1));
                    }
                }
                out.add(PanopticAnnotation.of(b, names[b], w, h,
                        java.util.Arrays.copyOfRange(ids, b * w * h, (b + 1) * w * h), labels));
            }
            return out;
        }

        double meanLoss() {
            return batches == 0 ? Double.NaN : lossSum / batches;
        }

        PanopticQuality.Result result() {
            Map<Integer, PanopticQuality.CategoryScore> per = new LinkedHashMap<>();
            for (PanopticCategory c : categories().all()) {
                double[] v = counts.getOrDefault(c.id(), new double[4]);
                per.put(c.id(), new PanopticQuality.CategoryScore(c.id(), (int) v[0],
                        (int) v[1], (int) v[2], v[3]));
            }
            return new PanopticQuality.Result(mean(per, categories().all()),
                    mean(per, categories().things()), mean(per, categories().stuff()), per,
                    0);
        }

        private PanopticQuality.Average mean(Map<Integer, PanopticQuality.CategoryScore> per,
                List<PanopticCategory> which) {
            double pq = 0;
            double sq = 0;
            double rq = 0;
            int n = 0;
            for (PanopticCategory c : which) {
                PanopticQuality.CategoryScore s = per.get(c.id());
                if (s.counted()) {
                    pq += s.pq();
                    sq += s.sq();
                    rq += s.rq();
                    n++;
                }
            }
            return n == 0 ? new PanopticQuality.Average(Double.NaN, Double.NaN, Double.NaN, 0)
                    : new PanopticQuality.Average(pq / n, sq / n, rq / n, n);
        }

        /** {pq, sq, rq} over all categories. */
        double[] average() {
            PanopticQuality.Average a = result().all();
            return new double[] {a.pq(), a.sq(), a.rq()};
        }

        @Override
        public Map<String, Number> sums() {
            Map<String, Number> m = new LinkedHashMap<>();
            for (Map.Entry<Integer, double[]> e : counts.entrySet()) {
                String p = "c" + e.getKey() + ".";
                m.put(p + "tp", e.getValue()[0]);
                m.put(p + "fp", e.getValue()[1]);
                m.put(p + "fn", e.getValue()[2]);
                m.put(p + "iou", e.getValue()[3]);
            }
            m.put("lossSum", lossSum);
            m.put("batches", batches);
            return m;
        }

        @Override
        public void restore(Map<String, Number> sums) {
            counts.clear();
            lossSum = 0;
            batches = 0;
            if (sums == null) {
                return;
            }
            String[] parts = {"tp", "fp", "fn", "iou"};
            for (Map.Entry<String, Number> e : sums.entrySet()) {
                String k = e.getKey();
                if (k.startsWith("c") && k.contains(".")) {
                    int id = Integer.parseInt(k.substring(1, k.indexOf('.')));
                    String part = k.substring(k.indexOf('.') + 1);
                    for (int i = 0; i < parts.length; i++) {
                        if (parts[i].equals(part)) {
                            counts.computeIfAbsent(id, x -> new double[4])[i] =
                                    e.getValue().doubleValue();
                        }
                    }
                }
            }
            Number l = sums.get("lossSum");
            Number b = sums.get("batches");
            lossSum = l == null ? 0 : l.doubleValue();
            batches = b == null ? 0 : b.longValue();
        }
    }

    /** Batches of panoptic samples in a fixed order, built when read. */
    static final class Batches implements Dataset {
        private final List<PanopticSample> samples;
        private final PanopticCategories categories;
        private final int[] order;
        private final int batch;
        private final boolean dropLast;
        private final int skip;

        Batches(List<PanopticSample> samples, PanopticCategories categories, int[] order,
                int batch, boolean dropLast, int skip) {
            this.samples = samples;
            this.categories = categories;
            this.order = order;
            this.batch = batch;
            this.dropLast = dropLast;
            this.skip = skip;
        }

        /**
         * Returns the samples in this dataset's order.
         *
         * @return the samples
         */
        List<PanopticSample> ordered() {
            List<PanopticSample> out = new ArrayList<>();
            for (int i : order) {
                out.add(samples.get(i));
            }
            return out;
        }

        PanopticCategories categories() {
            return categories;
        }

        @Override
        public Iterable<Batch> getData(NDManager manager) {
            return () -> iterator(manager);
        }

        @Override
        public Iterable<Batch> getData(NDManager manager, ExecutorService executor) {
            return getData(manager);
        }

        private Iterator<Batch> iterator(NDManager manager) {
            int full = order.length / batch;
            int count = dropLast || order.length % batch == 0 ? full : full + 1;
            return new Iterator<>() {
                private int next = skip;

                @Override
                public boolean hasNext() {
                    return next < count;
                }

                @Override
                public Batch next() {
                    if (next >= count) {
                        throw new NoSuchElementException();
                    }
                    int from = next * batch;
                    int to = Math.min(order.length, from + batch);
                    next++;
                    List<PanopticSample> chosen = new ArrayList<>();
                    for (int i = from; i < to; i++) {
                        chosen.add(samples.get(order[i]));
                    }
                    NDManager sub = manager.newSubManager();
                    NDList[] b = batch(sub, chosen, categories);
                    return new Batch(sub, b[0], b[1], chosen.size(), Batchifier.STACK,
                            Batchifier.STACK, next, count);
                }
            };
        }

        @Override
        public void prepare(Progress progress) {}
    }
}
