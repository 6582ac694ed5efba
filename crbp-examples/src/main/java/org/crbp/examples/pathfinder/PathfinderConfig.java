package org.crbp.examples.pathfinder;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Every parameter of the Pathfinder generator (the original generator's settings, see
 * {@code docs/pathfinder.md}), immutable and validated.
 *
 * <p>Lengths are in canvas pixels. The generator draws on a {@code canvasWidth x canvasHeight}
 * canvas (each paddle supersampled {@code antialias x antialias} times per pixel, i.e. drawn at
 * {@code antialias x} resolution and box-downsampled), then box-downsamples the finished image by
 * {@code downsample} to the network resolution.
 *
 * <p>Build one with {@link #builder()} (defaults are the paper's {@code pf-14} geometry) or take a
 * preset's with {@link PathfinderPreset#config()}.
 */
public final class PathfinderConfig {

    private final int canvasWidth;
    private final int canvasHeight;
    private final int downsample;
    private final int antialias;
    private final int padding;
    private final double paddleLength;
    private final double paddleThickness;
    private final double paddleMargin;
    private final double continuity;
    private final double markerRadius;
    private final double seedDistance;
    private final int contourLength;
    private final int distractorLength;
    private final int numDistractors;
    private final double contrast;
    private final int maxPaddleRetrial;
    private final int maxDistractorRetrial;
    private final int maxTargetAttempts;
    private final double occupiedThreshold;
    private final double collisionThreshold;
    private final double availabilityStop;
    private final double targetThreshold;
    private final double maskThreshold;

    private PathfinderConfig(Builder b) {
        canvasWidth = b.canvasWidth;
        canvasHeight = b.canvasHeight;
        downsample = b.downsample;
        antialias = b.antialias;
        padding = b.padding;
        paddleLength = b.paddleLength;
        paddleThickness = b.paddleThickness;
        paddleMargin = b.paddleMargin;
        continuity = b.continuity;
        markerRadius = b.markerRadius;
        seedDistance = b.seedDistance;
        contourLength = b.contourLength;
        distractorLength = b.distractorLength < 0 ? contourLength / 3 : b.distractorLength;
        numDistractors =
                b.numDistractors >= 0
                        ? b.numDistractors
                        : (distractorLength > 0 ? 30 / distractorLength : 0);
        contrast = b.contrast;
        maxPaddleRetrial = b.maxPaddleRetrial;
        maxDistractorRetrial = b.maxDistractorRetrial;
        maxTargetAttempts = b.maxTargetAttempts;
        occupiedThreshold = b.occupiedThreshold;
        collisionThreshold = b.collisionThreshold;
        availabilityStop = b.availabilityStop;
        targetThreshold = b.targetThreshold;
        maskThreshold = b.maskThreshold;
        validate();
    }

    /**
     * Returns a builder with the paper's {@code pf-14} defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder initialised with this configuration's values. The distractor settings
     * are copied as explicit values, so a later {@code setContourLength} does not re-derive
     * them; call {@code optDistractors} as well.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.canvasWidth = canvasWidth;
        b.canvasHeight = canvasHeight;
        b.downsample = downsample;
        b.antialias = antialias;
        b.padding = padding;
        b.paddleLength = paddleLength;
        b.paddleThickness = paddleThickness;
        b.paddleMargin = paddleMargin;
        b.continuity = continuity;
        b.markerRadius = markerRadius;
        b.seedDistance = seedDistance;
        b.contourLength = contourLength;
        b.distractorLength = distractorLength;
        b.numDistractors = numDistractors;
        b.contrast = contrast;
        b.maxPaddleRetrial = maxPaddleRetrial;
        b.maxDistractorRetrial = maxDistractorRetrial;
        b.maxTargetAttempts = maxTargetAttempts;
        b.occupiedThreshold = occupiedThreshold;
        b.collisionThreshold = collisionThreshold;
        b.availabilityStop = availabilityStop;
        b.targetThreshold = targetThreshold;
        b.maskThreshold = maskThreshold;
        return b;
    }

    /** Checks every value, then what the values must allow together; one error lists all. */
    private void validate() {
        StringBuilder err = new StringBuilder();
        checkDrawing(err);
        checkContours(err);
        if (err.length() == 0 && contrast <= targetThreshold) {
            err.append("contrast ")
                    .append(contrast)
                    .append(" must exceed the target threshold ")
                    .append(targetThreshold)
                    .append(", or the target would hold the marker only; ");
        }
        if (err.length() == 0) {
            checkRoom(err);
        }
        if (err.length() > 0) {
            err.setLength(err.length() - 2);
            throw new IllegalArgumentException("Invalid Pathfinder configuration: " + err);
        }
    }

    /** The canvas, the paddles and the markers. */
    private void checkDrawing(StringBuilder err) {
        if (canvasWidth < 8 || canvasHeight < 8) {
            err.append("canvas must be at least 8x8, got ")
                    .append(canvasWidth)
                    .append('x')
                    .append(canvasHeight)
                    .append("; ");
        }
        if (downsample < 1 || canvasWidth % downsample != 0 || canvasHeight % downsample != 0) {
            err.append("downsample must be >= 1 and divide the canvas size ")
                    .append(canvasWidth)
                    .append('x')
                    .append(canvasHeight)
                    .append(", got ")
                    .append(downsample)
                    .append("; ");
        }
        if (antialias < 1 || antialias > 16) {
            err.append("antialias must be in [1, 16], got ").append(antialias).append("; ");
        }
        if (padding < 0) {
            err.append("padding must be >= 0, got ").append(padding).append("; ");
        }
        if (!(paddleLength > 0) || !(paddleThickness > 0) || !(paddleMargin >= 0)) {
            err.append("paddle length and thickness must be > 0 and margin >= 0, got length ")
                    .append(paddleLength)
                    .append(", thickness ")
                    .append(paddleThickness)
                    .append(", margin ")
                    .append(paddleMargin)
                    .append("; ");
        }
        if (!(continuity >= 0) || Double.isInfinite(continuity)) {
            err.append("continuity must be finite and >= 0, got ").append(continuity).append("; ");
        }
        if (!(markerRadius > 0) || !(seedDistance > 0)) {
            err.append("marker radius and seed distance must be > 0, got ")
                    .append(markerRadius)
                    .append(", ")
                    .append(seedDistance)
                    .append("; ");
        }
    }

    /** The contours, the contrast, the retries and the thresholds. */
    private void checkContours(StringBuilder err) {
        if (contourLength < 1) {
            err.append("contour length must be >= 1, got ").append(contourLength).append("; ");
        }
        if (numDistractors < 0 || (numDistractors > 0 && distractorLength < 1)) {
            err.append("impossible distractors: ")
                    .append(numDistractors)
                    .append(" contours of ")
                    .append(distractorLength)
                    .append(" paddles; ");
        }
        if (!(contrast > 0 && contrast <= 1)) {
            err.append("contrast must be in (0, 1], got ").append(contrast).append("; ");
        }
        if (maxPaddleRetrial < 0 || maxDistractorRetrial < 0 || maxTargetAttempts < 1) {
            err.append("retry limits must be >= 0 (target attempts >= 1); ");
        }
        if (!(occupiedThreshold >= 0 && occupiedThreshold < 1)
                || !(collisionThreshold > 1 && collisionThreshold <= 2)
                || !(availabilityStop >= 0 && availabilityStop < 1)
                || !(targetThreshold > 0 && targetThreshold < 1)
                || !(maskThreshold >= 0 && maskThreshold < 1)) {
            err.append("thresholds out of range (occupied in [0,1), collision in (1,2],")
                    .append(" availability in [0,1), target and mask in (0,1)); ");
        }
    }

    /** Whether the first seed and all the paddles fit on the canvas. */
    private void checkRoom(StringBuilder err) {
        // Geometry: the first target seed must find free space inside the seed band.
        double band = 2 * seedDistance;
        double reach = paddleLength + paddleMargin + paddleThickness / 2;
        double inner = Math.min(canvasWidth, canvasHeight) - 2 * Math.max(band, padding);
        if (inner <= 2 * reach) {
            err.append("canvas ")
                    .append(canvasWidth)
                    .append('x')
                    .append(canvasHeight)
                    .append(" too small: the first target seed must lie more than 2 x seed")
                    .append(" distance (")
                    .append(band)
                    .append(" px) and the padding (")
                    .append(padding)
                    .append(" px) from every border, which leaves no room for a paddle; ");
        }
        // Area: all paddles with their collision margins must fit in the free canvas.
        double paddleArea =
                (paddleLength + 2 * paddleMargin) * (paddleThickness + 2 * paddleMargin);
        long paddles = 2L * contourLength + (long) numDistractors * distractorLength;
        double free =
                Math.max(0, canvasWidth - 2.0 * padding)
                        * Math.max(0, canvasHeight - 2.0 * padding);
        if (paddles * paddleArea > free) {
            err.append("impossible: ")
                    .append(paddles)
                    .append(" paddles (2 target contours of ")
                    .append(contourLength)
                    .append(" and ")
                    .append(numDistractors)
                    .append(" distractors of ")
                    .append(distractorLength)
                    .append(") need about ")
                    .append(Math.round(paddles * paddleArea))
                    .append(" px^2 but the canvas inside the padding has ")
                    .append(Math.round(free))
                    .append(" px^2; ");
        }
    }

    /** @return canvas width in pixels (drawing resolution) */
    public int getCanvasWidth() {
        return canvasWidth;
    }

    /** @return canvas height in pixels (drawing resolution) */
    public int getCanvasHeight() {
        return canvasHeight;
    }

    /** @return the integer box-downsampling factor from canvas to network resolution */
    public int getDownsample() {
        return downsample;
    }

    /** @return the output (network) image width */
    public int getOutputWidth() {
        return canvasWidth / downsample;
    }

    /** @return the output (network) image height */
    public int getOutputHeight() {
        return canvasHeight / downsample;
    }

    /** @return supersampling per axis when drawing paddles and markers (2 in the original) */
    public int getAntialias() {
        return antialias;
    }

    /** @return border padding in canvas pixels, marked occupied */
    public int getPadding() {
        return padding;
    }

    /** @return paddle length L */
    public double getPaddleLength() {
        return paddleLength;
    }

    /** @return paddle thickness */
    public double getPaddleThickness() {
        return paddleThickness;
    }

    /** @return paddle margin m (gap between successive paddles is 2m) */
    public double getPaddleMargin() {
        return paddleMargin;
    }

    /** @return the continuity factor of the direction weighting (1.8 in the original) */
    public double getContinuity() {
        return continuity;
    }

    /** @return radius of the marker disk */
    public double getMarkerRadius() {
        return markerRadius;
    }

    /** @return distance between the tails of the two target seeds */
    public double getSeedDistance() {
        return seedDistance;
    }

    /** @return number of paddles in each of the two target contours */
    public int getContourLength() {
        return contourLength;
    }

    /** @return paddles per distractor contour */
    public int getDistractorLength() {
        return distractorLength;
    }

    /** @return number of distractor contours attempted */
    public int getNumDistractors() {
        return numDistractors;
    }

    /** @return ink value of a paddle */
    public double getContrast() {
        return contrast;
    }

    /** @return extra tries per paddle (the original's max_paddle_retrial, so tries = this + 1) */
    public int getMaxPaddleRetrial() {
        return maxPaddleRetrial;
    }

    /** @return extra tries per distractor contour (tries = this + 1) */
    public int getMaxDistractorRetrial() {
        return maxDistractorRetrial;
    }

    /** @return bound on attempts to place the two target contours before giving up */
    public int getMaxTargetAttempts() {
        return maxTargetAttempts;
    }

    /** @return a collision-mask value above this counts as occupied when seeding (0.3) */
    public double getOccupiedThreshold() {
        return occupiedThreshold;
    }

    /** @return a paddle is rejected where occupancy plus its mask reaches this (1.8) */
    public double getCollisionThreshold() {
        return collisionThreshold;
    }

    /** @return a distractor is abandoned when fewer than this fraction of pixels is free */
    public double getAvailabilityStop() {
        return availabilityStop;
    }

    /** @return canvas target pixels are those above this (0.5) */
    public double getTargetThreshold() {
        return targetThreshold;
    }

    /** @return the downsampled mask is the area average above this (0.2, as the reference) */
    public double getMaskThreshold() {
        return maskThreshold;
    }

    /**
     * Returns all parameters by name, in a stable order (used for {@code metadata.json}).
     *
     * @return an ordered map of parameter names to values
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("canvasWidth", canvasWidth);
        m.put("canvasHeight", canvasHeight);
        m.put("downsample", downsample);
        m.put("outputWidth", getOutputWidth());
        m.put("outputHeight", getOutputHeight());
        m.put("antialias", antialias);
        m.put("padding", padding);
        m.put("paddleLength", paddleLength);
        m.put("paddleThickness", paddleThickness);
        m.put("paddleMargin", paddleMargin);
        m.put("continuity", continuity);
        m.put("markerRadius", markerRadius);
        m.put("seedDistance", seedDistance);
        m.put("contourLength", contourLength);
        m.put("distractorLength", distractorLength);
        m.put("numDistractors", numDistractors);
        m.put("contrast", contrast);
        m.put("maxPaddleRetrial", maxPaddleRetrial);
        m.put("maxDistractorRetrial", maxDistractorRetrial);
        m.put("maxTargetAttempts", maxTargetAttempts);
        m.put("occupiedThreshold", occupiedThreshold);
        m.put("collisionThreshold", collisionThreshold);
        m.put("availabilityStop", availabilityStop);
        m.put("targetThreshold", targetThreshold);
        m.put("maskThreshold", maskThreshold);
        return m;
    }

    /**
     * Rebuilds a configuration from {@link #toMap()} output (numbers may come back as doubles,
     * as from JSON).
     *
     * @param m the parameter map
     * @return the configuration
     * @throws IllegalArgumentException if a parameter is missing or invalid
     */
    public static PathfinderConfig fromMap(Map<String, ?> m) {
        Builder b = builder();
        b.canvasWidth = intOf(m, "canvasWidth");
        b.canvasHeight = intOf(m, "canvasHeight");
        b.downsample = intOf(m, "downsample");
        b.antialias = intOf(m, "antialias");
        b.padding = intOf(m, "padding");
        b.paddleLength = dblOf(m, "paddleLength");
        b.paddleThickness = dblOf(m, "paddleThickness");
        b.paddleMargin = dblOf(m, "paddleMargin");
        b.continuity = dblOf(m, "continuity");
        b.markerRadius = dblOf(m, "markerRadius");
        b.seedDistance = dblOf(m, "seedDistance");
        b.contourLength = intOf(m, "contourLength");
        b.distractorLength = intOf(m, "distractorLength");
        b.numDistractors = intOf(m, "numDistractors");
        b.contrast = dblOf(m, "contrast");
        b.maxPaddleRetrial = intOf(m, "maxPaddleRetrial");
        b.maxDistractorRetrial = intOf(m, "maxDistractorRetrial");
        b.maxTargetAttempts = intOf(m, "maxTargetAttempts");
        b.occupiedThreshold = dblOf(m, "occupiedThreshold");
        b.collisionThreshold = dblOf(m, "collisionThreshold");
        b.availabilityStop = dblOf(m, "availabilityStop");
        b.targetThreshold = dblOf(m, "targetThreshold");
        b.maskThreshold = dblOf(m, "maskThreshold");
        return b.build();
    }

    private static Object need(Map<String, ?> m, String k) {
        Object v = m.get(k);
        if (v == null) {
            throw new IllegalArgumentException("Pathfinder configuration lacks parameter " + k);
        }
        return v;
    }

    private static int intOf(Map<String, ?> m, String k) {
        Object v = need(m, k);
        if (v instanceof Number) {
            double d = ((Number) v).doubleValue();
            if (d == Math.rint(d)) {
                return (int) d;
            }
        }
        throw new IllegalArgumentException("Pathfinder parameter " + k + " must be an integer: " + v);
    }

    private static double dblOf(Map<String, ?> m, String k) {
        Object v = need(m, k);
        if (v instanceof Number) {
            return ((Number) v).doubleValue();
        }
        throw new IllegalArgumentException("Pathfinder parameter " + k + " must be a number: " + v);
    }

    /** {@inheritDoc} */
    @Override
    public boolean equals(Object o) {
        return o instanceof PathfinderConfig && toMap().equals(((PathfinderConfig) o).toMap());
    }

    /** {@inheritDoc} */
    @Override
    public int hashCode() {
        return Objects.hash(toMap());
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "PathfinderConfig" + toMap();
    }

    /** Builder of {@link PathfinderConfig}; every setting has the paper's pf-14 default. */
    public static final class Builder {
        int canvasWidth = 300;
        int canvasHeight = 300;
        int downsample = 2;
        int antialias = 2;
        int padding = 22;
        double paddleLength = 5;
        double paddleThickness = 2;
        double paddleMargin = 3;
        double continuity = 1.8;
        double markerRadius = 5;
        double seedDistance = 27;
        int contourLength = 14;
        int distractorLength = -1;
        int numDistractors = -1;
        double contrast = 1.0;
        int maxPaddleRetrial = 2;
        int maxDistractorRetrial = 4;
        int maxTargetAttempts = 10000;
        double occupiedThreshold = 0.3;
        double collisionThreshold = 1.8;
        double availabilityStop = 0.01;
        double targetThreshold = 0.5;
        double maskThreshold = 0.2;

        Builder() {}

        /**
         * Sets the canvas (drawing) size.
         *
         * @param width canvas width in pixels
         * @param height canvas height in pixels
         * @return this builder
         */
        public Builder optCanvas(int width, int height) {
            canvasWidth = width;
            canvasHeight = height;
            return this;
        }

        /**
         * Sets the box-downsampling factor from canvas to network resolution (default 2).
         *
         * @param factor an integer dividing the canvas size
         * @return this builder
         */
        public Builder optDownsample(int factor) {
            downsample = factor;
            return this;
        }

        /**
         * Sets the per-axis supersampling used to antialias paddles and markers (default 2).
         *
         * @param scale the antialias scale
         * @return this builder
         */
        public Builder optAntialias(int scale) {
            antialias = scale;
            return this;
        }

        /**
         * Sets the occupied border (default 22).
         *
         * @param pixels padding in canvas pixels
         * @return this builder
         */
        public Builder optPadding(int pixels) {
            padding = pixels;
            return this;
        }

        /**
         * Sets the paddle geometry (defaults 5, 2, 3).
         *
         * @param length paddle length L
         * @param thickness paddle thickness
         * @param margin paddle margin m; successive paddles are 2m apart
         * @return this builder
         */
        public Builder optPaddle(double length, double thickness, double margin) {
            paddleLength = length;
            paddleThickness = thickness;
            paddleMargin = margin;
            return this;
        }

        /**
         * Sets the continuity factor (default 1.8): candidate directions are weighted by
         * {@code max(cos(min(continuity * delta, pi/2)), 0)^2}.
         *
         * @param continuity the continuity factor
         * @return this builder
         */
        public Builder optContinuity(double continuity) {
            this.continuity = continuity;
            return this;
        }

        /**
         * Sets the marker disk radius (default 5).
         *
         * @param radius the radius in canvas pixels
         * @return this builder
         */
        public Builder optMarkerRadius(double radius) {
            markerRadius = radius;
            return this;
        }

        /**
         * Sets the distance between the two target seeds (default 27).
         *
         * @param distance the distance in canvas pixels
         * @return this builder
         */
        public Builder optSeedDistance(double distance) {
            seedDistance = distance;
            return this;
        }

        /**
         * Sets the number of paddles of each target contour (default 14). Unless set
         * explicitly, the distractor length becomes {@code contourLength / 3} and the number of
         * distractors {@code 30 / distractorLength} (integer division, as the original).
         *
         * @param paddles the contour length
         * @return this builder
         */
        public Builder setContourLength(int paddles) {
            contourLength = paddles;
            return this;
        }

        /**
         * Sets the distractor contours explicitly.
         *
         * @param count number of distractor contours
         * @param paddles paddles per distractor contour
         * @return this builder
         */
        public Builder optDistractors(int count, int paddles) {
            numDistractors = count;
            distractorLength = paddles;
            return this;
        }

        /**
         * Sets the paddle ink value (default 1).
         *
         * @param contrast in (0, 1]
         * @return this builder
         */
        public Builder optContrast(double contrast) {
            this.contrast = contrast;
            return this;
        }

        /**
         * Sets the retry bounds.
         *
         * @param paddleRetrial extra tries per paddle (default 2)
         * @param distractorRetrial extra tries per distractor contour (default 4)
         * @param targetAttempts attempts to place both target contours before failing (default
         *     10000; the original retries forever)
         * @return this builder
         */
        public Builder optRetries(int paddleRetrial, int distractorRetrial, int targetAttempts) {
            maxPaddleRetrial = paddleRetrial;
            maxDistractorRetrial = distractorRetrial;
            maxTargetAttempts = targetAttempts;
            return this;
        }

        /**
         * Sets the thresholds of the algorithm.
         *
         * @param occupied occupancy above this blocks a seed (default 0.3)
         * @param collision occupancy plus paddle mask reaching this rejects a paddle (1.8)
         * @param availability distractors stop below this free fraction (0.01)
         * @param target canvas target pixels are above this (0.5)
         * @param mask downsampled mask pixels are above this (0.2)
         * @return this builder
         */
        public Builder optThresholds(
                double occupied,
                double collision,
                double availability,
                double target,
                double mask) {
            occupiedThreshold = occupied;
            collisionThreshold = collision;
            availabilityStop = availability;
            targetThreshold = target;
            maskThreshold = mask;
            return this;
        }

        /**
         * Builds and validates the configuration.
         *
         * @return the configuration
         * @throws IllegalArgumentException with every problem found
         */
        public PathfinderConfig build() {
            return new PathfinderConfig(this);
        }
    }
}
