package org.crbp.examples.pathfinder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * A generated Pathfinder folder: {@code images/NNNNNN.png}, {@code masks/NNNNNN.png} (same names,
 * 8-bit grayscale, mask 255 on the target) and {@code metadata.json}. Files written by other
 * tools may be in any PNG format {@link PathfinderImages} accepts (greyscale at any bit depth,
 * grey palettes, RGB with R = G = B, opaque alpha).
 *
 * <p>Write one with {@link #generate}; open one with {@link #open(Path)}. {@code metadata.json}
 * is written last, so an interrupted generation leaves a folder that {@link #open(Path)} rejects.
 */
public final class PathfinderFolder {

    /** The metadata file name. */
    public static final String METADATA = "metadata.json";
    /** The image folder name. */
    public static final String IMAGES = "images";
    /** The mask folder name. */
    public static final String MASKS = "masks";

    private final Path dir;
    private final PathfinderMetadata metadata;

    private PathfinderFolder(Path dir, PathfinderMetadata metadata) {
        this.dir = dir;
        this.metadata = metadata;
    }

    /**
     * Returns the file name of image {@code i} (0-based position in the folder).
     *
     * @param i the position
     * @return {@code NNNNNN.png}, at least 6 digits
     */
    public static String fileName(long i) {
        return String.format(Locale.ROOT, "%06d.png", i);
    }

    /**
     * Generates {@code count} images of a preset into {@code dir}.
     *
     * @param dir the output folder (created if missing)
     * @param preset the preset
     * @param seed the dataset seed
     * @param count the number of images
     * @param threads worker threads ({@code <= 0}: all processors)
     * @param overwrite whether a non-empty folder may be overwritten
     * @param progress called with the number of images written so far, or {@code null}
     * @return the written folder
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if the folder is not empty and {@code overwrite} is false
     */
    public static PathfinderFolder generate(
            Path dir,
            PathfinderPreset preset,
            long seed,
            long count,
            int threads,
            boolean overwrite,
            LongConsumer progress)
            throws IOException {
        return generate(
                dir, preset.presetName(), preset.config(), seed, 0, count, threads, overwrite,
                progress);
    }

    /**
     * Generates images {@code firstIndex .. firstIndex+count-1} of dataset {@code seed} into
     * {@code dir}; file {@code i} holds generator index {@code firstIndex + i}.
     *
     * @param dir the output folder (created if missing)
     * @param presetName the preset name to record, or {@link PathfinderMetadata#CUSTOM}
     * @param config the configuration
     * @param seed the dataset seed
     * @param firstIndex the generator index of the first file
     * @param count the number of images
     * @param threads worker threads ({@code <= 0}: all processors)
     * @param overwrite whether a non-empty folder may be overwritten
     * @param progress called with the number of images written so far, or {@code null}
     * @return the written folder
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if the folder is not empty and {@code overwrite} is false
     */
    public static PathfinderFolder generate(
            Path dir,
            String presetName,
            PathfinderConfig config,
            long seed,
            long firstIndex,
            long count,
            int threads,
            boolean overwrite,
            LongConsumer progress)
            throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, got " + count);
        }
        if (firstIndex < 0) {
            throw new IllegalArgumentException("firstIndex must be >= 0, got " + firstIndex);
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("Output path exists and is not a folder: " + dir);
        }
        for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                throw new IllegalArgumentException(
                        "Output path " + dir + " lies under " + p + ", which is a file");
            }
        }
        if (Files.isDirectory(dir) && !isEmpty(dir)) {
            // an interrupted generation (PNGs, no metadata.json) is simply redone
            if (!overwrite && !isUnfinished(dir)) {
                throw new IllegalArgumentException(
                        "Refusing to overwrite the non-empty folder "
                                + dir
                                + " (ask for overwrite to replace its Pathfinder files)");
            }
            clean(dir);
        }
        Path images = Files.createDirectories(dir.resolve(IMAGES));
        Path masks = Files.createDirectories(dir.resolve(MASKS));
        PathfinderGenerator gen = new PathfinderGenerator(config);
        int w = config.getOutputWidth();
        int h = config.getOutputHeight();
        try {
            gen.forEach(
                    seed,
                    firstIndex,
                    count,
                    threads,
                    s -> {
                        String name = fileName(s.getIndex() - firstIndex);
                        try {
                            PathfinderImages.writeImagePng(
                                    s.getImage(), w, h, images.resolve(name));
                            PathfinderImages.writeMaskPng(s.getMask(), w, h, masks.resolve(name));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    },
                    progress);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        PathfinderMetadata meta =
                new PathfinderMetadata(
                        presetName, config, seed, firstIndex, count, PathfinderGenerator.VERSION);
        Files.writeString(dir.resolve(METADATA), meta.toJson(), StandardCharsets.UTF_8);
        return new PathfinderFolder(dir, meta);
    }

    /**
     * Opens a generated folder.
     *
     * @param dir the folder
     * @return the folder
     * @throws IOException if the metadata cannot be read
     * @throws IllegalArgumentException if the folder is not a complete Pathfinder folder
     */
    public static PathfinderFolder open(Path dir) throws IOException {
        Path m = dir.resolve(METADATA);
        if (!Files.isRegularFile(m)) {
            throw new IllegalArgumentException(
                    "No "
                            + METADATA
                            + " in "
                            + dir
                            + ": not a generated Pathfinder folder, or its generation did not"
                            + " finish (re-run the same 'crbp generate' command to finish it)");
        }
        PathfinderMetadata meta;
        try {
            meta = PathfinderMetadata.fromJson(Files.readString(m, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(m + ": " + e.getMessage(), e);
        }
        for (long i : new long[] {0, meta.getCount() - 1}) {
            for (String sub : new String[] {IMAGES, MASKS}) {
                Path f = dir.resolve(sub).resolve(fileName(i));
                if (!Files.isRegularFile(f)) {
                    throw new BadDataFileException(f, "is missing (" + METADATA + " lists "
                            + meta.getCount() + " images)");
                }
            }
        }
        return new PathfinderFolder(dir, meta);
    }

    /**
     * Checks that this folder holds what a caller asked for.
     *
     * @param presetName the expected preset name, or {@code null} to skip the check
     * @param config the expected configuration, or {@code null} to skip the check
     * @param seed the expected seed, or {@code null} to skip the check
     * @param minCount the number of images needed
     * @throws IllegalArgumentException naming every mismatch
     */
    public void verify(String presetName, PathfinderConfig config, Long seed, long minCount) {
        StringBuilder sb = new StringBuilder();
        if (presetName != null && !presetName.equals(metadata.getPreset())) {
            sb.append("; preset ")
                    .append(metadata.getPreset())
                    .append(" (requested ")
                    .append(presetName)
                    .append(')');
        }
        if (config != null && !config.equals(metadata.getConfig())) {
            // only the parameters that differ: the whole list hides them
            java.util.Map<String, Object> have = metadata.getConfig().toMap();
            java.util.Map<String, Object> want = config.toMap();
            StringBuilder differ = new StringBuilder();
            for (java.util.Map.Entry<String, Object> e : have.entrySet()) {
                Object asked = want.get(e.getKey());
                if (!java.util.Objects.equals(e.getValue(), asked)) {
                    differ.append(differ.length() == 0 ? "" : ", ").append(e.getKey())
                            .append(' ').append(e.getValue()).append(" (requested ")
                            .append(asked).append(')');
                }
            }
            sb.append("; ").append(differ.length() > 0 ? differ : "other parameters");
        }
        if (seed != null && seed != metadata.getSeed()) {
            sb.append("; seed ")
                    .append(metadata.getSeed())
                    .append(" (requested ")
                    .append(seed)
                    .append(')');
        }
        if (minCount > metadata.getCount()) {
            sb.append("; ")
                    .append(metadata.getCount())
                    .append(" images (requested ")
                    .append(minCount)
                    .append(')');
        }
        if (!PathfinderGenerator.VERSION.equals(metadata.getGeneratorVersion())) {
            sb.append("; generator version ")
                    .append(metadata.getGeneratorVersion())
                    .append(" (this build is ")
                    .append(PathfinderGenerator.VERSION)
                    .append(')');
        }
        if (sb.length() > 0) {
            throw new IllegalArgumentException(
                    "Pathfinder folder "
                            + dir
                            + " does not match the request: it has "
                            + sb.substring(2));
        }
    }

    /** @return the folder */
    public Path getDir() {
        return dir;
    }

    /** @return the folder's metadata */
    public PathfinderMetadata getMetadata() {
        return metadata;
    }

    /** @return the number of images */
    public long size() {
        return metadata.getCount();
    }

    /**
     * Reads image {@code i}.
     *
     * @param i the position in the folder
     * @return row-major values in [0, 1] ({@code k / 255} for the 8-bit files {@link #generate}
     *     writes; see {@link PathfinderImages#readImage})
     * @throws BadDataFileException if the file is missing, undecodable, of another size, in
     *     colour or not opaque
     * @throws IOException if reading fails
     */
    public float[] readImage(long i) throws IOException {
        PathfinderConfig c = metadata.getConfig();
        return PathfinderImages.readImage(
                dir.resolve(IMAGES).resolve(fileName(check(i))),
                c.getOutputWidth(),
                c.getOutputHeight());
    }

    /**
     * Reads mask {@code i}.
     *
     * @param i the position in the folder
     * @return row-major values in {0, 1}
     * @throws BadDataFileException if the file is missing, undecodable, of another size, in
     *     colour, not opaque or not binary (see {@link PathfinderImages#readMask})
     * @throws IOException if reading fails
     */
    public byte[] readMask(long i) throws IOException {
        PathfinderConfig c = metadata.getConfig();
        return PathfinderImages.readMask(
                dir.resolve(MASKS).resolve(fileName(check(i))),
                c.getOutputWidth(),
                c.getOutputHeight());
    }

    private long check(long i) {
        if (i < 0 || i >= metadata.getCount()) {
            throw new IndexOutOfBoundsException(
                    "Image " + i + " out of range 0.." + (metadata.getCount() - 1));
        }
        return i;
    }

    /**
     * Whether a folder holds only what an interrupted generation leaves: no {@code
     * metadata.json}, and nothing but PNG files in {@code images/} and {@code masks/}.
     */
    static boolean isUnfinished(Path dir) throws IOException {
        if (Files.exists(dir.resolve(METADATA))) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (!Files.isDirectory(p) || !(name.equals(IMAGES) || name.equals(MASKS))) {
                    return false;
                }
                try (Stream<Path> files = Files.list(p)) {
                    if (!files.allMatch(f -> Files.isRegularFile(f)
                            && f.getFileName().toString().endsWith(".png"))) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static final java.util.Map<String, Long> CHECKED =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Checks the first {@code count} images and masks: every file present and decoded as {@link
     * #readImage} and {@link #readMask} will read it during training (signature, header, size,
     * end chunk, checksums, then grey, opaque and, for a mask, binary pixels), so that a file
     * training would stop at, or read other than the user meant, is named before training
     * starts. A folder of 1,000 pf-mini-14 images and masks takes about half a second on two
     * cores. A folder already checked by this process (same count or more, unchanged {@code
     * metadata.json}) is not checked again.
     *
     * @param count the number of images to check, at most {@link #size()}
     * @throws BadDataFileException for the first file that is missing or bad, naming it
     * @throws IOException if a folder cannot be listed
     */
    public void checkFiles(long count) throws IOException {
        String key = dir.toAbsolutePath().normalize() + "|"
                + Files.getLastModifiedTime(dir.resolve(METADATA)).toMillis();
        Long done = CHECKED.get(key);
        if (done != null && done >= count) {
            return;
        }
        PathfinderConfig c = metadata.getConfig();
        for (String sub : new String[] {IMAGES, MASKS}) {
            Path folder = dir.resolve(sub);
            if (!Files.isDirectory(folder)) {
                throw new BadDataFileException(folder, "is missing (" + METADATA + " lists "
                        + metadata.getCount() + " images)");
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(folder, "*.png")) {
                for (Path f : ds) {
                    names.add(f.getFileName().toString());
                }
            }
            for (long i = 0; i < count; i++) {
                Path f = folder.resolve(fileName(i));
                if (!names.contains(fileName(i))) {
                    throw new BadDataFileException(f, "is missing (" + METADATA + " lists "
                            + metadata.getCount() + " images)");
                }
                // a full decode: colour, transparency and mask values are only in the pixels
                if (sub.equals(IMAGES)) {
                    PathfinderImages.readImage(f, c.getOutputWidth(), c.getOutputHeight());
                } else {
                    PathfinderImages.readMask(f, c.getOutputWidth(), c.getOutputHeight());
                }
            }
        }
        CHECKED.merge(key, count, Math::max);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /** Removes this format's files only: metadata.json and the PNGs in images/ and masks/. */
    private static void clean(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(METADATA));
        for (String sub : new String[] {IMAGES, MASKS}) {
            Path d = dir.resolve(sub);
            if (Files.isDirectory(d)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, "*.png")) {
                    for (Path f : ds) {
                        Files.delete(f);
                    }
                }
            }
        }
    }
}
