/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.nn.Block;
import ai.djl.training.loss.Loss;
import ai.djl.training.dataset.BatchSampler;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;

import org.crbp.core.GradientMethod;
import org.crbp.core.GradientMethods;
import org.crbp.examples.CliException;
import org.crbp.examples.pathfinder.PathfinderDataset;
import org.crbp.examples.pathfinder.PathfinderGenerator;
import org.crbp.examples.pathfinder.PathfinderPreset;
import org.crbp.models.FocalDiceLoss;
import org.crbp.models.FocalLoss;
import org.crbp.models.HgruCell;
import org.crbp.models.PathfinderModels;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Random;

/** Builds what a configuration names: the block, the gradient method, the device, the data. */
public final class Setup {

    private Setup() {}

    /**
     * Builds the model's block.
     *
     * @param c the configuration
     * @param steps the number of steps of its forward pass (ignored by ff)
     * @return a {@link org.crbp.core.RecurrentNet} or, for ff, a sequential block
     */
    public static Block block(RunConfig c, int steps) {
        switch (c.model) {
            case HGRU:
                return PathfinderModels.hgru(c.kernel, c.channels, steps,
                        "chronos".equals(c.gateInit) ? HgruCell.GateInit.CHRONOS
                                : HgruCell.GateInit.REFERENCE);
            case CONVLSTM:
                return PathfinderModels.convLstm(c.kernel, c.channels, steps);
            case FF:
                return PathfinderModels.feedforward(c.kernel, c.channels);
            default:
                throw new CliException("unknown model '" + c.model + "'");
        }
    }

    /**
     * Sets the number of threads of the engine's operators, before the engine is first used.
     *
     * @param threads the number of threads, or 0 for the engine's choice
     * @throws CliException if the number is negative
     */
    public static void engineThreads(int threads) {
        if (threads < 0) {
            throw new CliException("--threads must be 0 (the engine's choice) or more, got "
                    + threads);
        }
        if (threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    /**
     * Builds the training loss.
     *
     * @param c the configuration
     * @return focal, or focal plus Dice
     */
    static Loss loss(RunConfig c) {
        return "focal-dice".equals(c.loss) ? new FocalDiceLoss(c.diceWeight) : new FocalLoss();
    }

    /**
     * Builds the gradient method of a recurrent model.
     *
     * @param c the configuration
     * @return the method
     */
    public static GradientMethod method(RunConfig c) {
        switch (c.method) {
            case BPTT:
                return GradientMethods.bptt(c.steps);
            case TBPTT:
                return GradientMethods.truncatedBptt(c.steps, Math.min(c.truncation, c.steps));
            case RBP:
                return GradientMethods.rbp(c.steps, c.neumannTerms);
            case CBPTT:
                return GradientMethods.cbptt(c.steps, c.lambda, c.penaltyWeight);
            case CRBP:
                return GradientMethods.crbp(c.steps, c.neumannTerms, c.lambda, c.penaltyWeight);
            default:
                throw new CliException("unknown method '" + c.method + "'");
        }
    }

    /**
     * Resolves the device option.
     *
     * @param name cpu, gpu or auto
     * @return the device
     * @throws CliException if a GPU is requested and there is none
     */
    public static Device device(String name) {
        int gpus = Engine.getInstance().getGpuCount();
        switch (name) {
            case "gpu":
                if (gpus == 0) {
                    throw new CliException(
                            "--device gpu: the PyTorch engine sees no GPU (use --device cpu or"
                                    + " auto)");
                }
                return Device.gpu();
            case "auto":
                return gpus > 0 ? Device.gpu() : Device.cpu();
            default:
                return Device.cpu();
        }
    }

    /**
     * The training set of one epoch: its order and its flips are functions of (seed, epoch)
     * only, so that a resumed run sees exactly the batches of an uninterrupted one.
     *
     * @param c the configuration
     * @param epoch the epoch, from 0
     * @return the dataset
     */
    static PathfinderDataset trainSet(RunConfig c, int epoch) {
        return trainSet(c, epoch, 0);
    }

    /**
     * The rest of an epoch's training set: its first {@code skip} batches left out (without
     * reading them), for a run resumed inside an epoch.
     *
     * @param c the configuration
     * @param epoch the epoch, from 0
     * @param skip the number of batches already done
     * @return the dataset
     */
    static PathfinderDataset trainSet(RunConfig c, int epoch, int skip) {
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
        b.setSampling(skip == 0 ? batches : new Skip(batches, skip));
        return build(b);
    }

    /**
     * A fixed, unflipped evaluation set.
     *
     * @param c the configuration (seed, data folder, batch)
     * @param preset the preset
     * @param split validation or test
     * @param size the number of images
     * @return the dataset
     */
    public static PathfinderDataset evalSet(
            RunConfig c, PathfinderPreset preset, PathfinderDataset.Split split, int size) {
        PathfinderDataset.Builder b = base(c, preset, split, size);
        b.setSampling(c.batch, false, false);
        return build(b);
    }

    private static PathfinderDataset.Builder base(
            RunConfig c, PathfinderPreset preset, PathfinderDataset.Split split, int size) {
        PathfinderDataset.Builder b = PathfinderDataset.builder().optPreset(preset).setSize(size);
        if (c.data != null) {
            Path dir = Paths.get(c.data).resolve(split.name().toLowerCase(java.util.Locale.ROOT));
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
        public Iterator<java.util.List<Long>> sample(RandomAccessDataset dataset) {
            Iterator<java.util.List<Long>> it = inner.sample(dataset);
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
