package io.llamastream.engine.vision;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;
import io.llamastream.engine.math.VectorExp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two float kernels the vision tower needs that the text decoder does not: LayerNorm with
 * weight and bias, and exact GELU. Both work on row-major {@code [rows, n]} arrays, in parallel
 * over rows. (Candidates for {@code FloatKernels} if another model ever needs them.)
 */
public final class VisionKernels {
    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final VectorSpecies<Float> F = VectorExp.F;
    private static final int L = F.length();

    private VisionKernels() {}

    /**
     * {@code out[r] = (x[r] - mean) / sqrt(var + eps) * w + b} per row; out may be x. Vectorised, two
     * passes (mean, then the centred sum of squares, so no cancellation), each summed in two
     * vectors of lanes: a lane adds at most n / (2 L) values, few enough that float sums keep the
     * mean and variance of a 1408-wide row to ~1e-6.
     */
    public static void layerNorm(
            float[] x, int rows, int n, float[] w, float[] b, float eps, float[] out, ComputePool pool) {
        pool.forRange(rows, n * 4L, (from, to) -> {
            for (int r = from; r < to; r++) {
                layerNormRow(x, r * n, n, w, b, eps, out);
            }
        });
    }

    private static void layerNormRow(float[] x, int off, int n, float[] w, float[] b, float eps, float[] out) {
        int bound = F.loopBound(n);
        int bound2 = n - n % (2 * L);
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = FloatVector.zero(F);
        int i = 0;
        for (; i < bound2; i += 2 * L) {
            s0 = s0.add(FloatVector.fromArray(F, x, off + i));
            s1 = s1.add(FloatVector.fromArray(F, x, off + i + L));
        }
        for (; i < bound; i += L) {
            s0 = s0.add(FloatVector.fromArray(F, x, off + i));
        }
        double sum = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += x[off + i];
        }
        float m = (float) (sum / n);
        FloatVector vm = FloatVector.broadcast(F, m);
        s0 = FloatVector.zero(F);
        s1 = FloatVector.zero(F);
        for (i = 0; i < bound2; i += 2 * L) {
            FloatVector d0 = FloatVector.fromArray(F, x, off + i).sub(vm);
            FloatVector d1 = FloatVector.fromArray(F, x, off + i + L).sub(vm);
            s0 = d0.fma(d0, s0);
            s1 = d1.fma(d1, s1);
        }
        for (; i < bound; i += L) {
            FloatVector d0 = FloatVector.fromArray(F, x, off + i).sub(vm);
            s0 = d0.fma(d0, s0);
        }
        double var = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            double d = x[off + i] - m;
            var += d * d;
        }
        float inv = (float) (1.0 / Math.sqrt(var / n + eps));
        for (i = 0; i < bound; i += L) {
            FloatVector.fromArray(F, x, off + i)
                    .sub(vm)
                    .mul(inv)
                    .fma(FloatVector.fromArray(F, w, i), FloatVector.fromArray(F, b, i))
                    .intoArray(out, off + i);
        }
        for (; i < n; i++) {
            out[off + i] = (x[off + i] - m) * inv * w[i] + b[i];
        }
    }

    /**
     * Exact GELU in place, {@code x * Phi(x)}, vectorised ({@link #gelu(FloatVector)}; the last
     * partial vector goes through a padded copy), in parallel over chunks of 4096 floats.
     */
    public static void gelu(float[] x, int off, int n, ComputePool pool) {
        int chunk = 4096;
        int parts = (n + chunk - 1) / chunk;
        pool.forRange(parts, chunk * 4L, (from, to) -> {
            int end = Math.min(n, to * chunk);
            int i = from * chunk;
            for (int bound = end - L; i <= bound; i += L) {
                gelu(FloatVector.fromArray(F, x, off + i)).intoArray(x, off + i);
            }
            if (i < end) {
                float[] tail = new float[L];
                System.arraycopy(x, off + i, tail, 0, end - i);
                gelu(FloatVector.fromArray(F, tail, 0)).intoArray(tail, 0);
                System.arraycopy(tail, 0, x, off + i, end - i);
            }
        });
    }

    /**
     * GELU of every lane in float arithmetic: {@code x Phi(x) = x/2 erfc(z)}, {@code z = -x/sqrt 2},
     * with erfc from the Chebyshev fit of Numerical Recipes' {@code erfcc}, whose relative error is
     * below 1.2e-7 for all z >= 0: {@code erfc(|z|) = t exp(-z^2 + P(t))}, {@code t = 1/(1 + |z|/2)}.
     * For x <= 0 (z >= 0) that is the result's relative accuracy even far in the negative tail;
     * for x > 0, {@code x Phi(x) = x - x/2 erfc(|z|)}. The exponent {@code -z^2 + P} is one fused
     * multiply-add, so it is rounded once. Measured against the double {@link #gelu(float)}: see
     * {@code VisionKernelsTest}.
     */
    static FloatVector gelu(FloatVector x) {
        FloatVector a = x.abs().mul((float) INV_SQRT2);
        FloatVector t = a.fma(0.5f, 1f);
        t = FloatVector.broadcast(F, 1f).div(t);
        FloatVector p = t.fma(0.17087277f, -0.82215223f); // fma(float, float): t * a + b
        p = p.fma(t, c(1.48851587f));
        p = p.fma(t, c(-1.13520398f));
        p = p.fma(t, c(0.27886807f));
        p = p.fma(t, c(-0.18628806f));
        p = p.fma(t, c(0.09678418f));
        p = p.fma(t, c(0.37409196f));
        p = p.fma(t, c(1.00002368f));
        p = p.fma(t, c(-1.26551223f));
        FloatVector erfcA = t.mul(VectorExp.exp(a.neg().fma(a, p)));
        FloatVector h = x.mul(0.5f).mul(erfcA);
        // x > 0: x - h = x (1 - erfc) + h; x <= 0: h. No blend: JDK 17's C2 left it boxed here.
        return x.max(0f).fma(c(1f).sub(erfcA), h);
    }

    private static FloatVector c(float v) {
        return FloatVector.broadcast(F, v);
    }

    /** Exact GELU of one value in double arithmetic, with the series / continued-fraction erfc of {@link Erf}: the reference. */
    public static float gelu(float v) {
        return (float) (0.5 * v * Erf.erfc(-v * INV_SQRT2));
    }

    /** Adds {@code bias[c]} to every row of a {@code [rows, n]} array, in parallel over rows. */
    public static void addBias(float[] x, int rows, int n, float[] bias, ComputePool pool) {
        pool.forRange(rows, n, (from, to) -> {
            for (int r = from; r < to; r++) {
                FloatKernels.addInPlace(x, r * n, bias, 0, n);
            }
        });
    }

    /**
     * The residual step after a block: {@code x[r] += y[r] + bias} for every row of {@code [rows,
     * n]} arrays, the block's output bias folded in, in parallel over rows.
     */
    public static void addBiasResidual(float[] x, float[] y, int rows, int n, float[] bias, ComputePool pool) {
        pool.forRange(rows, n, (from, to) -> {
            for (int r = from; r < to; r++) {
                int off = r * n;
                int i = 0;
                for (int bound = F.loopBound(n); i < bound; i += L) {
                    FloatVector.fromArray(F, x, off + i)
                            .add(FloatVector.fromArray(F, y, off + i).add(FloatVector.fromArray(F, bias, i)))
                            .intoArray(x, off + i);
                }
                for (; i < n; i++) {
                    x[off + i] += y[off + i] + bias[i];
                }
            }
        });
    }

    /**
     * Softmax of each of {@code rows} rows of width n of {@code s[off..]}, after scaling by
     * {@code scale}: the attention probabilities ({@link FloatKernels#scaledSoftmax} row by row).
     */
    public static void scaledSoftmax(float[] s, int off, int rows, int n, float scale) {
        for (int r = 0; r < rows; r++) {
            FloatKernels.scaledSoftmax(s, off + r * n, n, scale);
        }
    }
}
