package org.crbp.examples.pathfinder;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Named Pathfinder configurations.
 *
 * <ul>
 *   <li>{@code pf-14}, {@code pf-20}, {@code pf-25}: the paper's geometry, a 300x300 canvas
 *       downsampled to 150x150, distractors {@code 30 / (length / 3)} contours of {@code length
 *       / 3} paddles (7x4, 5x6, 3x8).
 *   <li>{@code pf-mini-14}, {@code pf-mini-20}, {@code pf-mini-25}: the same algorithm for CPU
 *       training, network input 64x64: a 256x256 canvas downsampled 4x, paddles 4 long, 4 thick, margin 2.5,
 *       marker radius 8, seed distance 24, padding 16, the same distractor counts; see {@code docs/pathfinder.md} for how the geometry was
 *       chosen.
 * </ul>
 */
public enum PathfinderPreset {
    /** The paper's Pathfinder-14: 300x300 canvas, 150x150 input, 7 distractors of 4. */
    PF_14("pf-14", paper(14)),
    /** The paper's Pathfinder-20: 300x300 canvas, 150x150 input, 5 distractors of 6. */
    PF_20("pf-20", paper(20)),
    /** The paper's Pathfinder-25: 300x300 canvas, 150x150 input, 3 distractors of 8. */
    PF_25("pf-25", paper(25)),
    /** CPU-size Pathfinder-14: 256x256 canvas, 64x64 input. */
    PF_MINI_14("pf-mini-14", mini(14)),
    /** CPU-size Pathfinder-20: 256x256 canvas, 64x64 input. */
    PF_MINI_20("pf-mini-20", mini(20)),
    /** CPU-size Pathfinder-25: 256x256 canvas, 64x64 input. */
    PF_MINI_25("pf-mini-25", mini(25));

    private final String presetName;
    private final PathfinderConfig config;

    PathfinderPreset(String presetName, PathfinderConfig config) {
        this.presetName = presetName;
        this.config = config;
    }

    private static PathfinderConfig paper(int length) {
        return PathfinderConfig.builder().setContourLength(length).build();
    }

    private static PathfinderConfig mini(int length) {
        int distractorLength = length / 3;
        return PathfinderConfig.builder()
                .optCanvas(MINI_CANVAS, MINI_CANVAS)
                .optDownsample(MINI_DOWNSAMPLE)
                .optPadding(MINI_PADDING)
                .optPaddle(MINI_LENGTH, MINI_THICKNESS, MINI_MARGIN)
                .optMarkerRadius(MINI_MARKER)
                .optSeedDistance(MINI_SEED_DISTANCE)
                .setContourLength(length)
                .optDistractors(MINI_DISTRACTOR_PADDLES / distractorLength, distractorLength)
                .build();
    }

    // Mini geometry (see docs/pathfinder.md, "The mini presets").
    private static final int MINI_CANVAS = 256;
    private static final int MINI_DOWNSAMPLE = 4;
    private static final int MINI_PADDING = 16;
    private static final double MINI_LENGTH = 4;
    private static final double MINI_THICKNESS = 4;
    private static final double MINI_MARGIN = 2.5;
    private static final double MINI_MARKER = 8;
    private static final double MINI_SEED_DISTANCE = 24;
    private static final int MINI_DISTRACTOR_PADDLES = 30;

    /**
     * Returns this preset's geometry (canvas, paddles, markers, distractors per paddle count) with
     * another contour length: the images of a curriculum over lengths.
     *
     * @param length the number of paddles of the target contour, at least 2
     * @return the configuration
     */
    public PathfinderConfig withContourLength(int length) {
        if (length < 2) {
            throw new IllegalArgumentException("A contour needs at least 2 paddles, got " + length);
        }
        if (length == config.getContourLength()) {
            return config;
        }
        return config.getOutputWidth() == 64 ? mini(length) : paper(length);
    }

    /** @return the preset's name, such as {@code pf-mini-14} */
    public String presetName() {
        return presetName;
    }

    /** @return the preset's configuration */
    public PathfinderConfig config() {
        return config;
    }

    /**
     * Looks a preset up by name ({@code pf-14}, case-insensitive; the enum constant name such as
     * {@code PF_MINI_14} is accepted too).
     *
     * @param name the preset name
     * @return the preset
     * @throws IllegalArgumentException listing the valid names if there is no such preset
     */
    public static PathfinderPreset byName(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (PathfinderPreset p : values()) {
                if (p.presetName.equals(n)) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException(
                "Unknown Pathfinder preset '"
                        + name
                        + "'; valid presets: "
                        + Arrays.stream(values())
                                .map(PathfinderPreset::presetName)
                                .collect(Collectors.joining(", ")));
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return presetName;
    }
}
