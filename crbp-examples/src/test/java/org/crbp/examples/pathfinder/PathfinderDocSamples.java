package org.crbp.examples.pathfinder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * Writes the sample pictures of docs/pathfinder.md (not a test): for every preset, 3 samples as
 * {@code <preset>-<i>.png} (seed 2020, indices 0..), image and mask side by side, and a table of
 * statistics over images 0.. of seed 7: target attempts, distractors placed, mask size, how far
 * the target extends from the marker (network pixels), and the share of the mask farther than 9
 * and 17 px from the marker. Usage: {@code PathfinderDocSamples [outputDir] [count]
 * [statImages]}; default {@code docs/images/pathfinder}, 3, 200.
 */
public final class PathfinderDocSamples {

    private PathfinderDocSamples() {}

    /**
     * Entry point.
     *
     * @param args output folder and count
     * @throws Exception on I/O errors
     */
    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args.length > 0 ? args[0] : "docs/images/pathfinder");
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Files.createDirectories(dir);
        int statImages = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        System.out.println("| preset | output | target attempts | distractors placed | mask px"
                + " | contour extent from marker (px) | mask beyond 9 px | mask beyond 17 px |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (PathfinderPreset preset : PathfinderPreset.values()) {
            PathfinderGenerator gen = new PathfinderGenerator(preset);
            PathfinderConfig c = gen.getConfig();
            int scale = c.getOutputWidth() <= 64 ? 4 : 2;
            for (int i = 0; i < count; i++) {
                PathfinderSample s = gen.generate(2020, i);
                PathfinderImages.writePng(
                        PathfinderImages.sideBySide(s, scale),
                        dir.resolve(preset.presetName() + "-" + i + ".png"));
            }
            double attempts = 0;
            double distractors = 0;
            double maskPx = 0;
            double extent = 0;
            double beyond9 = 0;
            double beyond17 = 0;
            for (PathfinderSample s : gen.generateAll(7, statImages, 0)) {
                attempts += s.getTargetAttempts();
                distractors += s.getDistractorCount();
                int f = c.getDownsample();
                double my = (s.getMarkerY() + 0.5) / f - 0.5;
                double mx = (s.getMarkerX() + 0.5) / f - 0.5;
                int n = 0;
                int far9 = 0;
                int far17 = 0;
                double max = 0;
                for (int p = 0; p < s.getMask().length; p++) {
                    if (s.getMask()[p] == 1) {
                        double d = Math.hypot(p / s.getWidth() - my, p % s.getWidth() - mx);
                        n++;
                        max = Math.max(max, d);
                        far9 += d > 9 ? 1 : 0;
                        far17 += d > 17 ? 1 : 0;
                    }
                }
                maskPx += n;
                extent += max;
                beyond9 += far9 / (double) n;
                beyond17 += far17 / (double) n;
            }
            double k = statImages;
            System.out.printf(Locale.ROOT,
                    "| %s | %dx%d | %.1f | %.2f of %d | %.0f | %.1f | %.0f%% | %.0f%% |%n",
                    preset, c.getOutputWidth(), c.getOutputHeight(), attempts / k,
                    distractors / k, c.getNumDistractors(), maskPx / k, extent / k,
                    100 * beyond9 / k, 100 * beyond17 / k);
        }
    }
}
