/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Record;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The README's library example: its data, its cell, and README's copy of its code. */
class CustomCellExampleTest {

    @Test
    void labelsAreTheOpenPixelsConnectedToTheMark() {
        int size = 9;
        int area = size * size;
        try (NDManager manager = NDManager.newBaseManager()) {
            ArrayDataset data = CustomCellExample.mazes(manager, 40, size, 8, 3);
            for (long n = 0; n < data.size(); n++) {
                Record record = data.get(manager, n);
                float[] image = record.getData().head().toFloatArray();
                float[] label = record.getLabels().head().toFloatArray();
                int mark = -1;
                for (int i = 0; i < area; i++) {
                    if (image[area + i] == 1) {
                        assertEquals(-1, mark, "one mark per image");
                        mark = i;
                    }
                    assertTrue(label[i] == 0 || image[i] == 1, "labels only open pixels");
                }
                assertEquals(1f, image[mark], "the mark is open");
                // breadth-first search written independently: 4-neighbours within the grid
                Set<Integer> seen = new HashSet<>();
                ArrayDeque<Integer> todo = new ArrayDeque<>(List.of(mark));
                seen.add(mark);
                while (!todo.isEmpty()) {
                    int i = todo.poll();
                    int r = i / size;
                    int c = i % size;
                    int[][] next = {{r - 1, c}, {r + 1, c}, {r, c - 1}, {r, c + 1}};
                    for (int[] rc : next) {
                        int j = rc[0] * size + rc[1];
                        if (rc[0] >= 0 && rc[0] < size && rc[1] >= 0 && rc[1] < size
                                && image[j] == 1 && seen.add(j)) {
                            todo.add(j);
                        }
                    }
                }
                for (int i = 0; i < area; i++) {
                    assertEquals(seen.contains(i) ? 1f : 0f, label[i], "pixel " + i);
                }
            }
        }
    }

    @Test
    void cellStepKeepsTheStateShapeAndIsAConvexMove() {
        try (NDManager manager = NDManager.newBaseManager()) {
            CustomCellExample.SpreadCell cell = new CustomCellExample.SpreadCell(3);
            Shape shape = new Shape(2, 3, 5, 5);
            cell.initialize(manager, DataType.FLOAT32, shape, shape);
            NDArray x = manager.randomUniform(-1, 1, shape);
            NDArray h = manager.randomUniform(-1, 1, shape);
            NDList next = cell.forward(new ParameterStore(manager, false), new NDList(x, h), false);
            assertEquals(shape, next.head().getShape());
            // h' = h + a (tanh(.) - h) with a = sigmoid(0) = 1/2 at initialisation: |h'| <= 1
            assertTrue(next.head().abs().max().getFloat() <= 1f);
        }
    }

    /** Every line of README's example occurs in the example's source, so the two agree. */
    @Test
    void readmeShowsTheExampleAsItIs() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        String readme = Files.readString(root.resolve("README.md"));
        String source = Files.readString(Path.of(
                "src/main/java/org/crbp/examples/library/CustomCellExample.java"));
        Set<String> sourceLines = source.lines().map(String::strip).collect(Collectors.toSet());
        int start = readme.indexOf("```java\nimport ai.djl.Model;");
        assertTrue(start >= 0, "README's library section shows the example with its imports");
        String block = readme.substring(start + 8, readme.indexOf("```", start + 8));
        List<String> missing = block.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.equals("..."))
                .filter(l -> !sourceLines.contains(l))
                .collect(Collectors.toList());
        assertTrue(missing.isEmpty(), "README lines not in CustomCellExample.java: " + missing);
        for (String line : source.lines().map(String::strip).collect(Collectors.toList())) {
            if (line.startsWith("import ")) {
                assertTrue(block.contains(line), "README misses " + line);
            }
        }
    }
}
