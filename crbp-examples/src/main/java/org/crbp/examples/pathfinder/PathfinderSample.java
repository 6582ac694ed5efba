package org.crbp.examples.pathfinder;

import java.util.Collections;
import java.util.List;

/**
 * One generated Pathfinder image with its segmentation mask and the geometry that produced it.
 *
 * <p>{@link #getImage()} is the network-resolution grayscale image, row-major, values {@code k /
 * 255} in [0, 1] (quantised to 8 bits so that an image written as PNG reads back identical).
 * {@link #getMask()} is the binary target (1 on the traced contour and the marker). Contour
 * geometry is in canvas pixels.
 */
public final class PathfinderSample {

    private final long seed;
    private final long index;
    private final int width;
    private final int height;
    private final float[] image;
    private final byte[] mask;
    private final List<Contour> contours;
    private final int targetContour;
    private final int markerY;
    private final int markerX;
    private final int targetAttempts;
    private final Canvas canvas;

    PathfinderSample(
            long seed,
            long index,
            int width,
            int height,
            float[] image,
            byte[] mask,
            List<Contour> contours,
            int targetContour,
            int markerY,
            int markerX,
            int targetAttempts,
            Canvas canvas) {
        this.seed = seed;
        this.index = index;
        this.width = width;
        this.height = height;
        this.image = image;
        this.mask = mask;
        this.contours = Collections.unmodifiableList(contours);
        this.targetContour = targetContour;
        this.markerY = markerY;
        this.markerX = markerX;
        this.targetAttempts = targetAttempts;
        this.canvas = canvas;
    }

    /** @return the dataset seed this sample was generated from */
    public long getSeed() {
        return seed;
    }

    /** @return the index of this sample within its seed */
    public long getIndex() {
        return index;
    }

    /** @return the image width (network resolution) */
    public int getWidth() {
        return width;
    }

    /** @return the image height (network resolution) */
    public int getHeight() {
        return height;
    }

    /** @return the grayscale image, row-major, {@code height * width} values in [0, 1] */
    public float[] getImage() {
        return image;
    }

    /** @return the binary mask, row-major, {@code height * width} values in {0, 1} */
    public byte[] getMask() {
        return mask;
    }

    /**
     * Returns every contour drawn: index 0 and 1 are the two target contours (equal length),
     * the rest are distractors.
     *
     * @return the contours
     */
    public List<Contour> getContours() {
        return contours;
    }

    /** @return the index in {@link #getContours()} of the contour that carries the marker */
    public int getTargetContour() {
        return targetContour;
    }

    /** @return the number of distractor contours actually placed */
    public int getDistractorCount() {
        return contours.size() - 2;
    }

    /** @return the marker centre row, canvas pixels */
    public int getMarkerY() {
        return markerY;
    }

    /** @return the marker centre column, canvas pixels */
    public int getMarkerX() {
        return markerX;
    }

    /** @return attempts needed to place the two target contours (1 if the first succeeded) */
    public int getTargetAttempts() {
        return targetAttempts;
    }

    /**
     * Returns the canvas-resolution layers, present only when generated with {@link
     * PathfinderGenerator#generate(long, long, boolean)} and {@code keepCanvas} true.
     *
     * @return the canvas layers or {@code null}
     */
    public Canvas getCanvas() {
        return canvas;
    }

    /** A contour: an ordered chain of paddles, from the origin tip to the terminal tip. */
    public static final class Contour {
        private final List<Paddle> paddles;
        private final boolean target;

        Contour(List<Paddle> paddles, boolean target) {
            this.paddles = Collections.unmodifiableList(paddles);
            this.target = target;
        }

        /** @return the paddles in growth order */
        public List<Paddle> getPaddles() {
            return paddles;
        }

        /** @return whether this is one of the two target contours */
        public boolean isTarget() {
            return target;
        }
    }

    /**
     * One paddle: a thick segment drawn from ({@link #getStartY()}, {@link #getStartX()}) along
     * {@link #getDrawAngle()} for {@link #getLength()} pixels (y grows downwards, the angle is
     * {@code atan2(dy, dx)}). {@link #getGrowthAngle()} is the direction in which the contour
     * grew at this paddle, the angle the continuity constraint acts on.
     */
    public static final class Paddle {
        private final double startY;
        private final double startX;
        private final double drawAngle;
        private final double growthAngle;
        private final double length;

        Paddle(double startY, double startX, double drawAngle, double growthAngle, double length) {
            this.startY = startY;
            this.startX = startX;
            this.drawAngle = drawAngle;
            this.growthAngle = growthAngle;
            this.length = length;
        }

        /** @return the row where drawing starts */
        public double getStartY() {
            return startY;
        }

        /** @return the column where drawing starts */
        public double getStartX() {
            return startX;
        }

        /** @return the drawing direction in radians */
        public double getDrawAngle() {
            return drawAngle;
        }

        /** @return the growth direction in radians, in [-pi, pi] */
        public double getGrowthAngle() {
            return growthAngle;
        }

        /** @return the paddle length */
        public double getLength() {
            return length;
        }

        /** @return the row of the paddle centre */
        public double getCenterY() {
            return startY + 0.5 * length * Math.sin(drawAngle);
        }

        /** @return the column of the paddle centre */
        public double getCenterX() {
            return startX + 0.5 * length * Math.cos(drawAngle);
        }
    }

    /** Canvas-resolution layers of a sample, for inspection and tests. */
    public static final class Canvas {
        private final int width;
        private final int height;
        private final float[] image;
        private final float[] targetInk;
        private final float[] otherInk;

        Canvas(int width, int height, float[] image, float[] targetInk, float[] otherInk) {
            this.width = width;
            this.height = height;
            this.image = image;
            this.targetInk = targetInk;
            this.otherInk = otherInk;
        }

        /** @return canvas width */
        public int getWidth() {
            return width;
        }

        /** @return canvas height */
        public int getHeight() {
            return height;
        }

        /** @return the full canvas image before downsampling */
        public float[] getImage() {
            return image;
        }

        /** @return ink of the marked contour and the marker (the target before thresholding) */
        public float[] getTargetInk() {
            return targetInk;
        }

        /** @return ink of every other contour (the second target and the distractors) */
        public float[] getOtherInk() {
            return otherInk;
        }
    }
}
