package org.crbp.examples.pathfinder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Record;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PathfinderDatasetTest {

    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    private static PathfinderDataset.Builder onTheFly(long seed, long size) {
        return PathfinderDataset.builder()
                .optPreset(PathfinderPreset.PF_MINI_14)
                .optSeed(seed)
                .setSize(size)
                .setSampling(2, false);
    }

    @Test
    void folderRoundTripReadsBackTheSameTensors(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("pf");
        PathfinderFolder folder =
                PathfinderFolder.generate(dir, PathfinderPreset.PF_MINI_14, 5, 6, 2, false, null);
        assertEquals(6, folder.size());
        assertTrue(Files.isRegularFile(dir.resolve("images/000005.png")));
        assertTrue(Files.isRegularFile(dir.resolve("masks/000005.png")));
        String json = Files.readString(dir.resolve("metadata.json"));
        assertTrue(json.contains("\"preset\": \"pf-mini-14\"") && json.contains("\"seed\": 5"), json);
        assertTrue(json.contains("paddleMargin") && json.contains("generatorVersion"), json);

        PathfinderDataset fromDisk = PathfinderDataset.builder()
                .optFolder(dir).optPreset(PathfinderPreset.PF_MINI_14).optSeed(5)
                .setSampling(2, false).build();
        PathfinderDataset generated = onTheFly(5, 6).build();
        assertEquals(6, fromDisk.size());
        PathfinderGenerator gen = new PathfinderGenerator(PathfinderPreset.PF_MINI_14);
        for (int i = 0; i < 6; i++) {
            Record a = fromDisk.get(manager, i);
            Record b = generated.get(manager, i);
            NDArray ai = a.getData().head();
            NDArray am = a.getLabels().head();
            assertEquals(new Shape(1, 64, 64), ai.getShape());
            assertEquals(DataType.FLOAT32, ai.getDataType());
            assertEquals(new Shape(64, 64), am.getShape());
            assertEquals(DataType.INT32, am.getDataType());
            assertArrayEquals(ai.toFloatArray(), b.getData().head().toFloatArray());
            assertArrayEquals(am.toIntArray(), b.getLabels().head().toIntArray());
            assertArrayEquals(gen.generate(5, i).getImage(), ai.toFloatArray());
            for (int v : am.toIntArray()) {
                assertTrue(v == 0 || v == 1);
            }
        }
    }

    @Test
    void writerRefusesToOverwriteUnlessAsked(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("pf");
        PathfinderFolder.generate(dir, PathfinderPreset.PF_MINI_14, 1, 5, 1, false, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PathfinderFolder.generate(dir, PathfinderPreset.PF_MINI_20, 1, 3, 1, false, null));
        assertTrue(e.getMessage().contains("Refusing to overwrite"), e.getMessage());
        // The refused call left the folder alone.
        assertEquals("pf-mini-14", PathfinderFolder.open(dir).getMetadata().getPreset());
        long[] progress = new long[1];
        PathfinderFolder.generate(dir, PathfinderPreset.PF_MINI_20, 1, 3, 2, true,
                d -> progress[0] = Math.max(progress[0], d));
        assertEquals(3, progress[0]);
        PathfinderFolder back = PathfinderFolder.open(dir);
        assertEquals("pf-mini-20", back.getMetadata().getPreset());
        try (Stream<Path> s = Files.list(dir.resolve("images"))) {
            assertEquals(3, s.count(), "stale images of the first run were removed");
        }
    }

    @Test
    void mismatchedOrIncompleteFoldersGiveClearErrors(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("pf");
        PathfinderFolder.generate(dir, PathfinderPreset.PF_MINI_14, 9, 2, 1, false, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PathfinderDataset.builder().optFolder(dir)
                        .optPreset(PathfinderPreset.PF_MINI_20).setSampling(1, false).build());
        assertTrue(e.getMessage().contains("preset pf-mini-14 (requested pf-mini-20)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PathfinderDataset.builder().optFolder(dir).optSeed(10)
                        .setSampling(1, false).build());
        assertTrue(e.getMessage().contains("seed 9 (requested 10)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PathfinderDataset.builder().optFolder(dir).setSize(3)
                        .setSampling(1, false).build());
        assertTrue(e.getMessage().contains("2 images (requested 3)"), e.getMessage());
        Files.delete(dir.resolve("metadata.json"));
        e = assertThrows(IllegalArgumentException.class, () -> PathfinderFolder.open(dir));
        assertTrue(e.getMessage().contains("No metadata.json"), e.getMessage());
        Files.writeString(dir.resolve("metadata.json"), "{\"format\": \"something-else\"}");
        e = assertThrows(IllegalArgumentException.class, () -> PathfinderFolder.open(dir));
        assertTrue(e.getMessage().contains("not a crbp-pathfinder metadata file"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PathfinderDataset.builder().setSampling(1, false).build());
        assertTrue(e.getMessage().contains("needs a preset"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PathfinderDataset.builder().optPreset(PathfinderPreset.PF_MINI_14)
                        .setSampling(1, false).build());
        assertTrue(e.getMessage().contains("setSize"), e.getMessage());
    }

    @Test
    void flipsAreOffByDefaultFixedOnRequestAndRandomButReproducible() throws Exception {
        PathfinderSample s = new PathfinderGenerator(PathfinderPreset.PF_MINI_14).generate(5, 0);
        float[] plain = onTheFly(5, 4).build().get(manager, 0).getData().head().toFloatArray();
        assertArrayEquals(s.getImage(), plain);
        float[] lr = onTheFly(5, 4).optFlip(PathfinderDataset.Flip.LEFT_RIGHT).build()
                .get(manager, 0).getData().head().toFloatArray();
        float[] ud = onTheFly(5, 4).optFlip(PathfinderDataset.Flip.UP_DOWN).build()
                .get(manager, 0).getData().head().toFloatArray();
        int[] lrMask = onTheFly(5, 4).optFlip(PathfinderDataset.Flip.LEFT_RIGHT).build()
                .get(manager, 0).getLabels().head().toIntArray();
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                assertEquals(plain[y * 64 + x], lr[y * 64 + 63 - x]);
                assertEquals(plain[y * 64 + x], ud[(63 - y) * 64 + x]);
                assertEquals(s.getMask()[y * 64 + x], lrMask[y * 64 + 63 - x]);
            }
        }
        PathfinderDataset r1 = onTheFly(5, 4).optRandomFlips(true).optFlipSeed(3).build();
        PathfinderDataset r2 = onTheFly(5, 4).optRandomFlips(true).optFlipSeed(3).build();
        Set<String> variants = new HashSet<>();
        for (int k = 0; k < 12; k++) {
            float[] a = r1.get(manager, 0).getData().head().toFloatArray();
            float[] b = r2.get(manager, 0).getData().head().toFloatArray();
            assertArrayEquals(a, b, "same flip seed, same sequence");
            variants.add(java.util.Arrays.toString(a));
        }
        assertTrue(variants.size() >= 3, "random flips vary between reads: " + variants.size());
    }

    @Test
    void splitsUseDisjointSeedsAndBatchesHaveTheRightShapes() throws Exception {
        long train = PathfinderDataset.Split.TRAIN.seed(1);
        long val = PathfinderDataset.Split.VALIDATION.seed(1);
        long test = PathfinderDataset.Split.TEST.seed(1);
        assertEquals(1, train);
        assertNotEquals(train, val);
        assertNotEquals(train, test);
        assertNotEquals(val, test);
        PathfinderDataset v = onTheFly(1, 3).optSplit(PathfinderDataset.Split.VALIDATION).build();
        assertEquals(val, v.getSeed());
        assertFalse(java.util.Arrays.equals(
                onTheFly(1, 3).build().get(manager, 0).getData().head().toFloatArray(),
                v.get(manager, 0).getData().head().toFloatArray()));
        PathfinderDataset ds = onTheFly(1, 4).setSampling(4, false)
                .optMaskType(DataType.FLOAT32).build();
        int batches = 0;
        for (Batch b : ds.getData(manager)) {
            assertEquals(new Shape(4, 1, 64, 64), b.getData().head().getShape());
            assertEquals(new Shape(4, 64, 64), b.getLabels().head().getShape());
            assertEquals(DataType.FLOAT32, b.getLabels().head().getDataType());
            b.close();
            batches++;
        }
        assertEquals(1, batches);
    }
}
