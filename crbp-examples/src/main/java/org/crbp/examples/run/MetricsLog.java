/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.run;

import org.crbp.examples.config.AtomicFiles;
import org.crbp.examples.task.Metrics;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code metrics.csv}: one row per training iteration, appended and flushed row by row so that a
 * killed run keeps the rows of the batches it finished.
 *
 * <p>Columns: {@code epoch} and {@code batch} (both from 1), the task {@code loss}, the
 * unweighted {@code penalty}, the {@code neumann_terms} of the RBP gradient, the fixed-point
 * {@code residual}, the learning rate {@code lr} of the update, the batch's wall-clock
 * {@code seconds} and the process's {@code cpu_seconds} during it, then the columns of the task's
 * per-batch metrics, if it has any (Pathfinder has none). A value the method does not have (the
 * penalty of BPTT, Neumann terms of the feedforward control) is left empty.
 *
 * <p>A resumed run first cuts the file back to the checkpoint's place (its epoch and batch), so
 * batches trained again after an interruption are not listed twice.
 */
public final class MetricsLog implements Closeable {

    /** The file's name in the run folder. */
    public static final String FILE = "metrics.csv";
    /** The header row. */
    public static final String HEADER =
            "epoch,batch,loss,penalty,neumann_terms,residual,lr,seconds,cpu_seconds";

    private final Path file;
    private final BufferedWriter writer;
    private final List<String> taskColumns;

    private MetricsLog(Path file, BufferedWriter writer, List<String> taskColumns) {
        this.file = file;
        this.writer = writer;
        this.taskColumns = taskColumns;
    }

    /**
     * Opens the run's metrics file for appending, keeping the rows up to a place in training and
     * dropping the later ones (which a resumed run trains again).
     *
     * @param dir the run folder
     * @param epochsDone the number of whole epochs the checkpoint holds
     * @param batchesInEpoch the number of batches of the next epoch the checkpoint holds
     * @return the open log
     * @throws IOException if the file cannot be read or written
     */
    public static MetricsLog open(Path dir, int epochsDone, int batchesInEpoch)
            throws IOException {
        return open(dir, epochsDone, batchesInEpoch, List.of());
    }

    /**
     * Opens the run's metrics file as {@link #open(Path, int, int)} does, with a task's columns
     * after the fixed ones.
     *
     * @param dir the run folder
     * @param epochsDone the number of whole epochs the checkpoint holds
     * @param batchesInEpoch the number of batches of the next epoch the checkpoint holds
     * @param taskColumns the names of the task's per-batch metrics
     * @return the open log
     * @throws IOException if the file cannot be read or written
     */
    public static MetricsLog open(Path dir, int epochsDone, int batchesInEpoch,
            List<String> taskColumns) throws IOException {
        Path file = dir.resolve(FILE);
        String header = taskColumns.isEmpty() ? HEADER
                : HEADER + "," + String.join(",", taskColumns);
        int columns = header.split(",", -1).length;
        List<String> keep = new ArrayList<>();
        keep.add(header);
        boolean cut = false;
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 1; i < lines.size(); i++) {
                String line = lines.get(i);
                if (before(line, columns, epochsDone, batchesInEpoch)) {
                    keep.add(line);
                } else {
                    cut = true;
                }
            }
            cut |= lines.isEmpty() || !header.equals(lines.get(0));
        }
        if (!Files.exists(file) || cut) {
            // rewritten whole (temp file and move): the kept rows are never at risk
            AtomicFiles.writeString(file, String.join("\n", keep) + "\n");
        }
        return new MetricsLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND), List.copyOf(taskColumns));
    }

    /** Whether a row lies at or before the place (a torn last row does not). */
    private static boolean before(String line, int columns, int epochsDone,
            int batchesInEpoch) {
        String[] f = line.split(",", -1);
        if (f.length != columns) {
            return false;
        }
        try {
            int epoch = Integer.parseInt(f[0]);
            int batch = Integer.parseInt(f[1]);
            return epoch <= epochsDone || (epoch == epochsDone + 1 && batch <= batchesInEpoch);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Appends one row and flushes it to the operating system.
     *
     * @param epoch the epoch, from 1
     * @param batch the batch within the epoch, from 1
     * @param loss the task loss
     * @param penalty the unweighted penalty, NaN when the method has none
     * @param neumannTerms the Neumann terms used, negative when the method has none
     * @param residual the fixed-point residual, NaN when not known
     * @param lr the learning rate of the update
     * @param seconds the batch's wall-clock seconds
     * @param cpuSeconds the process's CPU seconds during the batch
     * @throws IOException if writing fails
     */
    public void append(int epoch, int batch, double loss, double penalty, int neumannTerms,
            double residual, double lr, double seconds, double cpuSeconds) throws IOException {
        append(epoch, batch, loss, penalty, neumannTerms, residual, lr, seconds, cpuSeconds,
                Metrics.EMPTY);
    }

    /**
     * Appends one row with the task's per-batch metrics and flushes it to the operating system.
     *
     * @param epoch the epoch, from 1
     * @param batch the batch within the epoch, from 1
     * @param loss the task loss
     * @param penalty the unweighted penalty, NaN when the method has none
     * @param neumannTerms the Neumann terms used, negative when the method has none
     * @param residual the fixed-point residual, NaN when not known
     * @param lr the learning rate of the update
     * @param seconds the batch's wall-clock seconds
     * @param cpuSeconds the process's CPU seconds during the batch
     * @param task the task's metrics of the batch (a missing one is left empty)
     * @throws IOException if writing fails
     */
    public void append(int epoch, int batch, double loss, double penalty, int neumannTerms,
            double residual, double lr, double seconds, double cpuSeconds, Metrics task)
            throws IOException {
        StringBuilder extra = new StringBuilder();
        for (String name : taskColumns) {
            extra.append(',').append(number(task.get(name)));
        }
        try {
            writer.write(String.format(Locale.ROOT, "%d,%d,%s,%s,%s,%s,%s,%.4f,%.4f%s\n", epoch,
                    batch, number(loss), number(penalty), neumannTerms < 0 ? ""
                            : Integer.toString(neumannTerms), number(residual), number(lr),
                    seconds, cpuSeconds, extra));
            writer.flush();
        } catch (IOException e) {
            throw AtomicFiles.named(file, e); // a full disk names the file
        }
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    /** {@inheritDoc} */
    @Override
    public void close() throws IOException {
        writer.close();
    }
}
