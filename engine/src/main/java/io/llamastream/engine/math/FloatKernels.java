package io.llamastream.engine.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 SIMD kernels of the engine (dot products, row-major matrix products, norms,
 * activations), written with {@code jdk.incubator.vector} array loads only, which behave the
 * same on JDK 17 and 25. Matrices are row-major {@code float[]} with rows of {@code cols} floats.
 */
public final class FloatKernels {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private FloatKernels() {
    }

    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        int bound = F.loopBound(n);
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int step = F.length();
        for (; i + step < bound; i += 2 * step) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + step).fma(FloatVector.fromArray(F, b, bOff + i + step), acc1);
        }
        for (; i < bound; i += step) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** Rows of x per block in the many-token path: 64 rows of 1408 floats is ~360 KB, about an L2. */
    private static final int ROW_BLOCK = 64;

    /**
     * {@code out[t, r] = sum_c x[t, c] * w[r, c]} for t < rows of x: x is {@code [tokens, cols]},
     * w is {@code [outRows, cols]}, out is {@code [tokens, outRows]} (that is, {@code x @ w.T}).
     * Parallel over output rows so each thread streams a slice of w. With many tokens (prefill,
     * the vision tower's patches) x is walked in blocks of rows that stay in cache while the slice
     * of w streams past, and four x rows share every load of w.
     */
    public static void matmulT(float[] x, int tokens, float[] w, int wOff, int outRows, int cols,
                               float[] out, ComputePool pool) {
        if (tokens < 8) {
            pool.forRange(outRows, (long) cols * tokens, (from, to) -> {
                for (int r = from; r < to; r++) {
                    int wRow = wOff + r * cols;
                    for (int t = 0; t < tokens; t++) {
                        out[t * outRows + r] = dot(x, t * cols, w, wRow, cols);
                    }
                }
            });
            return;
        }
        pool.forRange(outRows, (long) cols * tokens, (from, to) -> {
            for (int t0 = 0; t0 < tokens; t0 += ROW_BLOCK) {
                int t1 = Math.min(tokens, t0 + ROW_BLOCK);
                for (int r = from; r < to; r++) {
                    int wRow = wOff + r * cols;
                    int t = t0;
                    for (; t + 4 <= t1; t += 4) {
                        dot4(x, t * cols, cols, w, wRow, out, t * outRows + r, outRows);
                    }
                    for (; t < t1; t++) {
                        out[t * outRows + r] = dot(x, t * cols, w, wRow, cols);
                    }
                }
            }
        });
    }

    /** Four dot products of consecutive x rows (stride cols) against one w row. */
    private static void dot4(float[] x, int xOff, int cols, float[] w, int wOff, float[] out, int outOff, int outStride) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int i = 0;
        int bound = F.loopBound(cols);
        for (; i < bound; i += F.length()) {
            FloatVector wv = FloatVector.fromArray(F, w, wOff + i);
            a0 = FloatVector.fromArray(F, x, xOff + i).fma(wv, a0);
            a1 = FloatVector.fromArray(F, x, xOff + cols + i).fma(wv, a1);
            a2 = FloatVector.fromArray(F, x, xOff + 2 * cols + i).fma(wv, a2);
            a3 = FloatVector.fromArray(F, x, xOff + 3 * cols + i).fma(wv, a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD);
        float s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD);
        float s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            float wi = w[wOff + i];
            s0 += x[xOff + i] * wi;
            s1 += x[xOff + cols + i] * wi;
            s2 += x[xOff + 2 * cols + i] * wi;
            s3 += x[xOff + 3 * cols + i] * wi;
        }
        out[outOff] = s0;
        out[outOff + outStride] = s1;
        out[outOff + 2 * outStride] = s2;
        out[outOff + 3 * outStride] = s3;
    }

    /** {@code x[i] += y[i]}. */
    public static void addInPlace(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, xOff + i).add(FloatVector.fromArray(F, y, yOff + i)).intoArray(x, xOff + i);
        }
        for (; i < n; i++) {
            x[xOff + i] += y[yOff + i];
        }
    }

    /** {@code x[i] += a * y[i]}. */
    public static void axpy(float a, float[] y, int yOff, float[] x, int xOff, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(F, a);
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, y, yOff + i).fma(va, FloatVector.fromArray(F, x, xOff + i)).intoArray(x, xOff + i);
        }
        for (; i < n; i++) {
            x[xOff + i] += a * y[yOff + i];
        }
    }

    /** {@code x[i] *= a}. */
    public static void scale(float[] x, int off, int n, float a) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, off + i).mul(a).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= a;
        }
    }

    /** Sum of squares of {@code x[off..off+n)}. */
    public static float sumOfSquares(float[] x, int off, int n) {
        return dot(x, off, x, off, n);
    }

    /**
     * RMS norm of each of {@code rows} rows of width n: {@code out = x / sqrt(mean(x^2) + eps) * g};
     * {@code g} may be null for the weightless L2 norm of Llama 4's QK norm.
     */
    public static void rmsNorm(float[] x, int xOff, float[] g, float eps, float[] out, int outOff, int n) {
        float inv = (float) (1.0 / Math.sqrt(sumOfSquares(x, xOff, n) / n + eps));
        if (g == null) {
            for (int i = 0; i < n; i++) {
                out[outOff + i] = x[xOff + i] * inv;
            }
        } else {
            for (int i = 0; i < n; i++) {
                out[outOff + i] = x[xOff + i] * inv * g[i];
            }
        }
    }

    /** {@code gate[i] = silu(gate[i]) * up[i]}: the SwiGLU combination. */
    public static void siluMul(float[] gate, int gOff, float[] up, int uOff, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[gOff + i];
            gate[gOff + i] = g / (1f + (float) Math.exp(-g)) * up[uOff + i];
        }
    }

    /** In-place softmax of {@code x[off..off+n)}. */
    public static void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        float sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = 0; i < n; i++) {
            x[off + i] *= inv;
        }
    }

    /** {@code log softmax(logits[off..off+n))[token]}, in double precision. */
    public static double logSoftmaxAt(float[] logits, int off, int n, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(logits[off + i] - max);
        }
        return logits[off + token] - max - Math.log(sum);
    }
}
