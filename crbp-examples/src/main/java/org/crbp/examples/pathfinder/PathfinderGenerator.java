package org.crbp.examples.pathfinder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The Pathfinder contour-tracing generator in segmentation mode, a new implementation of the
 * original algorithm (paper-facts section 6; {@code docs/pathfinder.md}).
 *
 * <p>Every image is a pure function of (configuration, seed, index): its random numbers come from
 * a {@link SplittableRandom} seeded by a mix of seed and index, never from a shared generator, so
 * the result does not depend on the number of threads or the order of generation. Instances are
 * immutable and thread-safe.
 */
public final class PathfinderGenerator {

    /** Version of the algorithm, recorded in {@code metadata.json}; bump on any output change. */
    public static final String VERSION = "1";

    private static final int REJECTION_TRIES = 64;

    private final PathfinderConfig cfg;
    private final int w;
    private final int h;
    private final int aa;
    private final double len;
    private final double halfT;
    private final double margin;
    /** Per integer degree (index deg + 180): offsets (dy, dx) fully inside a seed paddle's mask. */
    private final int[][] seedKernels;
    /** Candidate head offsets around a pivot, unique, sorted by (dy, dx), and their angles. */
    private final int[] candDy;
    private final int[] candDx;
    private final double[] candAngle;
    /** Disk of radius m used to dilate the occupancy when weighting candidates. */
    private final int[] diskDy;
    private final int[] diskDx;
    private final ThreadLocal<Workspace> workspaces;
    /** The occupancy of an empty canvas: 1 on the padding, 0 inside. */
    private final float[] emptyOccupancy;

    /**
     * Creates a generator.
     *
     * @param config the configuration
     */
    public PathfinderGenerator(PathfinderConfig config) {
        this.cfg = config;
        this.w = config.getCanvasWidth();
        this.h = config.getCanvasHeight();
        this.aa = config.getAntialias();
        this.len = config.getPaddleLength();
        this.halfT = config.getPaddleThickness() / 2;
        this.margin = config.getPaddleMargin();
        seedKernels = new int[360][];
        for (int d = 0; d < 360; d++) {
            seedKernels[d] = seedKernel(Math.toRadians(d - 180));
        }
        // Candidate heads on a circle of radius L + m sampled at a 1-pixel arc step, truncated
        // to integers (pivots are integers and in-bounds points non-negative: floor).
        double r = len + margin;
        double degPerPixel = 360.0 / (2 * r * Math.PI);
        int n = (int) Math.ceil(360.0 / degPerPixel);
        long[] keys = new long[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            double a = Math.toRadians(i * degPerPixel);
            if (i * degPerPixel >= 360.0) {
                break;
            }
            int dy = (int) Math.floor(r * Math.sin(a));
            int dx = (int) Math.floor(r * Math.cos(a));
            keys[k++] = ((long) (dy + 100000) << 32) | (dx + 100000);
        }
        long[] uniq = Arrays.stream(keys, 0, k).distinct().sorted().toArray();
        candDy = new int[uniq.length];
        candDx = new int[uniq.length];
        candAngle = new double[uniq.length];
        for (int i = 0; i < uniq.length; i++) {
            candDy[i] = (int) (uniq[i] >> 32) - 100000;
            candDx[i] = (int) (uniq[i] & 0xffffffffL) - 100000;
            candAngle[i] = Math.atan2(candDy[i], candDx[i]);
        }
        int rm = (int) Math.floor(margin);
        List<int[]> disk = new ArrayList<>();
        for (int dy = -rm; dy <= rm; dy++) {
            for (int dx = -rm; dx <= rm; dx++) {
                if (dy * dy + dx * dx <= margin * margin) {
                    disk.add(new int[] {dy, dx});
                }
            }
        }
        diskDy = disk.stream().mapToInt(o -> o[0]).toArray();
        diskDx = disk.stream().mapToInt(o -> o[1]).toArray();
        workspaces = ThreadLocal.withInitial(() -> new Workspace(w * h));
        emptyOccupancy = new float[w * h];
        int pad = config.getPadding();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (y < pad || y >= h - pad || x < pad || x >= w - pad) {
                    emptyOccupancy[y * w + x] = 1f;
                }
            }
        }
    }

    /**
     * Creates a generator for a preset.
     *
     * @param preset the preset
     */
    public PathfinderGenerator(PathfinderPreset preset) {
        this(preset.config());
    }

    /** @return the configuration */
    public PathfinderConfig getConfig() {
        return cfg;
    }

    /**
     * Generates image {@code index} of the dataset {@code seed}.
     *
     * @param seed the dataset seed
     * @param index the image index
     * @return the sample
     * @throws IllegalStateException if the two target contours could not be placed within the
     *     configured number of attempts
     */
    public PathfinderSample generate(long seed, long index) {
        return generate(seed, index, false);
    }

    /**
     * Generates image {@code index} of the dataset {@code seed}, optionally keeping the
     * canvas-resolution layers.
     *
     * @param seed the dataset seed
     * @param index the image index
     * @param keepCanvas whether to keep the canvas layers ({@link PathfinderSample#getCanvas()})
     * @return the sample
     * @throws IllegalStateException if the two target contours could not be placed within the
     *     configured number of attempts
     */
    public PathfinderSample generate(long seed, long index, boolean keepCanvas) {
        SplittableRandom rng = new SplittableRandom(mix(seed, index));
        Workspace ws = workspaces.get();
        return new Run(rng, ws).generate(seed, index, keepCanvas);
    }

    /**
     * Generates images {@code 0 .. count-1} of the dataset {@code seed} on {@code threads}
     * threads; the result is the same for any number of threads.
     *
     * @param seed the dataset seed
     * @param count the number of images
     * @param threads the number of threads ({@code <= 0}: all available processors)
     * @return the samples, in index order
     */
    public List<PathfinderSample> generateAll(long seed, int count, int threads) {
        PathfinderSample[] out = new PathfinderSample[count];
        forEach(seed, 0, count, threads, s -> out[(int) s.getIndex()] = s, null);
        return Arrays.asList(out);
    }

    /**
     * Generates images {@code first .. first+count-1} of dataset {@code seed} in parallel and
     * hands each to {@code sink} on the worker thread that made it (so {@code sink} must be
     * thread-safe; it may, for example, write the image to disk).
     *
     * @param seed the dataset seed
     * @param first the first index
     * @param count the number of images
     * @param threads the number of threads ({@code <= 0}: all available processors)
     * @param sink receives every sample, in no particular order
     * @param progress called with the number of images finished so far (from the worker
     *     threads), or {@code null}
     * @throws IllegalStateException if an image cannot be generated (the first failure is
     *     reported, with its cause)
     */
    public void forEach(
            long seed,
            long first,
            long count,
            int threads,
            Consumer<PathfinderSample> sink,
            LongConsumer progress) {
        int nThreads = threads <= 0 ? Runtime.getRuntime().availableProcessors() : threads;
        nThreads = (int) Math.max(1, Math.min(nThreads, count));
        AtomicLong next = new AtomicLong();
        AtomicLong done = new AtomicLong();
        AtomicBoolean failed = new AtomicBoolean();
        Runnable worker =
                () -> {
                    long i;
                    while (!failed.get() && (i = next.getAndIncrement()) < count) {
                        try {
                            sink.accept(generate(seed, first + i));
                        } catch (RuntimeException | Error e) {
                            failed.set(true);
                            throw e;
                        }
                        long d = done.incrementAndGet();
                        if (progress != null) {
                            progress.accept(d);
                        }
                    }
                };
        if (nThreads == 1) {
            worker.run();
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(nThreads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < nThreads; t++) {
                futures.add(pool.submit(worker));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException) {
                        throw (RuntimeException) c;
                    }
                    throw new IllegalStateException("Pathfinder generation failed", c);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Pathfinder generation interrupted", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Mixes a dataset seed and an image index into the seed of that image's random generator
     * (SplitMix64 finaliser applied twice).
     *
     * @param seed the dataset seed
     * @param index the image index
     * @return the per-image seed
     */
    public static long mix(long seed, long index) {
        long z = mix64(seed ^ 0x5DEECE66DL) + index * 0x9E3779B97F4A7C15L;
        return mix64(z ^ (z >>> 29));
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    // ------------------------------------------------------------------ drawing primitives

    /** A rendered paddle: ink and collision mask over a clipped bounding box. */
    static final class Patch {
        final int y0;
        final int x0;
        final int ph;
        final int pw;
        final float[] ink;
        final float[] mask;

        Patch(int y0, int x0, int ph, int pw) {
            this.y0 = y0;
            this.x0 = x0;
            this.ph = ph;
            this.pw = pw;
            this.ink = new float[ph * pw];
            this.mask = new float[ph * pw];
        }

        float maskAt(int y, int x) {
            int yy = y - y0;
            int xx = x - x0;
            if (yy < 0 || xx < 0 || yy >= ph || xx >= pw) {
                return 0f;
            }
            return mask[yy * pw + xx];
        }
    }

    /**
     * Renders a paddle drawn from (sy, sx) along angle for length L: ink is the antialiased
     * coverage of the flat-ended thick segment, the mask the coverage of that segment dilated by
     * a disk of radius m. Coverage is the fraction of {@code aa x aa} subsamples inside, the same
     * as drawing at {@code aa x} resolution and box-downsampling.
     */
    Patch paddle(double sy, double sx, double angle, int clipH, int clipW) {
        double dy = Math.sin(angle);
        double dx = Math.cos(angle);
        double ey = sy + len * dy;
        double ex = sx + len * dx;
        double reach = margin + halfT + 1;
        int y0 = Math.max(0, (int) Math.floor(Math.min(sy, ey) - reach));
        int y1 = Math.min(clipH - 1, (int) Math.ceil(Math.max(sy, ey) + reach));
        int x0 = Math.max(0, (int) Math.floor(Math.min(sx, ex) - reach));
        int x1 = Math.min(clipW - 1, (int) Math.ceil(Math.max(sx, ex) + reach));
        if (y1 < y0 || x1 < x0) {
            return new Patch(0, 0, 0, 0);
        }
        Patch p = new Patch(y0, x0, y1 - y0 + 1, x1 - x0 + 1);
        float inv = 1f / (aa * aa);
        float contrast = (float) cfg.getContrast();
        double m2 = margin * margin;
        // Subsamples lie within rs of the pixel centre: decide whole pixels from the centre
        // where possible (exactly the same result as testing every subsample).
        double rs = (0.5 - 0.5 / aa) * Math.sqrt(2) + 1e-9;
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double cy = y - sy;
                double cx = x - sx;
                double cu = cy * dy + cx * dx;
                double cv = Math.abs(cx * dy - cy * dx);
                double cdu = cu < 0 ? -cu : (cu > len ? cu - len : 0);
                double cdv = cv > halfT ? cv - halfT : 0;
                double dc = Math.sqrt(cdu * cdu + cdv * cdv);
                if (dc - rs > margin) {
                    continue;
                }
                int o0 = (y - y0) * p.pw + (x - x0);
                if (dc + rs <= margin && dc > rs) {
                    p.mask[o0] = 1f;
                    continue;
                }
                int ci = 0;
                int cm = 0;
                for (int a = 0; a < aa; a++) {
                    double py = y + (a + 0.5) / aa - 0.5 - sy;
                    for (int b = 0; b < aa; b++) {
                        double px = x + (b + 0.5) / aa - 0.5 - sx;
                        double u = py * dy + px * dx;
                        double v = Math.abs(px * dy - py * dx);
                        double du = u < 0 ? -u : (u > len ? u - len : 0);
                        double dv = v > halfT ? v - halfT : 0;
                        if (du == 0 && dv == 0) {
                            ci++;
                            cm++;
                        } else if (du * du + dv * dv <= m2) {
                            cm++;
                        }
                    }
                }
                int o = (y - y0) * p.pw + (x - x0);
                p.ink[o] = ci * inv * contrast;
                p.mask[o] = cm * inv;
            }
        }
        return p;
    }

    /** Offsets fully covered by the mask of a paddle whose tail is at the origin. */
    private int[] seedKernel(double angle) {
        int big = 4 * (int) Math.ceil(len + margin + halfT + 2);
        int c = big / 2;
        Patch p = paddle(c, c, angle, big, big);
        List<Integer> offs = new ArrayList<>();
        for (int i = 0; i < p.mask.length; i++) {
            if (p.mask[i] >= 1f) {
                offs.add(p.y0 + i / p.pw - c);
                offs.add(p.x0 + i % p.pw - c);
            }
        }
        return offs.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Antialiased disk coverage, max-combined into dst. */
    private void drawDisk(float[] dst, int cy, int cx, double radius) {
        int r = (int) Math.ceil(radius) + 1;
        double r2 = radius * radius;
        float inv = 1f / (aa * aa);
        for (int y = Math.max(0, cy - r); y <= Math.min(h - 1, cy + r); y++) {
            for (int x = Math.max(0, cx - r); x <= Math.min(w - 1, cx + r); x++) {
                int cnt = 0;
                for (int a = 0; a < aa; a++) {
                    double py = y + (a + 0.5) / aa - 0.5 - cy;
                    for (int b = 0; b < aa; b++) {
                        double px = x + (b + 0.5) / aa - 0.5 - cx;
                        if (py * py + px * px <= r2) {
                            cnt++;
                        }
                    }
                }
                int o = y * w + x;
                dst[o] = Math.max(dst[o], cnt * inv);
            }
        }
    }

    private void maxInto(float[] dst, Patch p, float[] values) {
        for (int yy = 0; yy < p.ph; yy++) {
            int row = (p.y0 + yy) * w + p.x0;
            int src = yy * p.pw;
            for (int xx = 0; xx < p.pw; xx++) {
                float v = values[src + xx];
                if (v > dst[row + xx]) {
                    dst[row + xx] = v;
                }
            }
        }
    }

    static int ceilInt(double v) {
        return (int) Math.ceil(v);
    }

    static double flip(double angle) {
        return angle < 0 ? angle + Math.PI : angle - Math.PI;
    }

    // ------------------------------------------------------------------ per-image state

    /** Reusable per-thread canvas buffers. */
    static final class Workspace {
        final float[] occ;
        final float[][] inkT;
        final float[] inkD;
        final float[] backup;
        final int[] free;

        Workspace(int n) {
            occ = new float[n];
            inkT = new float[][] {new float[n], new float[n]};
            inkD = new float[n];
            backup = new float[n];
            free = new int[n];
        }
    }

    /** A growing contour. */
    final class Snake {
        int pivotY;
        int pivotX;
        double angle;
        Patch pending;
        int tailY;
        int tailX;
        final List<PathfinderSample.Paddle> paddles = new ArrayList<>();
        final List<Patch> patches = new ArrayList<>();
    }

    /** One image's generation. */
    private final class Run {
        private final SplittableRandom rng;
        private final Workspace ws;
        private final float occThr;

        Run(SplittableRandom rng, Workspace ws) {
            this.rng = rng;
            this.ws = ws;
            this.occThr = (float) cfg.getOccupiedThreshold();
        }

        PathfinderSample generate(long seed, long index, boolean keepCanvas) {
            // Which target carries the marker is drawn first, so that the other contours can
            // keep clear of the marker disk (the original leaves that to chance).
            int chosen = rng.nextInt(2);
            Snake[] targets = null;
            int attempts = 0;
            while (targets == null) {
                if (attempts >= cfg.getMaxTargetAttempts()) {
                    throw new IllegalStateException(
                            "Pathfinder: could not place the two target contours of "
                                    + cfg.getContourLength()
                                    + " paddles on a "
                                    + w
                                    + "x"
                                    + h
                                    + " canvas in "
                                    + attempts
                                    + " attempts (seed "
                                    + seed
                                    + ", index "
                                    + index
                                    + "); the canvas is too small or too crowded for this"
                                    + " contour length and paddle geometry: "
                                    + cfg);
                }
                attempts++;
                resetCanvas();
                targets = twoSnakes(chosen);
            }
            // Both targets' last paddles now join the occupancy (the original adds only the
            // second one's).
            for (Snake s : targets) {
                maxInto(ws.occ, s.pending, s.pending.mask);
            }
            Patch markerBlock = markerBlock(targets[chosen]);
            maxInto(ws.occ, markerBlock, markerBlock.mask);
            Arrays.fill(ws.inkD, 0f);
            List<PathfinderSample.Contour> contours = new ArrayList<>();
            contours.add(new PathfinderSample.Contour(targets[0].paddles, true));
            contours.add(new PathfinderSample.Contour(targets[1].paddles, true));
            for (int d = 0; d < cfg.getNumDistractors(); d++) {
                for (int t = 0; t <= cfg.getMaxDistractorRetrial(); t++) {
                    Snake s = distractor(cfg.getDistractorLength());
                    if (s != null) {
                        contours.add(new PathfinderSample.Contour(s.paddles, false));
                        break;
                    }
                }
            }
            Snake target = targets[chosen];
            float[] marker = ws.backup;
            Arrays.fill(marker, 0f);
            drawDisk(marker, target.tailY, target.tailX, cfg.getMarkerRadius());
            return finish(seed, index, keepCanvas, contours, chosen, target, marker, attempts);
        }

        private void resetCanvas() {
            System.arraycopy(emptyOccupancy, 0, ws.occ, 0, emptyOccupancy.length);
            Arrays.fill(ws.inkT[0], 0f);
            Arrays.fill(ws.inkT[1], 0f);
        }

        /** Occupancy disk over the marker, larger than the marker by 1.5 px. */
        private Patch markerBlock(Snake marked) {
            double r = cfg.getMarkerRadius() + 1.5;
            int ri = (int) Math.ceil(r);
            int y0 = Math.max(0, marked.tailY - ri);
            int x0 = Math.max(0, marked.tailX - ri);
            int y1 = Math.min(h - 1, marked.tailY + ri);
            int x1 = Math.min(w - 1, marked.tailX + ri);
            Patch p = new Patch(y0, x0, y1 - y0 + 1, x1 - x0 + 1);
            for (int y = y0; y <= y1; y++) {
                for (int x = x0; x <= x1; x++) {
                    double dy = y - marked.tailY;
                    double dx = x - marked.tailX;
                    if (dy * dy + dx * dx <= r * r) {
                        p.mask[(y - y0) * p.pw + (x - x0)] = 1f;
                    }
                }
            }
            return p;
        }

        private Snake[] twoSnakes(int chosen) {
            Snake a = new Snake();
            Snake b = new Snake();
            int band = (int) (2 * cfg.getSeedDistance());
            if (!seed(a, band, false)) {
                return null;
            }
            // Second seed: at seed distance from the first tail, only a bounds check.
            boolean ok = false;
            for (int t = 0; t <= cfg.getMaxPaddleRetrial(); t++) {
                int deg = rng.nextInt(360) - 180;
                double th = Math.toRadians(deg);
                double phi = Math.toRadians(rng.nextInt(360));
                int ty = (int) Math.rint(a.tailY + cfg.getSeedDistance() * Math.sin(phi));
                int tx = (int) Math.rint(a.tailX + cfg.getSeedDistance() * Math.cos(phi));
                if (placeSeed(b, ty, tx, th)) {
                    ok = true;
                    break;
                }
            }
            if (!ok) {
                return null;
            }
            Snake[] both = {a, b};
            drawSeed(a, ws.inkT[0]);
            drawSeed(b, ws.inkT[1]);
            // Each target sees the other's newest paddle (not yet in the occupancy); the
            // unmarked one also keeps clear of the marker disk.
            Patch block = markerBlock(both[chosen]);
            Patch[] seenByA = new Patch[2];
            Patch[] seenByB = new Patch[2];
            for (int seg = 1; seg < cfg.getContourLength(); seg++) {
                seenByA[0] = b.pending;
                seenByA[1] = chosen == 1 ? block : null;
                if (!extend(a, seenByA, ws.inkT[0])) {
                    return null;
                }
                seenByB[0] = a.pending;
                seenByB[1] = chosen == 0 ? block : null;
                if (!extend(b, seenByB, ws.inkT[1])) {
                    return null;
                }
            }
            return both;
        }

        /** Bounds check of head and pivot of a seed paddle with tail (ty, tx); sets geometry. */
        private boolean placeSeed(Snake s, int ty, int tx, double th) {
            int hy = ceilInt(ty + len * Math.sin(th));
            int hx = ceilInt(tx + len * Math.cos(th));
            double rev = flip(th);
            int py = ceilInt(hy + (len + margin) * Math.sin(rev));
            int px = ceilInt(hx + (len + margin) * Math.cos(rev));
            if (hy < 0 || hy >= h || hx < 0 || hx >= w || py < 0 || py >= h || px < 0 || px >= w) {
                return false;
            }
            s.tailY = ty;
            s.tailX = tx;
            s.pivotY = py;
            s.pivotX = px;
            s.angle = th;
            return true;
        }

        private void drawSeed(Snake s, float[] ink) {
            Patch p = paddle(s.tailY, s.tailX, s.angle, h, w);
            s.pending = p;
            s.patches.add(p);
            s.paddles.add(new PathfinderSample.Paddle(s.tailY, s.tailX, s.angle, s.angle, len));
            if (ink != null) {
                maxInto(ink, p, p.ink);
            }
        }

        /**
         * Samples a seed paddle: a uniform integer orientation, then a tail uniformly among the
         * pixels where the whole paddle mask avoids occupied pixels and the border band.
         */
        private boolean seed(Snake s, int band, boolean distractor) {
            float[] occ = ws.occ;
            if (distractor && cfg.getAvailabilityStop() > 0) {
                int freeRaw = 0;
                for (float v : occ) {
                    if (v <= occThr) {
                        freeRaw++;
                    }
                }
                if (freeRaw < cfg.getAvailabilityStop() * occ.length) {
                    return false;
                }
            }
            for (int t = 0; t <= cfg.getMaxPaddleRetrial(); t++) {
                int deg = rng.nextInt(360) - 180;
                int[] kernel = seedKernels[deg + 180];
                int tail = -1;
                for (int r = 0; r < REJECTION_TRIES; r++) {
                    int p = rng.nextInt(w * h);
                    if (!blocked(p, kernel, band)) {
                        tail = p;
                        break;
                    }
                }
                if (tail < 0) {
                    int n = 0;
                    for (int p = 0; p < w * h; p++) {
                        if (!blocked(p, kernel, band)) {
                            ws.free[n++] = p;
                        }
                    }
                    if (n == 0) {
                        return false;
                    }
                    tail = ws.free[rng.nextInt(n)];
                }
                if (placeSeed(s, tail / w, tail % w, Math.toRadians(deg))) {
                    return true;
                }
            }
            return false;
        }

        private boolean blocked(int p, int[] kernel, int band) {
            int y = p / w;
            int x = p % w;
            float[] occ = ws.occ;
            for (int k = 0; k < kernel.length; k += 2) {
                int yy = y + kernel[k];
                int xx = x + kernel[k + 1];
                if (yy < 0 || yy >= h || xx < 0 || xx >= w) {
                    continue;
                }
                if (yy < band || yy >= h - band || xx < band || xx >= w - band) {
                    return true;
                }
                if (occ[yy * w + xx] > occThr) {
                    return true;
                }
            }
            return false;
        }

        /** Occupancy seen by a growing snake: the canvas plus extra blocking patches. */
        private float occAt(int y, int x, Patch[] blockers) {
            float v = ws.occ[y * w + x];
            if (blockers != null) {
                for (Patch b : blockers) {
                    if (b != null) {
                        v = Math.max(v, b.maskAt(y, x));
                    }
                }
            }
            return v;
        }

        /** Adds one paddle to snake s; returns false at a dead end or a collision. */
        private boolean extend(Snake s, Patch[] blockers, float[] ink) {
            int npy = ceilInt(s.pivotY + (len + 2 * margin) * Math.sin(s.angle));
            int npx = ceilInt(s.pivotX + (len + 2 * margin) * Math.cos(s.angle));
            int n = candDy.length;
            double[] cum = new double[n];
            double total = 0;
            double cont = cfg.getContinuity();
            for (int i = 0; i < n; i++) {
                int cy = npy + candDy[i];
                int cx = npx + candDx[i];
                double wgt = 0;
                if (cy >= 0 && cy < h && cx >= 0 && cx < w) {
                    double d = Math.abs(candAngle[i] - s.angle);
                    d = Math.min(d, 2 * Math.PI - d);
                    d = Math.min(d * cont, 0.5 * Math.PI);
                    double c = Math.max(Math.cos(d), 0);
                    if (c > 0) {
                        float dil = 0;
                        for (int k = 0; k < diskDy.length && dil < 1f; k++) {
                            int yy = cy + diskDy[k];
                            int xx = cx + diskDx[k];
                            if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                                dil = Math.max(dil, occAt(yy, xx, blockers));
                            }
                        }
                        wgt = c * c * (1 - dil);
                    }
                }
                total += wgt;
                cum[i] = total;
            }
            if (total < 1e-4) {
                return false;
            }
            float coll = (float) cfg.getCollisionThreshold();
            for (int t = 0; t <= cfg.getMaxPaddleRetrial(); t++) {
                double r = rng.nextDouble() * total;
                int idx = -1;
                for (int i = 0; i < n; i++) {
                    if (cum[i] > r) {
                        idx = i;
                        break;
                    }
                }
                if (idx < 0) {
                    continue;
                }
                int hy = npy + candDy[idx];
                int hx = npx + candDx[idx];
                double drawAngle = flip(candAngle[idx]);
                Patch p = paddle(hy, hx, drawAngle, h, w);
                boolean clash = false;
                for (int yy = 0; yy < p.ph && !clash; yy++) {
                    for (int xx = 0; xx < p.pw; xx++) {
                        float m = p.mask[yy * p.pw + xx];
                        if (m > 0
                                && occAt(p.y0 + yy, p.x0 + xx, blockers) + m >= coll) {
                            clash = true;
                            break;
                        }
                    }
                }
                if (clash) {
                    continue;
                }
                maxInto(ws.occ, s.pending, s.pending.mask);
                s.pending = p;
                s.patches.add(p);
                s.pivotY = npy;
                s.pivotX = npx;
                s.angle = candAngle[idx];
                s.paddles.add(
                        new PathfinderSample.Paddle(hy, hx, drawAngle, candAngle[idx], len));
                if (ink != null) {
                    maxInto(ink, p, p.ink);
                }
                return true;
            }
            return false;
        }

        /** One distractor contour; on failure the occupancy is restored and null returned. */
        private Snake distractor(int paddles) {
            System.arraycopy(ws.occ, 0, ws.backup, 0, ws.occ.length);
            Snake s = new Snake();
            boolean ok = seed(s, 1, true);
            if (ok) {
                drawSeed(s, null);
                for (int i = 1; i < paddles && ok; i++) {
                    ok = extend(s, null, null);
                }
            }
            if (!ok) {
                System.arraycopy(ws.backup, 0, ws.occ, 0, ws.occ.length);
                return null;
            }
            maxInto(ws.occ, s.pending, s.pending.mask);
            for (Patch p : s.patches) {
                maxInto(ws.inkD, p, p.ink);
            }
            return s;
        }

        private PathfinderSample finish(
                long seed,
                long index,
                boolean keepCanvas,
                List<PathfinderSample.Contour> contours,
                int chosen,
                Snake target,
                float[] marker,
                int attempts) {
            int n = w * h;
            float[] t0 = ws.inkT[chosen];
            float[] t1 = ws.inkT[1 - chosen];
            float[] dd = ws.inkD;
            int f = cfg.getDownsample();
            int ow = w / f;
            int oh = h / f;
            float[] image = new float[ow * oh];
            byte[] mask = new byte[ow * oh];
            float tThr = (float) cfg.getTargetThreshold();
            double mThr = cfg.getMaskThreshold();
            double inv = 1.0 / (f * f);
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double sum = 0;
                    int cnt = 0;
                    for (int a = 0; a < f; a++) {
                        int row = (oy * f + a) * w + ox * f;
                        for (int b = 0; b < f; b++) {
                            int p = row + b;
                            float tg = Math.max(t0[p], marker[p]);
                            sum += Math.max(tg, Math.max(t1[p], dd[p]));
                            if (tg > tThr) {
                                cnt++;
                            }
                        }
                    }
                    int o = oy * ow + ox;
                    image[o] = Math.round(Math.min(1.0, sum * inv) * 255) / 255f;
                    mask[o] = (byte) (cnt * inv > mThr ? 1 : 0);
                }
            }
            PathfinderSample.Canvas canvas = null;
            if (keepCanvas) {
                float[] ci = new float[n];
                float[] ct = new float[n];
                float[] co = new float[n];
                for (int p = 0; p < n; p++) {
                    ct[p] = Math.max(t0[p], marker[p]);
                    co[p] = Math.max(t1[p], dd[p]);
                    ci[p] = Math.max(ct[p], co[p]);
                }
                canvas = new PathfinderSample.Canvas(w, h, ci, ct, co);
            }
            return new PathfinderSample(
                    seed,
                    index,
                    ow,
                    oh,
                    image,
                    mask,
                    contours,
                    chosen,
                    target.tailY,
                    target.tailX,
                    attempts,
                    canvas);
        }
    }
}
