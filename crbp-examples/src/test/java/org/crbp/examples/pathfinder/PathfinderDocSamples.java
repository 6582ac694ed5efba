package org.crbp.examples.pathfinder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Writes the sample pictures of docs/pathfinder.md (not a test): for every preset, 3 samples as
 * {@code <preset>-<i>.png}, image and mask side by side. Usage: {@code PathfinderDocSamples
 * [outputDir] [count]}; default {@code docs/images/pathfinder}, 3.
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
        for (PathfinderPreset preset : PathfinderPreset.values()) {
            PathfinderGenerator gen = new PathfinderGenerator(preset);
            int scale = gen.getConfig().getOutputWidth() <= 64 ? 4 : 2;
            double attempts = 0;
            double distractors = 0;
            for (int i = 0; i < count; i++) {
                PathfinderSample s = gen.generate(2020, i);
                attempts += s.getTargetAttempts();
                distractors += s.getDistractorCount();
                PathfinderImages.writePng(
                        PathfinderImages.sideBySide(s, scale),
                        dir.resolve(preset.presetName() + "-" + i + ".png"));
            }
            System.out.printf(
                    "%s: mean target attempts %.2f, mean distractors %.2f of %d%n",
                    preset, attempts / count, distractors / count,
                    gen.getConfig().getNumDistractors());
        }
    }
}
