/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.analysis;


import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** The run's pictures, drawn with XChart (plots) and Java 2D (image grids), written as PNG. */
public final class Charts {

    private static final int W = 560;
    private static final int H = 400;

    private Charts() {}

    /**
     * Creates a line chart of the program's size and style.
     *
     * @param title the title (empty: none)
     * @param x the x-axis title
     * @param y the y-axis title
     * @return the chart
     */
    public static XYChart chart(String title, String x, String y) {
        return chart(title, x, y, W, H);
    }

    private static XYChart chart(String title, String x, String y, int width, int height) {
        XYChart c = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(x)
                .yAxisTitle(y).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotGridLinesVisible(true);
        c.getStyler().setDecimalPattern("#0.###");
        return c;
    }

    /** A chart against epochs: whole numbers on the x-axis, never "1.0E0" or "1.5". */
    private static XYChart epochChart(String title, String y) {
        XYChart c = chart(title, "epoch", y);
        c.getStyler().setXAxisDecimalPattern("#0");
        c.getStyler().setxAxisTickLabelsFormattingFunction(Charts::wholeNumber);
        return c;
    }

    /** Labels whole numbers and leaves fractional ticks (such as 1.5 epochs) blank. */
    static String wholeNumber(Double x) {
        return Math.abs(x - Math.rint(x)) < 1e-9 ? Long.toString(Math.round(x)) : "";
    }

    /**
     * Training curves: loss, penalty and F1 per epoch, side by side.
     *
     * @param epoch the epochs' numbers
     * @param loss the training loss of each epoch
     * @param penalty the penalty of each epoch
     * @param trainF1 the F1 on the training batches of each epoch
     * @param valF1 the validation F1 of each epoch
     * @param title the run's name
     * @param file the PNG file
     * @throws IOException if writing fails
     */
    public static void trainingCurves(double[] epoch, double[] loss, double[] penalty,
            double[] trainF1, double[] valF1, String title, Path file) throws IOException {
        XYChart a = epochChart("Loss (" + title + ")", "focal loss");
        a.addSeries("training loss", epoch, loss).setMarker(SeriesMarkers.CIRCLE);
        XYChart b = epochChart("Lipschitz penalty", "mean relu(J^T 1 - lambda)^2");
        // the penalty spans decades: scientific notation on its axis only, epochs stay integers
        b.getStyler().setYAxisDecimalPattern("0.0E0");
        b.addSeries("penalty", epoch, penalty).setMarker(SeriesMarkers.CIRCLE);
        XYChart c = epochChart("F1", "foreground F1");
        c.addSeries("training batches", epoch, trainF1).setMarker(SeriesMarkers.CIRCLE);
        c.addSeries("validation", epoch, valF1).setMarker(SeriesMarkers.DIAMOND);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        write(row(BitmapEncoder.getBufferedImage(a), BitmapEncoder.getBufferedImage(b),
                BitmapEncoder.getBufferedImage(c)), file);
    }

    /**
     * The extrapolation curve: F1 of the readout applied at every step.
     *
     * @param steps the steps 1..T'
     * @param series F1 per step, by label
     * @param trainedSteps the number of steps trained with (a vertical line)
     * @param title the title
     * @param file the PNG file
     * @throws IOException if writing fails
     */
    public static void extrapolation(double[] steps, Map<String, double[]> series, int trainedSteps,
            String title, Path file) throws IOException {
        XYChart c = chart(title, "step t", "foreground F1 of the readout at step t");
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.0);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            c.addSeries(e.getKey(), steps, e.getValue()).setMarker(SeriesMarkers.NONE);
        }
        XYSeries line = c.addSeries("trained steps N = " + trainedSteps,
                new double[] {trainedSteps, trainedSteps}, new double[] {0, 1});
        line.setMarker(SeriesMarkers.NONE);
        line.setLineColor(Color.GRAY);
        write(BitmapEncoder.getBufferedImage(c), file);
    }

    /**
     * Fixed-point residual against cell evaluations, one colour per image, plain iteration solid
     * and Anderson dashed, on a log scale.
     *
     * @param naive per image, the residual after each evaluation of plain iteration
     * @param anderson per image, the residual after each evaluation of Anderson
     * @param trainedSteps the trained number of steps (a vertical line)
     * @param title the title
     * @param file the PNG file
     * @throws IOException if writing fails
     */
    public static void residuals(List<double[]> naive, List<double[]> anderson, int trainedSteps,
            String title, Path file) throws IOException {
        XYChart c = chart(title, "cell evaluations", "relative residual ||h_t - h_t-1|| / ||h_t||",
                W + 120, H + 40 + 18 * naive.size());
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setYAxisDecimalPattern("0.#E0");
        c.getStyler().setxAxisTickLabelsFormattingFunction(Charts::wholeNumber);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        Color[] palette = {new Color(31, 119, 180), new Color(255, 127, 14),
            new Color(44, 160, 44), new Color(214, 39, 40), new Color(148, 103, 189),
            new Color(140, 86, 75)};
        double lowest = Double.MAX_VALUE;
        for (int i = 0; i < naive.size(); i++) {
            Color colour = palette[i % palette.length];
            for (int kind = 0; kind < 2; kind++) {
                double[] r = (kind == 0 ? naive : anderson).get(i);
                double[] x = new double[r.length];
                double[] y = new double[r.length];
                for (int k = 0; k < r.length; k++) {
                    x[k] = k + 1;
                    // a log axis cannot show 0: an exact fixed point is drawn at the floor
                    y[k] = Math.max(r[k], 1e-12);
                    lowest = Math.min(lowest, y[k]);
                }
                XYSeries series = c.addSeries((kind == 0 ? "naive" : "Anderson") + ", image "
                        + (i + 1), x, y);
                series.setMarker(SeriesMarkers.NONE);
                series.setLineColor(colour);
                series.setLineStyle(kind == 0 ? SeriesLines.SOLID : SeriesLines.DASH_DASH);
            }
        }
        XYSeries line = c.addSeries("trained steps N = " + trainedSteps,
                new double[] {trainedSteps, trainedSteps}, new double[] {lowest, 1});
        line.setMarker(SeriesMarkers.NONE);
        line.setLineColor(Color.GRAY);
        write(BitmapEncoder.getBufferedImage(c), file);
    }

    /**
     * The state-space projection: each image's trajectory on the top two principal components.
     *
     * @param trajectories per image, an array of {@code [step][2]} coordinates
     * @param trainedSteps the trained number of steps (marked)
     * @param explained the fraction of variance of the two components
     * @param title the title
     * @param file the PNG file
     * @throws IOException if writing fails
     */
    static void stateSpace(List<double[][]> trajectories, int trainedSteps, double[] explained,
            String title, Path file) throws IOException {
        XYChart c = new XYChartBuilder().width(720).height(480).title(title).xAxisTitle(
                String.format(java.util.Locale.ROOT, "PC 1 (%.0f%% of variance)",
                        100 * explained[0])).yAxisTitle(
                String.format(java.util.Locale.ROOT, "PC 2 (%.0f%%)", 100 * explained[1]))
                .build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setLegendVisible(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        int k = 0;
        double[] nx = new double[trajectories.size()];
        double[] ny = new double[trajectories.size()];
        double[] ex = new double[trajectories.size()];
        double[] ey = new double[trajectories.size()];
        for (double[][] t : trajectories) {
            double[] x = new double[t.length];
            double[] y = new double[t.length];
            for (int i = 0; i < t.length; i++) {
                x[i] = t[i][0];
                y[i] = t[i][1];
            }
            XYSeries s = c.addSeries("image " + (k + 1), x, y);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(s.getLineColor());
            int n = Math.min(trainedSteps, t.length) - 1;
            nx[k] = t[n][0];
            ny[k] = t[n][1];
            ex[k] = t[t.length - 1][0];
            ey[k] = t[t.length - 1][1];
            k++;
        }
        c.getStyler().setMarkerSize(4);
        XYSeries sn = c.addSeries("step N = " + trainedSteps, nx, ny);
        sn.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        sn.setMarker(SeriesMarkers.DIAMOND);
        sn.setMarkerColor(Color.BLACK);
        XYSeries se = c.addSeries("last step", ex, ey);
        se.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        se.setMarker(SeriesMarkers.SQUARE);
        se.setMarkerColor(Color.RED);
        BufferedImage img = BitmapEncoder.getBufferedImage(c);
        write(img, file);
    }

    /**
     * A time course of the segmentation: per image a row of input, the foreground probability of
     * the readout at the chosen steps, and the target.
     *
     * @param inputs per image, H*W values in [0, 1]
     * @param readouts per image, per chosen step, H*W foreground probabilities
     * @param targets per image, H*W values 0/1
     * @param stepLabels the chosen steps
     * @param width image width
     * @param height image height
     * @param title the title
     * @param file the PNG file
     * @throws IOException if writing fails
     */
    static void timeCourse(List<float[]> inputs, List<List<float[]>> readouts,
            List<float[]> targets, int[] stepLabels, int width, int height, String title,
            Path file) throws IOException {
        int scale = Math.max(1, 96 / Math.max(width, height));
        int tw = width * scale;
        int th = height * scale;
        int gap = 4;
        int top = 44;
        int cols = stepLabels.length + 2;
        int rows = inputs.size();
        int scaleWidth = 70; // the colour scale, right of the grid
        int gridWidth = cols * (tw + gap) + gap;
        BufferedImage img = new BufferedImage(gridWidth + scaleWidth,
                top + Math.max(rows * (th + gap) + gap, 140), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
                RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(title, gap, 16);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int c = 0; c < cols; c++) {
            String label = c == 0 ? "input" : c == cols - 1 ? "target" : "t = " + stepLabels[c - 1];
            g.drawString(label, gap + c * (tw + gap) + 2, top - 6);
        }
        for (int r = 0; r < rows; r++) {
            int y0 = top + r * (th + gap);
            tile(img, inputs.get(r), width, height, scale, gap, y0);
            for (int s = 0; s < stepLabels.length; s++) {
                tile(img, readouts.get(r).get(s), width, height, scale,
                        gap + (s + 1) * (tw + gap), y0);
            }
            tile(img, targets.get(r), width, height, scale, gap + (cols - 1) * (tw + gap), y0);
        }
        colourScale(img, g, gridWidth + 6, top, Math.max(th, 120));
        g.dispose();
        write(img, file);
    }

    /**
     * The grey scale of the tiles: black 0, white 1; for the readout columns that is the
     * probability of contour, for input and target the pixel value.
     */
    private static void colourScale(BufferedImage img, Graphics2D g, int x0, int y0, int height) {
        int barWidth = 14;
        for (int y = 0; y < height; y++) {
            int v = Math.round(255f * (height - 1 - y) / (height - 1));
            for (int x = 0; x < barWidth; x++) {
                img.setRGB(x0 + x, y0 + y, (v << 16) | (v << 8) | v);
            }
        }
        g.setColor(Color.BLACK);
        g.drawRect(x0, y0, barWidth - 1, height - 1);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        String[] labels = {"1", "0.5", "0"};
        for (int i = 0; i < labels.length; i++) {
            int y = y0 + Math.round(i * (height - 1) / 2f);
            g.drawLine(x0 + barWidth, y, x0 + barWidth + 3, y);
            g.drawString(labels[i], x0 + barWidth + 6, y + 4);
        }
        g.drawString("P(contour)", x0 - 4, y0 - 6);
    }

    private static void tile(BufferedImage img, float[] values, int w, int h, int scale, int x0,
            int y0) {
        for (int y = 0; y < h * scale; y++) {
            for (int x = 0; x < w * scale; x++) {
                float v = values[(y / scale) * w + x / scale];
                int g = Math.max(0, Math.min(255, Math.round(v * 255)));
                img.setRGB(x0 + x, y0 + y, (g << 16) | (g << 8) | g);
            }
        }
    }

    /**
     * The empirical distributions of the state distances of one or two checkpoints (Fig. 1c).
     *
     * @param a the first sample
     * @param labelA its label
     * @param b the second sample, or {@code null}
     * @param labelB its label
     * @param n the trained step
     * @param t the late step
     * @param file the PNG file
     * @throws IOException if writing fails
     */
    public static void distances(double[] a, String labelA, double[] b, String labelB, int n, int t,
            Path file) throws IOException {
        XYChart c = chart("||h_T - h_N|| / ||h_N||, N = " + n + ", T = " + t,
                "relative distance", "fraction of images");
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.0);
        addEcdf(c, labelA, a);
        if (b != null) {
            addEcdf(c, labelB, b);
        }
        if (a.length > 0) {
            roundTicks(c, a[0]);
        }
        write(BitmapEncoder.getBufferedImage(c), file);
    }

    /**
     * XChart puts the ticks of an axis at the data values when all of them are equally spaced,
     * as an empirical distribution's heights k/n are (ticks at 0.047, 0.094, ...). One hidden
     * point off that lattice gives the axis its usual round ticks (0, 0.2, ..., 1).
     */
    private static void roundTicks(XYChart c, double x) {
        XYSeries hidden = c.addSeries("round ticks", new double[] {x}, new double[] {Math.PI / 8});
        hidden.setMarker(SeriesMarkers.NONE);
        hidden.setLineColor(new Color(0, 0, 0, 0));
        hidden.setShowInLegend(false);
    }

    private static void addEcdf(XYChart c, String label, double[] values) {
        double[] s = values.clone();
        java.util.Arrays.sort(s);
        double[] x = new double[2 * s.length];
        double[] y = new double[2 * s.length];
        for (int i = 0; i < s.length; i++) {
            x[2 * i] = s[i];
            y[2 * i] = (double) i / s.length;
            x[2 * i + 1] = s[i];
            y[2 * i + 1] = (double) (i + 1) / s.length;
        }
        c.addSeries(label, x, y).setMarker(SeriesMarkers.NONE);
    }

    /**
     * Memory and time against steps per method.
     *
     * @param rows the benchmark rows (method, steps, peakBytes, secondsPerIteration)
     * @param methods the methods, in order
     * @param file the PNG file
     * @throws IOException if writing fails
     */
    public static void benchmark(List<Map<String, Object>> rows, List<String> methods, Path file)
            throws IOException {
        XYChart mem = chart("Peak resident memory", "steps T", "MiB");
        XYChart time = chart("Training iteration", "steps T", "seconds");
        mem.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        time.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        for (String m : methods) {
            List<double[]> pts = new java.util.ArrayList<>();
            for (Map<String, Object> r : rows) {
                if (m.equals(r.get("method"))) {
                    pts.add(new double[] {((Number) r.get("steps")).doubleValue(),
                        ((Number) r.get("peakBytes")).doubleValue() / (1 << 20),
                        ((Number) r.get("secondsPerIteration")).doubleValue()});
                }
            }
            if (pts.isEmpty()) {
                continue;
            }
            double[] x = new double[pts.size()];
            double[] y1 = new double[pts.size()];
            double[] y2 = new double[pts.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = pts.get(i)[0];
                y1[i] = pts.get(i)[1];
                y2[i] = pts.get(i)[2];
            }
            mem.addSeries(m, x, y1).setMarker(SeriesMarkers.CIRCLE);
            time.addSeries(m, x, y2).setMarker(SeriesMarkers.CIRCLE);
        }
        write(row(BitmapEncoder.getBufferedImage(mem), BitmapEncoder.getBufferedImage(time)),
                file);
    }

    /**
     * IoU against contour length, one line per model.
     *
     * @param lengths the contour lengths
     * @param series IoU per length, by model (NaN where not run)
     * @param title the title
     * @param file the PNG file
     * @throws IOException if writing fails
     */
    public static void byLength(double[] lengths, Map<String, double[]> series, String title,
            Path file) throws IOException {
        XYChart c = new XYChartBuilder().width(W + 160).height(H).title(title)
                .xAxisTitle("contour length (paddles)").yAxisTitle("IoU = F1/(2-F1)").build();
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotGridLinesVisible(true);
        c.getStyler().setDecimalPattern("#0.###");
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.0);
        // beside the plot: inside, the legend covered a line wherever it was put
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            List<Double> x = new java.util.ArrayList<>();
            List<Double> y = new java.util.ArrayList<>();
            for (int i = 0; i < lengths.length; i++) {
                if (!Double.isNaN(e.getValue()[i])) {
                    x.add(lengths[i]);
                    y.add(e.getValue()[i]);
                }
            }
            c.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        write(BitmapEncoder.getBufferedImage(c), file);
    }

    static BufferedImage row(BufferedImage... images) {
        int w = 0;
        int h = 0;
        for (BufferedImage i : images) {
            w += i.getWidth();
            h = Math.max(h, i.getHeight());
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int x = 0;
        for (BufferedImage i : images) {
            g.drawImage(i, x, 0, null);
            x += i.getWidth();
        }
        g.dispose();
        return out;
    }

    /**
     * Writes a chart as a PNG file, atomically.
     *
     * @param chart the chart
     * @param file the file
     * @throws IOException if it cannot be written, naming the file
     */
    public static void save(XYChart chart, Path file) throws IOException {
        write(BitmapEncoder.getBufferedImage(chart), file);
    }

    /**
     * Writes a picture as a PNG file: to a hidden file beside it, renamed over it. A failure
     * names the file and its cause (a full disk, a denied permission). The stream is opened
     * here, not by ImageIO, whose file output prints a stack trace and answers only "Can't create
     * an ImageOutputStream!" when it cannot open the file; the PNG is cached in memory, not in a
     * temporary file of ImageIO's own.
     *
     * @param img the picture
     * @param file the PNG file
     * @throws IOException naming the file, if it cannot be written
     */
    public static void write(BufferedImage img, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Path tmp = parent.resolve("." + file.getFileName() + ".tmp");
        try {
            Files.createDirectories(parent);
            try (OutputStream out = Files.newOutputStream(tmp);
                    ImageOutputStream image = new MemoryCacheImageOutputStream(out)) {
                if (!ImageIO.write(img, "png", image)) {
                    throw new IOException("no PNG writer");
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the failure to write is the one to report
            }
            throw named(file, e);
        }
    }

    /** A failure to write a picture that names the picture and the root cause's reason. */
    private static FileSystemException named(Path file, IOException e) {
        String reason = null;
        boolean denied = false;
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            denied |= c instanceof AccessDeniedException;
            String r = c instanceof FileSystemException ? ((FileSystemException) c).getReason()
                    : c.getMessage();
            reason = r == null || r.isBlank() ? reason : r.strip();
        }
        FileSystemException named = denied
                ? new AccessDeniedException(file.toString(), null, "Permission denied")
                : new FileSystemException(file.toString(), null,
                        reason == null ? e.getClass().getSimpleName() : reason);
        named.initCause(e);
        return named;
    }
}
