package org.crbp.examples.pathfinder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The Pathfinder segmentation task as a DJL {@link RandomAccessDataset}.
 *
 * <p>Each record holds the image as a float32 tensor of shape (1, H, W) in [0, 1] and the mask as
 * a tensor of shape (H, W) with classes {0, 1} (int32 by default). Records come either from the
 * generator, computed on the fly from (configuration, seed, index), or from a folder written by
 * {@link PathfinderFolder#generate}; both give identical tensors for the same preset, seed and
 * index.
 *
 * <pre>{@code
 * PathfinderDataset train = PathfinderDataset.builder()
 *         .optPreset(PathfinderPreset.PF_MINI_14)
 *         .optSeed(1).optSplit(PathfinderDataset.Split.TRAIN)
 *         .setSize(20_000)
 *         .optRandomFlips(true)
 *         .setSampling(32, true)
 *         .build();
 * }</pre>
 *
 * <p>Random flips follow the reference training code: one of none, left-right, up-down or both,
 * uniformly, applied to image and mask alike. The choice is a pure function of (flip seed, index,
 * how many times this index has been read), so it changes between epochs yet does not depend on
 * thread scheduling.
 */
public final class PathfinderDataset extends RandomAccessDataset {

    /** A flip applied to image and mask. */
    public enum Flip {
        /** No flip. */
        NONE,
        /** Mirror columns. */
        LEFT_RIGHT,
        /** Mirror rows. */
        UP_DOWN,
        /** Both mirrors (a 180 degree rotation). */
        BOTH
    }

    /**
     * A data split. Splits differ by seed: {@link #TRAIN} uses the base seed itself, the others a
     * seed derived from it, so the three are independent streams of images.
     */
    public enum Split {
        /** Training images: the base seed. */
        TRAIN,
        /** Validation images. */
        VALIDATION,
        /** Test images. */
        TEST;

        /**
         * Returns the generator seed of this split for a base seed.
         *
         * @param baseSeed the base seed
         * @return the split's seed
         */
        public long seed(long baseSeed) {
            return this == TRAIN ? baseSeed : PathfinderGenerator.mix(baseSeed, -1L - ordinal());
        }
    }

    private final PathfinderGenerator generator;
    private final PathfinderFolder folder;
    private final long seed;
    private final long size;
    private final boolean randomFlips;
    private final Flip fixedFlip;
    private final long flipSeed;
    private final DataType maskType;
    private final AtomicIntegerArray reads;
    private final int width;
    private final int height;

    private PathfinderDataset(Builder b) {
        super(b);
        this.generator = b.generator;
        this.folder = b.folder;
        this.seed = b.effectiveSeed;
        this.size = b.size;
        this.randomFlips = b.randomFlips;
        this.fixedFlip = b.flip;
        this.flipSeed = b.flipSeed;
        this.maskType = b.maskType;
        this.reads = randomFlips ? new AtomicIntegerArray(Math.toIntExact(size)) : null;
        PathfinderConfig c =
                folder != null ? folder.getMetadata().getConfig() : generator.getConfig();
        this.width = c.getOutputWidth();
        this.height = c.getOutputHeight();
    }

    /**
     * Returns a new builder.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the image width */
    public int getWidth() {
        return width;
    }

    /** @return the image height */
    public int getHeight() {
        return height;
    }

    /** @return the generator seed of the images (for a folder: the folder's seed) */
    public long getSeed() {
        return seed;
    }

    /** @return the folder the images come from, or {@code null} when generated on the fly */
    public PathfinderFolder getFolder() {
        return folder;
    }

    /** {@inheritDoc} */
    @Override
    public Record get(NDManager manager, long index) throws IOException {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " out of range 0.." + size);
        }
        float[] image;
        byte[] mask;
        if (folder != null) {
            image = folder.readImage(index);
            mask = folder.readMask(index);
        } else {
            PathfinderSample s = generator.generate(seed, index);
            image = s.getImage();
            mask = s.getMask();
        }
        Flip flip = fixedFlip;
        if (randomFlips) {
            int n = reads.getAndIncrement((int) index);
            long r = PathfinderGenerator.mix(flipSeed ^ 0x2545F4914F6CDD1DL, index * 65_537L + n);
            flip = Flip.values()[(int) ((r >>> 33) & 3)];
        }
        if (flip != Flip.NONE) {
            image = flip(image, flip);
            mask = flip(mask, flip);
        }
        NDArray x = manager.create(image, new Shape(1, height, width));
        NDArray y;
        if (maskType == DataType.INT32) {
            int[] v = new int[mask.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = mask[i];
            }
            y = manager.create(v, new Shape(height, width));
        } else {
            float[] v = new float[mask.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = mask[i];
            }
            y = manager.create(v, new Shape(height, width));
            if (maskType != DataType.FLOAT32) {
                y = y.toType(maskType, false);
            }
        }
        return new Record(new NDList(x), new NDList(y));
    }

    private int src(int i, Flip f) {
        int y = i / width;
        int x = i % width;
        if (f == Flip.LEFT_RIGHT || f == Flip.BOTH) {
            x = width - 1 - x;
        }
        if (f == Flip.UP_DOWN || f == Flip.BOTH) {
            y = height - 1 - y;
        }
        return y * width + x;
    }

    private float[] flip(float[] a, Flip f) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[src(i, f)];
        }
        return out;
    }

    private byte[] flip(byte[] a, Flip f) {
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[src(i, f)];
        }
        return out;
    }

    /** {@inheritDoc} */
    @Override
    protected long availableSize() {
        return size;
    }

    /** {@inheritDoc} */
    @Override
    public void prepare(Progress progress) {
        // Nothing to download: images are generated on the fly or read on demand.
    }

    /** Builder of {@link PathfinderDataset}. */
    public static final class Builder extends BaseBuilder<Builder> {

        private PathfinderPreset preset;
        private PathfinderConfig config;
        private Path folderPath;
        private long baseSeed;
        private boolean seedSet;
        private Split split = Split.TRAIN;
        private long size = -1;
        private boolean randomFlips;
        private Flip flip = Flip.NONE;
        private long flipSeed;
        private DataType maskType = DataType.INT32;
        private boolean checkFiles = true;

        PathfinderGenerator generator;
        PathfinderFolder folder;
        long effectiveSeed;

        Builder() {}

        /** {@inheritDoc} */
        @Override
        protected Builder self() {
            return this;
        }

        /**
         * Generates (or, with a folder, expects) this preset's images.
         *
         * @param preset the preset
         * @return this builder
         */
        public Builder optPreset(PathfinderPreset preset) {
            this.preset = preset;
            return this;
        }

        /**
         * Generates (or, with a folder, expects) images of a custom configuration.
         *
         * @param config the configuration
         * @return this builder
         */
        public Builder optConfig(PathfinderConfig config) {
            this.config = config;
            return this;
        }

        /**
         * Reads images from a folder written by {@link PathfinderFolder#generate}; record
         * {@code i} is file {@code i}. A preset, configuration or seed also given must match the
         * folder's metadata (the seed is compared after applying the split).
         *
         * @param folder the folder
         * @return this builder
         */
        public Builder optFolder(Path folder) {
            this.folderPath = folder;
            return this;
        }

        /**
         * Sets the base seed (default 0).
         *
         * @param seed the base seed
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.baseSeed = seed;
            this.seedSet = true;
            return this;
        }

        /**
         * Sets the split (default {@link Split#TRAIN}); the generator seed is {@code
         * split.seed(baseSeed)}.
         *
         * @param split the split
         * @return this builder
         */
        public Builder optSplit(Split split) {
            this.split = split;
            return this;
        }

        /**
         * Sets the number of images: required when generating on the fly; with a folder it
         * defaults to the folder's count and may not exceed it.
         *
         * @param size the number of images
         * @return this builder
         */
        public Builder setSize(long size) {
            this.size = size;
            return this;
        }

        /**
         * Turns random flips on or off (default off, as wanted for evaluation).
         *
         * @param random whether to flip randomly
         * @return this builder
         */
        public Builder optRandomFlips(boolean random) {
            this.randomFlips = random;
            return this;
        }

        /**
         * Applies one fixed flip to every record (ignored when random flips are on).
         *
         * @param flip the flip
         * @return this builder
         */
        public Builder optFlip(Flip flip) {
            this.flip = flip;
            return this;
        }

        /**
         * Sets the seed of the random flips (default 0).
         *
         * @param seed the flip seed
         * @return this builder
         */
        public Builder optFlipSeed(long seed) {
            this.flipSeed = seed;
            return this;
        }

        /**
         * Sets the mask data type (default int32; float32 and others allowed).
         *
         * @param type the data type
         * @return this builder
         */
        public Builder optMaskType(DataType type) {
            this.maskType = type;
            return this;
        }

        /**
         * Checks, when reading a folder, every file the dataset will read before it is built
         * (default on): all present, every PNG's header, size and end chunk ({@link
         * PathfinderFolder#checkFiles}), so that a bad file is named before training starts
         * rather than found in the middle of an epoch.
         *
         * @param check whether to check the files up front
         * @return this builder
         */
        public Builder optCheckFiles(boolean check) {
            this.checkFiles = check;
            return this;
        }

        /**
         * Builds the dataset; a folder is opened and checked here.
         *
         * @return the dataset
         * @throws IllegalArgumentException if the request is incomplete or does not match the
         *     folder ({@link BadDataFileException} for a missing or bad file)
         * @throws java.io.UncheckedIOException if the folder cannot be read
         */
        public PathfinderDataset build() {
            if (preset != null && config != null && !preset.config().equals(config)) {
                throw new IllegalArgumentException(
                        "Both a preset (" + preset + ") and a different configuration were given");
            }
            if (flip == null || maskType == null || split == null) {
                throw new IllegalArgumentException("flip, mask type and split must not be null");
            }
            PathfinderConfig wanted = config;
            if (wanted == null && preset != null) {
                wanted = preset.config();
            }
            if (folderPath != null) {
                try {
                    folder = PathfinderFolder.open(folderPath);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(
                            "Cannot read Pathfinder folder " + folderPath, e);
                }
                long need = size < 0 ? 0 : size;
                folder.verify(
                        preset != null ? preset.presetName() : null,
                        wanted,
                        seedSet ? split.seed(baseSeed) : null,
                        need);
                if (size < 0) {
                    size = folder.size();
                }
                if (checkFiles) {
                    try {
                        folder.checkFiles(Math.min(size, folder.size()));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(
                                "Cannot read Pathfinder folder " + folderPath, e);
                    }
                }
                effectiveSeed = folder.getMetadata().getSeed();
            } else {
                if (wanted == null) {
                    throw new IllegalArgumentException(
                            "A Pathfinder dataset needs a preset, a configuration or a folder");
                }
                if (size < 0) {
                    throw new IllegalArgumentException(
                            "setSize is required when generating Pathfinder images on the fly");
                }
                generator = new PathfinderGenerator(wanted);
                effectiveSeed = split.seed(baseSeed);
            }
            if (size < 1 || size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        "size must be in [1, " + Integer.MAX_VALUE + "], got " + size);
            }
            if (sampler == null) {
                throw new IllegalArgumentException(
                        "The sampler must be set: call setSampling(batchSize, random)");
            }
            return new PathfinderDataset(this);
        }
    }
}
