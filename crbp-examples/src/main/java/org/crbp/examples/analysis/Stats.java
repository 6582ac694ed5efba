/*
 * Copyright 2026 The crbp authors. Licensed under the Apache License, Version 2.0.
 */
package org.crbp.examples.analysis;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * The statistics behind {@code crbp analyze}: the two-sample Kolmogorov–Smirnov test, principal
 * components, and the power iteration for the largest singular value of a linear map known only
 * through products with vectors.
 */
public final class Stats {

    private Stats() {}

    /** The result of a two-sample Kolmogorov–Smirnov test. */
    public static final class KsResult {
        /** The statistic D = sup |F1 - F2|. */
        public final double statistic;
        /** The asymptotic p-value of D under the hypothesis that both samples share a law. */
        public final double pValue;

        KsResult(double statistic, double pValue) {
            this.statistic = statistic;
            this.pValue = pValue;
        }
    }

    /**
     * The two-sample Kolmogorov–Smirnov test.
     *
     * @param a the first sample, not empty
     * @param b the second sample, not empty
     * @return D and its asymptotic p-value
     */
    public static KsResult kolmogorovSmirnov(double[] a, double[] b) {
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("both samples must be non-empty");
        }
        double[] x = a.clone();
        double[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < x.length && j < y.length) {
            double v = Math.min(x[i], y[j]);
            while (i < x.length && x[i] <= v) {
                i++;
            }
            while (j < y.length && y[j] <= v) {
                j++;
            }
            d = Math.max(d, Math.abs((double) i / x.length - (double) j / y.length));
        }
        double n = (double) x.length * y.length / (x.length + y.length);
        double en = Math.sqrt(n);
        return new KsResult(d, kolmogorovQ((en + 0.12 + 0.11 / en) * d));
    }

    /**
     * The Kolmogorov distribution's tail {@code Q(l) = 2 sum_j (-1)^(j-1) exp(-2 j^2 l^2)}.
     *
     * @param lambda the argument
     * @return the tail probability
     */
    static double kolmogorovQ(double lambda) {
        if (lambda < 1e-3) {
            return 1.0;
        }
        double sum = 0;
        double sign = 1;
        for (int j = 1; j <= 200; j++) {
            double term = sign * Math.exp(-2.0 * j * j * lambda * lambda);
            sum += term;
            if (Math.abs(term) < 1e-12) {
                break;
            }
            sign = -sign;
        }
        return Math.max(0, Math.min(1, 2 * sum));
    }

    /** Principal components of a set of rows. */
    public static final class Pca {
        /** The rows projected on the top components, {@code [row][component]}. */
        public final double[][] projection;
        /** The variance of each top component divided by the total variance. */
        public final double[] explained;

        Pca(double[][] projection, double[] explained) {
            this.projection = projection;
            this.explained = explained;
        }
    }

    /**
     * Projects rows on their top {@code k} principal components, through the eigenvectors of the
     * Gram matrix of the centred rows (cheap when there are fewer rows than dimensions).
     * Components' signs are chosen so that the largest coordinate is positive.
     *
     * @param rows the rows, all of the same length
     * @param k the number of components, at most the number of rows
     * @return the projection and explained variance ratios
     */
    public static Pca pca(double[][] rows, int k) {
        int n = rows.length;
        int d = rows[0].length;
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k must be in [1, " + n + "], got " + k);
        }
        double[] mean = new double[d];
        for (double[] r : rows) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j] / n;
            }
        }
        double[][] c = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                c[i][j] = rows[i][j] - mean[j];
            }
        }
        double[][] gram = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int l = i; l < n; l++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += c[i][j] * c[l][j];
                }
                gram[i][l] = s;
                gram[l][i] = s;
            }
        }
        double[] values = new double[n];
        double[][] vectors = new double[n][n];
        jacobiEigen(gram, values, vectors);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Double.compare(values[q], values[p]));
        double total = 0;
        for (double v : values) {
            total += Math.max(v, 0);
        }
        double[][] proj = new double[n][k];
        double[] explained = new double[k];
        for (int m = 0; m < k; m++) {
            int col = order[m];
            double lambda = Math.max(values[col], 0);
            double s = Math.sqrt(lambda);
            int argmax = 0;
            for (int i = 1; i < n; i++) {
                if (Math.abs(vectors[i][col]) > Math.abs(vectors[argmax][col])) {
                    argmax = i;
                }
            }
            double sign = vectors[argmax][col] < 0 ? -1 : 1;
            for (int i = 0; i < n; i++) {
                proj[i][m] = sign * vectors[i][col] * s;
            }
            explained[m] = total > 0 ? lambda / total : 0;
        }
        return new Pca(proj, explained);
    }

    /**
     * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations.
     *
     * @param a the matrix (destroyed)
     * @param values receives the eigenvalues
     * @param vectors receives the eigenvectors as columns
     */
    static void jacobiEigen(double[][] a, double[] values, double[][] vectors) {
        int n = a.length;
        for (int i = 0; i < n; i++) {
            Arrays.fill(vectors[i], 0);
            vectors[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            double diag = 0;
            for (int i = 0; i < n; i++) {
                diag += a[i][i] * a[i][i];
                for (int j = i + 1; j < n; j++) {
                    off += a[i][j] * a[i][j];
                }
            }
            if (off <= 1e-30 * Math.max(diag, 1e-300)) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p][q];
                    if (Math.abs(apq) < 1e-300) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta)
                            + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double cs = 1 / Math.sqrt(t * t + 1);
                    double sn = t * cs;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = cs * akp - sn * akq;
                        a[k][q] = sn * akp + cs * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = cs * apk - sn * aqk;
                        a[q][k] = sn * apk + cs * aqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = vectors[k][p];
                        double vkq = vectors[k][q];
                        vectors[k][p] = cs * vkp - sn * vkq;
                        vectors[k][q] = sn * vkp + cs * vkq;
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            values[i] = a[i][i];
        }
    }

    /** The result of a power iteration. */
    public static final class PowerResult {
        /** The estimate. */
        public final double value;
        /** The number of iterations run. */
        public final int iterations;
        /** The relative change of the estimate in the last iteration. */
        public final double lastChange;

        PowerResult(double value, int iterations, double lastChange) {
            this.value = value;
            this.iterations = iterations;
            this.lastChange = lastChange;
        }
    }

    /**
     * Estimates the largest singular value of a linear map {@code J} by power iteration on {@code
     * J^T J}: {@code v <- J^T (J v) / ||J^T (J v)||}, estimate {@code ||J v||} for unit {@code
     * v}.
     *
     * @param jvp the product {@code v -> J v}
     * @param vjp the product {@code u -> J^T u}
     * @param start the start vector (not zero)
     * @param maxIterations the largest number of iterations
     * @param tolerance stop when the estimate changes by less than this, relatively
     * @return the estimate of {@code sigma_max(J)}
     */
    public static PowerResult largestSingularValue(UnaryOperator<double[]> jvp,
            UnaryOperator<double[]> vjp, double[] start, int maxIterations, double tolerance) {
        double[] v = normalised(start);
        double sigma = 0;
        double change = Double.NaN;
        int it = 0;
        while (it < maxIterations) {
            it++;
            double[] jv = jvp.apply(v);
            double next = norm(jv);
            change = Math.abs(next - sigma) / Math.max(next, 1e-300);
            sigma = next;
            double[] w = vjp.apply(jv);
            if (norm(w) == 0) {
                break;
            }
            v = normalised(w);
            if (change < tolerance) {
                break;
            }
        }
        return new PowerResult(sigma, it, change);
    }

    /**
     * Estimates the spectral radius of a linear map known through {@code u -> J^T u}, by power
     * iteration on {@code J^T} (the same spectrum as {@code J}): {@code ||J^T u||} for unit
     * {@code u}. Converges when one eigenvalue dominates in modulus.
     *
     * @param vjp the product {@code u -> J^T u}
     * @param start the start vector (not zero)
     * @param maxIterations the largest number of iterations
     * @param tolerance stop when the estimate changes by less than this, relatively
     * @return the estimate
     */
    public static PowerResult spectralRadius(UnaryOperator<double[]> vjp, double[] start,
            int maxIterations, double tolerance) {
        double[] u = normalised(start);
        double rho = 0;
        double change = Double.NaN;
        int it = 0;
        while (it < maxIterations) {
            it++;
            double[] w = vjp.apply(u);
            double next = norm(w);
            change = Math.abs(next - rho) / Math.max(next, 1e-300);
            rho = next;
            if (next == 0) {
                break;
            }
            u = normalised(w);
            if (change < tolerance) {
                break;
            }
        }
        return new PowerResult(rho, it, change);
    }

    static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    static double[] normalised(double[] v) {
        double n = norm(v);
        if (n == 0) {
            throw new IllegalArgumentException("zero vector");
        }
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / n;
        }
        return out;
    }

    /**
     * The median of a sample.
     *
     * @param values the values
     * @return the median, NaN when empty
     */
    public static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
}
