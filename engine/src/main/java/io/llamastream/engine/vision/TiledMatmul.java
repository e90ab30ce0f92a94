package io.llamastream.engine.vision;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code out = x @ w.T} for the vision tower, where x has thousands of rows (577 per tile times
 * the tiles) rather than the decoder's one: x is walked in blocks of rows that stay in cache while
 * each thread's slice of w streams past, and four x rows share every load of w. Same contract as
 * {@link FloatKernels#matmulT}, which remains the better choice for a handful of rows.
 */
public final class TiledMatmul {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Rows of x per block: 64 rows of 1408 floats is ~360 KB, about an L2. */
    private static final int ROW_BLOCK = 64;

    private TiledMatmul() {
    }

    public static void matmulT(float[] x, int tokens, float[] w, int outRows, int cols, float[] out, ComputePool pool) {
        if (tokens < 8) {
            FloatKernels.matmulT(x, tokens, w, 0, outRows, cols, out, pool);
            return;
        }
        pool.forRange(outRows, (long) cols * tokens, (from, to) -> {
            for (int t0 = 0; t0 < tokens; t0 += ROW_BLOCK) {
                int t1 = Math.min(tokens, t0 + ROW_BLOCK);
                for (int r = from; r < to; r++) {
                    int wOff = r * cols;
                    int t = t0;
                    for (; t + 4 <= t1; t += 4) {
                        dot4(x, t * cols, cols, w, wOff, out, t * outRows + r, outRows);
                    }
                    for (; t < t1; t++) {
                        out[t * outRows + r] = FloatKernels.dot(x, t * cols, w, wOff, cols);
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
}
