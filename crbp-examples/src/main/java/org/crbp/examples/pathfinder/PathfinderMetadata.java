package org.crbp.examples.pathfinder;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The contents of a generated folder's {@code metadata.json}: preset name, every parameter,
 * seed, first index, count, image size and generator version.
 */
public final class PathfinderMetadata {

    /** Name used for configurations that are not a preset. */
    public static final String CUSTOM = "custom";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private final String preset;
    private final PathfinderConfig config;
    private final long seed;
    private final long firstIndex;
    private final long count;
    private final String generatorVersion;

    /**
     * Creates metadata.
     *
     * @param preset the preset name, or {@link #CUSTOM}
     * @param config the configuration
     * @param seed the dataset seed
     * @param firstIndex the index of the first image ({@code 000000.png})
     * @param count the number of images
     * @param generatorVersion the generator version
     */
    public PathfinderMetadata(
            String preset,
            PathfinderConfig config,
            long seed,
            long firstIndex,
            long count,
            String generatorVersion) {
        this.preset = Objects.requireNonNull(preset, "preset");
        this.config = Objects.requireNonNull(config, "config");
        this.seed = seed;
        this.firstIndex = firstIndex;
        this.count = count;
        this.generatorVersion = Objects.requireNonNull(generatorVersion, "generatorVersion");
    }

    /** @return the preset name, or {@link #CUSTOM} */
    public String getPreset() {
        return preset;
    }

    /** @return the configuration */
    public PathfinderConfig getConfig() {
        return config;
    }

    /** @return the dataset seed */
    public long getSeed() {
        return seed;
    }

    /** @return the generator index of the first file */
    public long getFirstIndex() {
        return firstIndex;
    }

    /** @return the number of images */
    public long getCount() {
        return count;
    }

    /** @return the version of the generator that wrote the folder */
    public String getGeneratorVersion() {
        return generatorVersion;
    }

    /**
     * Serialises to pretty-printed JSON.
     *
     * @return the JSON text
     */
    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("format", "crbp-pathfinder");
        o.addProperty("generatorVersion", generatorVersion);
        o.addProperty("preset", preset);
        o.addProperty("seed", seed);
        o.addProperty("firstIndex", firstIndex);
        o.addProperty("count", count);
        o.addProperty("imageWidth", config.getOutputWidth());
        o.addProperty("imageHeight", config.getOutputHeight());
        o.addProperty("images", "images/NNNNNN.png, 8-bit grayscale, value/255 in [0,1]");
        o.addProperty("masks", "masks/NNNNNN.png, 8-bit grayscale, 255 on the target, 0 elsewhere");
        o.add("parameters", GSON.toJsonTree(config.toMap()));
        return GSON.toJson(o) + "\n";
    }

    /**
     * Parses {@code metadata.json} text.
     *
     * @param json the JSON text
     * @return the metadata
     * @throws IllegalArgumentException if the text is not valid Pathfinder metadata
     */
    public static PathfinderMetadata fromJson(String json) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            JsonElement format = o.get("format");
            if (format == null || !"crbp-pathfinder".equals(format.getAsString())) {
                throw new IllegalArgumentException("not a crbp-pathfinder metadata file");
            }
            Map<String, Object> params = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("parameters").entrySet()) {
                params.put(e.getKey(), e.getValue().getAsNumber().doubleValue());
            }
            return new PathfinderMetadata(
                    o.get("preset").getAsString(),
                    PathfinderConfig.fromMap(params),
                    o.get("seed").getAsLong(),
                    o.get("firstIndex").getAsLong(),
                    o.get("count").getAsLong(),
                    o.get("generatorVersion").getAsString());
        } catch (JsonParseException | IllegalStateException | NullPointerException
                | UnsupportedOperationException | NumberFormatException e) {
            // the parser's own words without Java class names: where and what is wrong
            String why = e.getMessage() != null && !(e instanceof NullPointerException)
                    ? e.getMessage().replaceAll("^([a-z]+(\\.[a-zA-Z]+)+: )+", "")
                    : "a field is missing or has the wrong type";
            throw new IllegalArgumentException("is not a valid Pathfinder metadata.json (" + why
                    + ")", e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "preset "
                + preset
                + ", seed "
                + seed
                + ", images "
                + firstIndex
                + ".."
                + (firstIndex + count - 1)
                + ", generator version "
                + generatorVersion;
    }
}
