package io.llamastream.engine.vision;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;

/**
 * The two float kernels the vision tower needs that the text decoder does not: LayerNorm with
 * weight and bias, and exact GELU. Both work on row-major {@code [rows, n]} arrays, in parallel
 * over rows. (Candidates for {@code FloatKernels} if another model ever needs them.)
 */
public final class VisionKernels {
    private static final double INV_SQRT2 = 0.7071067811865476;

    private VisionKernels() {}

    /** {@code out[r] = (x[r] - mean) / sqrt(var + eps) * w + b} per row; out may be x. */
    public static void layerNorm(
            float[] x, int rows, int n, float[] w, float[] b, float eps, float[] out, ComputePool pool) {
        pool.forRange(rows, n * 4L, (from, to) -> {
            for (int r = from; r < to; r++) {
                int off = r * n;
                // double accumulation: rows of 1408 would otherwise lose bits in the variance.
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += x[off + i];
                }
                double mean = sum / n;
                double var = 0;
                for (int i = 0; i < n; i++) {
                    double d = x[off + i] - mean;
                    var += d * d;
                }
                float inv = (float) (1.0 / Math.sqrt(var / n + eps));
                float m = (float) mean;
                for (int i = 0; i < n; i++) {
                    out[off + i] = (x[off + i] - m) * inv * w[i] + b[i];
                }
            }
        });
    }

    /** Exact GELU in place: {@code x * Phi(x) = 0.5 x erfc(-x / sqrt 2)} (erfc keeps the negative tail accurate). */
    public static void gelu(float[] x, int off, int n, ComputePool pool) {
        int chunk = 4096;
        int parts = (n + chunk - 1) / chunk;
        pool.forRange(parts, chunk * 40L, (from, to) -> {
            int end = Math.min(n, to * chunk);
            for (int i = from * chunk; i < end; i++) {
                x[off + i] = gelu(x[off + i]);
            }
        });
    }

    public static float gelu(float v) {
        return (float) (0.5 * v * Erf.erfc(-v * INV_SQRT2));
    }

    /** Adds {@code bias[c]} to every row of a {@code [rows, n]} array. */
    public static void addBias(float[] x, int rows, int n, float[] bias) {
        for (int r = 0; r < rows; r++) {
            FloatKernels.addInPlace(x, r * n, bias, 0, n);
        }
    }
}
