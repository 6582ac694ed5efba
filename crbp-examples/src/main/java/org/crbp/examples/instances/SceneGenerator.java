/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.instances;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generates panoptic scenes whose instances take long-range grouping to segment.
 *
 * <p>Each RGB image holds 1 to 3 "stuff" regions (wavy cells of a partition, each with its own
 * texture: striped, checked, grainy) and several "thing" instances of up to three classes drawn
 * over them:
 *
 * <ul>
 *   <li><b>band</b>: thin (2-3 px) spirals and long wavy bands;
 *   <li><b>hook</b>: concave C shapes (arcs of 220-300 degrees) and U shapes;
 *   <li><b>comb</b>: a spine with teeth on one side.
 * </ul>
 *
 * <p>All instances of a class have the same colour with independent per-pixel noise, so nothing
 * local tells two of them apart. Half of the instances, where a same-class instance is already
 * placed, are drawn as its partner: the second arm of a double spiral, a band running alongside
 * at a one-pixel gap, a C or U nested in another (touching, or a pixel apart), a comb whose teeth
 * interleave with the other's and whose tips touch its spine. Which arm or tooth belongs to which
 * instance can then only be read by tracing it to its end. Instances are drawn in order, each
 * over the earlier ones (the occlusion order), so every pixel has one segment; an instance left
 * with too few visible pixels is dropped. Up to two small blobs of clutter are void (segment id
 * 0), as unlabelled pixels are in COCO.
 *
 * <p>Scene {@code i} depends only on the config and {@code i}: the same seed and index give the
 * same image, map and segment ids on every run and machine. Segment ids are random and distinct
 * (1 to {@code 2^24 - 1}), so the three colour channels of the segment PNGs are all used.
 */
public final class SceneGenerator {

    /** Category id of the band class. */
    public static final int BAND = 1;
    /** Category id of the hook class. */
    public static final int HOOK = 2;
    /** Category id of the comb class. */
    public static final int COMB = 3;
    /** Category id of the striped stuff. */
    public static final int STRIPED = 4;
    /** Category id of the checked stuff. */
    public static final int CHECKED = 5;
    /** Category id of the grainy stuff. */
    public static final int GRAINY = 6;

    private static final List<PanopticCategory> THINGS = List.of(
            new PanopticCategory(BAND, "band", "shape", true, 0xdc5a46),
            new PanopticCategory(HOOK, "hook", "shape", true, 0x46a0e1),
            new PanopticCategory(COMB, "comb", "shape", true, 0xe6cd4b));
    private static final List<PanopticCategory> STUFF = List.of(
            new PanopticCategory(STRIPED, "striped", "texture", false, 0x506e50),
            new PanopticCategory(CHECKED, "checked", "texture", false, 0x6e5a78),
            new PanopticCategory(GRAINY, "grainy", "texture", false, 0x786450));

    private static final double[][] THING_RGB = {
        {0.86, 0.36, 0.26}, {0.26, 0.62, 0.88}, {0.90, 0.80, 0.30}};
    private static final double[][] STUFF_RGB = {
        {0.30, 0.42, 0.30}, {0.42, 0.34, 0.46}, {0.46, 0.40, 0.30}};
    private static final double THING_NOISE = 0.07;
    private static final double STUFF_NOISE = 0.04;
    /** Stroke radius of bands and combs: pixel centres within it are on the shape (2-3 px). */
    private static final double THIN = 1.1;
    /** Stroke radius of hooks (3-4 px). */
    private static final double THICK = 1.6;
    /** Distance between the teeth of a comb. */
    private static final double PITCH = 8;

    private static final int SPIRAL = 0;
    private static final int WAVE = 1;
    private static final int ARC = 2;
    private static final int U_SHAPE = 3;
    private static final int COMB_SHAPE = 4;

    private final SceneConfig config;
    private final PanopticCategories categories;

    /**
     * Creates a generator.
     *
     * @param config the settings
     */
    public SceneGenerator(SceneConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.categories = categories(config.thingClasses());
    }

    /**
     * Returns the categories of scenes with a number of thing classes: the first {@code
     * thingClasses} of band (id 1), hook (2) and comb (3), then the stuff striped (4), checked
     * (5) and grainy (6).
     *
     * @param thingClasses 1 to 3
     * @return the categories
     */
    public static PanopticCategories categories(int thingClasses) {
        if (thingClasses < 1 || thingClasses > 3) {
            throw new IllegalArgumentException("thingClasses must be 1 to 3, got " + thingClasses);
        }
        List<PanopticCategory> all = new ArrayList<>(THINGS.subList(0, thingClasses));
        all.addAll(STUFF);
        return new PanopticCategories(all);
    }

    /**
     * Returns the settings.
     *
     * @return the settings
     */
    public SceneConfig getConfig() {
        return config;
    }

    /**
     * Returns the categories of this generator's scenes.
     *
     * @return the categories
     */
    public PanopticCategories getCategories() {
        return categories;
    }

    /**
     * Returns the file name of scene {@code index}, for its image and its segment map alike.
     *
     * @param index the scene index
     * @return {@code NNNNNN.png}, at least 6 digits
     */
    public static String fileName(long index) {
        return String.format(Locale.ROOT, "%06d.png", index);
    }

    /**
     * Generates scenes {@code firstIndex} to {@code firstIndex + count - 1}.
     *
     * @param firstIndex the first scene index
     * @param count how many
     * @return the scenes, in index order
     */
    public List<PanopticSample> generate(long firstIndex, int count) {
        if (firstIndex < 0 || count < 0) {
            throw new IllegalArgumentException("firstIndex and count must be >= 0, got "
                    + firstIndex + " and " + count);
        }
        List<PanopticSample> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(generate(firstIndex + i));
        }
        return out;
    }

    /**
     * Generates scenes {@code firstIndex} to {@code firstIndex + count - 1} into a COCO panoptic
     * folder (see {@link PanopticFolder#write}); a split's scenes are its own when the index
     * ranges of the splits do not overlap.
     *
     * @param dir the split's folder
     * @param firstIndex the first scene index
     * @param count how many scenes
     * @param overwrite whether an existing non-empty folder may be replaced
     * @throws IOException if writing fails
     */
    public void writeSplit(Path dir, long firstIndex, int count, boolean overwrite)
            throws IOException {
        PanopticFolder.write(dir, categories, generate(firstIndex, count), overwrite);
    }

    /**
     * Generates scene {@code index}: image id {@code index}, file names {@link #fileName}.
     *
     * @param index the scene index, {@code >= 0}
     * @return the scene
     */
    public PanopticSample generate(long index) {
        if (index < 0) {
            throw new IllegalArgumentException("scene index must be >= 0, got " + index);
        }
        SplittableRandom rng = new SplittableRandom(
                config.seed() * 0x9E3779B97F4A7C15L + index * 0xC2B2AE3D27D4EB4FL + 0x165667B1L);
        int s = config.size();
        double f = s / 96.0;
        int n = s * s;

        // stuff: a partition of the canvas into wavy cells of distinct categories
        int regions = 1 + rng.nextInt(3);
        int[] order = shuffled(rng, STUFF.size());
        double[] seedX = new double[regions];
        double[] seedY = new double[regions];
        for (int r = 0; r < regions; r++) {
            seedX[r] = s * (0.1 + 0.8 * rng.nextDouble());
            seedY[r] = s * (0.1 + 0.8 * rng.nextDouble());
        }
        double amp = (2 + 4 * rng.nextDouble()) * f;
        double lambda = (6 + 6 * rng.nextDouble()) * f;
        double ph1 = 2 * Math.PI * rng.nextDouble();
        double ph2 = 2 * Math.PI * rng.nextDouble();
        int[] stuffOf = new int[n]; // index into STUFF
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                double wx = x + 0.5 + amp * Math.sin((y + 0.5) / lambda + ph1);
                double wy = y + 0.5 + amp * Math.sin((x + 0.5) / lambda + ph2);
                int best = 0;
                double bestD = Double.MAX_VALUE;
                for (int r = 0; r < regions; r++) {
                    double d = (wx - seedX[r]) * (wx - seedX[r]) + (wy - seedY[r]) * (wy - seedY[r]);
                    if (d < bestD) {
                        bestD = d;
                        best = r;
                    }
                }
                stuffOf[y * s + x] = order[best];
            }
        }
        double stripeAngle = Math.PI * rng.nextDouble();
        double stripePhase = 2 * Math.PI * rng.nextDouble();

        // void clutter: small blobs of a random colour, over the stuff, under the things
        int[] clutterOf = new int[n]; // 0 = none, k = blob k
        int blobs = rng.nextInt(3);
        double[][] blobRgb = new double[blobs + 1][];
        for (int b = 1; b <= blobs; b++) {
            double cx = s * rng.nextDouble();
            double cy = s * rng.nextDouble();
            double rx = (2 + 2 * rng.nextDouble()) * f;
            double ry = (2 + 2 * rng.nextDouble()) * f;
            blobRgb[b] = new double[] {0.15 + 0.8 * rng.nextDouble(), 0.15 + 0.8 * rng.nextDouble(),
                0.15 + 0.8 * rng.nextDouble()};
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    double dx = (x + 0.5 - cx) / rx;
                    double dy = (y + 0.5 - cy) / ry;
                    if (dx * dx + dy * dy <= 1) {
                        clutterOf[y * s + x] = b;
                    }
                }
            }
        }

        // things, in occlusion order (later ones on top)
        int count = config.minInstances()
                + rng.nextInt(config.maxInstances() - config.minInstances() + 1);
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int cls = rng.nextInt(config.thingClasses());
            Shape partner = null;
            if (rng.nextDouble() < 0.5) {
                for (int j = shapes.size() - 1; j >= 0; j--) {
                    Shape o = shapes.get(j);
                    if (o.cls == cls && !o.partnered) {
                        partner = o;
                        break;
                    }
                }
            }
            Shape shape = partner != null ? partnerOf(partner, rng, s, f) : newShape(cls, rng, s, f);
            if (partner != null) {
                partner.partnered = true;
                shape.partnered = true;
            }
            shape.mask = rasterize(shape, s);
            shapes.add(shape);
        }
        // drop instances that occlusion leaves too small, until none is
        int minArea = Math.max(10, (int) Math.round(16 * f * f));
        int[] top = new int[n];
        while (true) {
            java.util.Arrays.fill(top, -1);
            for (int k = 0; k < shapes.size(); k++) {
                byte[] m = shapes.get(k).mask;
                for (int p = 0; p < n; p++) {
                    if (m[p] != 0) {
                        top[p] = k;
                    }
                }
            }
            int[] visible = new int[shapes.size()];
            for (int p = 0; p < n; p++) {
                if (top[p] >= 0) {
                    visible[top[p]]++;
                }
            }
            List<Shape> kept = new ArrayList<>();
            for (int k = 0; k < shapes.size(); k++) {
                if (visible[k] >= minArea) {
                    kept.add(shapes.get(k));
                }
            }
            if (kept.size() == shapes.size()) {
                break;
            }
            shapes = kept;
        }

        // segment ids: random and distinct
        Set<Integer> used = new HashSet<>();
        int[] thingId = new int[shapes.size()];
        for (int k = 0; k < shapes.size(); k++) {
            thingId[k] = freshId(rng, used);
        }
        int[] stuffId = new int[STUFF.size()];
        for (int c = 0; c < STUFF.size(); c++) {
            stuffId[c] = freshId(rng, used);
        }

        int[] ids = new int[n];
        float[] image = new float[3 * n];
        boolean[] stuffPresent = new boolean[STUFF.size()];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                int p = y * s + x;
                double[] rgb;
                double noise;
                if (top[p] >= 0) {
                    Shape sh = shapes.get(top[p]);
                    ids[p] = thingId[top[p]];
                    rgb = THING_RGB[sh.cls].clone();
                    noise = THING_NOISE;
                } else if (clutterOf[p] != 0) {
                    ids[p] = PanopticAnnotation.VOID;
                    rgb = blobRgb[clutterOf[p]].clone();
                    noise = STUFF_NOISE;
                } else {
                    int c = stuffOf[p];
                    ids[p] = stuffId[c];
                    stuffPresent[c] = true;
                    rgb = STUFF_RGB[c].clone();
                    double t;
                    if (STUFF.get(c).id() == STRIPED) {
                        double u = (x * Math.cos(stripeAngle) + y * Math.sin(stripeAngle)) / 6.0;
                        t = Math.sin(2 * Math.PI * u + stripePhase) >= 0 ? 0.07 : -0.07;
                        noise = STUFF_NOISE;
                    } else if (STUFF.get(c).id() == CHECKED) {
                        t = ((x / 4 + y / 4) & 1) == 0 ? 0.06 : -0.06;
                        noise = STUFF_NOISE;
                    } else {
                        t = 0;
                        noise = 0.12;
                    }
                    for (int ch = 0; ch < 3; ch++) {
                        rgb[ch] += t;
                    }
                }
                for (int ch = 0; ch < 3; ch++) {
                    double v = rgb[ch] + noise * (2 * rng.nextDouble() - 1);
                    // stored as 8-bit, so the image reads back from its PNG bit for bit
                    image[ch * n + p] = Math.round(Math.max(0, Math.min(1, v)) * 255) / 255f;
                }
            }
        }

        List<SegmentLabel> labels = new ArrayList<>();
        for (int k = 0; k < shapes.size(); k++) {
            labels.add(new SegmentLabel(thingId[k], THINGS.get(shapes.get(k).cls).id(), false));
        }
        for (int c = 0; c < STUFF.size(); c++) {
            if (stuffPresent[c]) {
                labels.add(new SegmentLabel(stuffId[c], STUFF.get(c).id(), false));
            }
        }
        String name = fileName(index);
        return new PanopticSample(name, image, PanopticAnnotation.of(index, name, s, s, ids,
                labels));
    }

    private static int freshId(SplittableRandom rng, Set<Integer> used) {
        while (true) {
            int id = 1 + rng.nextInt(PanopticAnnotation.MAX_ID);
            if (used.add(id)) {
                return id;
            }
        }
    }

    private static int[] shuffled(SplittableRandom rng, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** A thing's geometry: its kind and parameters, in pixels and radians. */
    private static final class Shape {
        final int cls;
        final int kind;
        final double cx;
        final double cy;
        final double angle;
        /** Kind-specific: spiral (r0, pitch b, turns), wave (length, amplitude, wavelength,
         *  phase), arc (radius, span), U (radius, leg), comb (spine, tooth, side). */
        final double[] p;
        boolean partnered;
        byte[] mask;

        Shape(int cls, int kind, double cx, double cy, double angle, double... p) {
            this.cls = cls;
            this.kind = kind;
            this.cx = cx;
            this.cy = cy;
            this.angle = angle;
            this.p = p;
        }
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    private static Shape newShape(int cls, SplittableRandom rng, int s, double f) {
        double cx = uniform(rng, 0.2, 0.8) * s;
        double cy = uniform(rng, 0.2, 0.8) * s;
        double angle = uniform(rng, 0, 2 * Math.PI);
        switch (cls) {
            case 0:
                if (rng.nextBoolean()) {
                    // arms 8 px apart, so a partner's arm fits between them with 1-px gaps
                    double b = 8 / (2 * Math.PI);
                    return new Shape(cls, SPIRAL, cx, cy, angle, uniform(rng, 2, 4), b,
                            uniform(rng, 1.25, 2.0) * Math.min(1, f + 0.2));
                }
                return new Shape(cls, WAVE, cx, cy, angle, uniform(rng, 0.45, 0.8) * s,
                        uniform(rng, 3, 8) * f, uniform(rng, 14, 28) * f,
                        uniform(rng, 0, 2 * Math.PI));
            case 1:
                if (rng.nextBoolean()) {
                    return new Shape(cls, ARC, cx, cy, angle, uniform(rng, 8, 16) * f,
                            Math.toRadians(uniform(rng, 220, 300)));
                }
                return new Shape(cls, U_SHAPE, cx, cy, angle, uniform(rng, 7, 13) * f,
                        uniform(rng, 6, 16) * f);
            default:
                return new Shape(cls, COMB_SHAPE, cx, cy, angle, uniform(rng, 24, 44) * f,
                        uniform(rng, 8, 14) * f, rng.nextBoolean() ? 1 : -1, 0);
        }
    }

    private static Shape partnerOf(Shape o, SplittableRandom rng, int s, double f) {
        double[] p = o.p;
        switch (o.kind) {
            case SPIRAL:
                // the second arm of a double spiral: the same spiral turned half a turn
                return new Shape(o.cls, SPIRAL, o.cx, o.cy, o.angle + Math.PI, p[0], p[1],
                        p[2] * uniform(rng, 0.8, 1.1));
            case WAVE: {
                // alongside at a 1-px gap (centre lines 4 px apart), shifted and of another length
                double nx = -Math.sin(o.angle);
                double ny = Math.cos(o.angle);
                double shift = uniform(rng, -0.3, 0.3) * p[0];
                double side = rng.nextBoolean() ? 4 : -4;
                return new Shape(o.cls, WAVE,
                        o.cx + side * nx + shift * Math.cos(o.angle),
                        o.cy + side * ny + shift * Math.sin(o.angle), o.angle,
                        p[0] * uniform(rng, 0.6, 1.0), p[1], p[2],
                        p[3] - 2 * Math.PI * shift / p[2]);
            }
            case ARC:
            case U_SHAPE: {
                // nested: centre lines one stroke width apart (touching) or one pixel more
                double step = 2 * THICK + (rng.nextBoolean() ? 1 : 2);
                double r = p[0] - step >= 4 ? p[0] - step : p[0] + step;
                if (o.kind == ARC) {
                    return new Shape(o.cls, ARC, o.cx, o.cy, uniform(rng, 0, 2 * Math.PI), r,
                            Math.toRadians(uniform(rng, 220, 300)));
                }
                return new Shape(o.cls, U_SHAPE, o.cx, o.cy, o.angle, r,
                        p[1] + uniform(rng, -4, 6) * f);
            }
            default: {
                // facing it: teeth interleaved half a pitch apart, tips touching the other spine
                double side = p[2];
                double nx = -Math.sin(o.angle) * side;
                double ny = Math.cos(o.angle) * side;
                double gap = p[1] + 2 * THIN + 1;
                double shift = uniform(rng, -0.3, 0.3) * p[0];
                shift = Math.round(shift / PITCH) * PITCH + PITCH / 2;
                return new Shape(o.cls, COMB_SHAPE,
                        o.cx + gap * nx + shift * Math.cos(o.angle),
                        o.cy + gap * ny + shift * Math.sin(o.angle), o.angle,
                        p[0] * uniform(rng, 0.7, 1.1), p[1], -side, 0);
            }
        }
    }

    /** Marks the pixels whose centres lie on the shape. */
    private static byte[] rasterize(Shape sh, int s) {
        byte[] m = new byte[s * s];
        double c = Math.cos(sh.angle);
        double sn = Math.sin(sh.angle);
        double[] p = sh.p;
        switch (sh.kind) {
            case SPIRAL: {
                Polyline line = new Polyline();
                double total = 2 * Math.PI * p[2];
                for (double t = 0; t <= total; ) {
                    double r = p[0] + p[1] * t;
                    line.add(sh.cx + r * Math.cos(t + sh.angle), sh.cy + r * Math.sin(t + sh.angle));
                    t += 0.6 / Math.max(r, 1);
                }
                line.stroke(m, s, THIN);
                break;
            }
            case WAVE: {
                Polyline line = new Polyline();
                for (double u = -p[0] / 2; u <= p[0] / 2; u += 0.5) {
                    double v = p[1] * Math.sin(2 * Math.PI * u / p[2] + p[3]);
                    line.add(sh.cx + u * c - v * sn, sh.cy + u * sn + v * c);
                }
                line.stroke(m, s, THIN);
                break;
            }
            case ARC: {
                Polyline line = new Polyline();
                for (double t = 0; t <= p[1]; t += 0.6 / p[0]) {
                    line.add(sh.cx + p[0] * Math.cos(sh.angle + t),
                            sh.cy + p[0] * Math.sin(sh.angle + t));
                }
                line.stroke(m, s, THICK);
                break;
            }
            case U_SHAPE: {
                // local frame: opening towards -y, legs of length p[1], bottom a half circle
                Polyline line = new Polyline();
                double r = p[0];
                line.addLocal(sh, -r, -p[1]);
                for (double t = Math.PI; t >= 0; t -= 0.6 / r) {
                    line.addLocal(sh, r * Math.cos(t), r * Math.sin(t));
                }
                line.addLocal(sh, r, 0);
                line.addLocal(sh, r, -p[1]);
                line.stroke(m, s, THICK);
                break;
            }
            default: {
                // spine along the local x axis, teeth towards local +y times side
                double half = p[0] / 2;
                Polyline spine = new Polyline();
                spine.addLocal(sh, -half, 0);
                spine.addLocal(sh, half, 0);
                spine.stroke(m, s, THIN);
                for (double u = -half + PITCH / 4; u <= half; u += PITCH) {
                    Polyline tooth = new Polyline();
                    tooth.addLocal(sh, u, 0);
                    tooth.addLocal(sh, u, p[2] * p[1]);
                    tooth.stroke(m, s, THIN);
                }
            }
        }
        return m;
    }

    /** A path of points, stroked with a round pen. */
    private static final class Polyline {
        private double[] xs = new double[64];
        private double[] ys = new double[64];
        private int n;

        void add(double x, double y) {
            if (n == xs.length) {
                xs = java.util.Arrays.copyOf(xs, 2 * n);
                ys = java.util.Arrays.copyOf(ys, 2 * n);
            }
            xs[n] = x;
            ys[n] = y;
            n++;
        }

        void addLocal(Shape sh, double u, double v) {
            double c = Math.cos(sh.angle);
            double sn = Math.sin(sh.angle);
            add(sh.cx + u * c - v * sn, sh.cy + u * sn + v * c);
        }

        /** Marks every pixel whose centre is within {@code radius} of the path. */
        void stroke(byte[] m, int s, double radius) {
            for (int k = 0; k < Math.max(1, n - 1); k++) {
                double ax = xs[k];
                double ay = ys[k];
                double bx = n > 1 ? xs[k + 1] : ax;
                double by = n > 1 ? ys[k + 1] : ay;
                int x0 = Math.max(0, (int) Math.floor(Math.min(ax, bx) - radius));
                int x1 = Math.min(s - 1, (int) Math.ceil(Math.max(ax, bx) + radius));
                int y0 = Math.max(0, (int) Math.floor(Math.min(ay, by) - radius));
                int y1 = Math.min(s - 1, (int) Math.ceil(Math.max(ay, by) + radius));
                double dx = bx - ax;
                double dy = by - ay;
                double len2 = dx * dx + dy * dy;
                for (int y = y0; y <= y1; y++) {
                    for (int x = x0; x <= x1; x++) {
                        double px = x + 0.5 - ax;
                        double py = y + 0.5 - ay;
                        double t = len2 == 0 ? 0 : Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
                        double ex = px - t * dx;
                        double ey = py - t * dy;
                        if (ex * ex + ey * ey <= radius * radius) {
                            m[y * s + x] = 1;
                        }
                    }
                }
            }
        }
    }
}
