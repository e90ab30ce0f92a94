package io.llamastream.engine.quant;

import io.llamastream.engine.decoder.WeightMatrix;
import io.llamastream.engine.math.ComputePool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shared driver of the packed formats: parallel over output rows (each thread streams its own
 * contiguous slice of the weights), and within a row, tokens in tiles of four so one decode of
 * a weight vector feeds four multiply-adds while the row is hot in L1.
 */
abstract class RowKernelMatrix implements WeightMatrix {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Tokens sharing one decoded weight vector. */
    static final int TILE = 4;

    final int rows;
    final int cols;

    RowKernelMatrix(int rows, int cols) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("bad shape " + rows + "x" + cols);
        }
        this.rows = rows;
        this.cols = cols;
    }

    @Override
    public final int rows() {
        return rows;
    }

    @Override
    public final int cols() {
        return cols;
    }

    @Override
    public final void multiply(float[] x, int tokens, float[] out, ComputePool pool) {
        if (x.length < tokens * cols || out.length < tokens * rows) {
            throw new IllegalArgumentException("x or out too short for " + tokens + " tokens of " + rows + "x" + cols);
        }
        pool.forRange(rows, (long) cols * tokens, (from, to) -> multiplyRows(x, tokens, out, from, to));
    }

    /**
     * Rows [from, to) of {@code out = x @ W.T}; runs on one thread. Rows go in chunks of
     * {@link #ROW_CHUNK} whose weights stay in L1/L2 while every tile of four token rows (which
     * stays in L1) passes over them, so neither a long x nor a long weight slice is re-streamed
     * from memory per row.
     */
    final void multiplyRows(float[] x, int tokens, float[] out, int from, int to) {
        int tiled = tokens - tokens % TILE;
        for (int r0 = from; r0 < to; r0 += ROW_CHUNK) {
            int r1 = Math.min(to, r0 + ROW_CHUNK);
            for (int t = 0; t < tiled; t += TILE) {
                for (int r = r0; r < r1; r++) {
                    dot4(r, x, t * cols, out, t * rows + r);
                }
            }
            for (int t = tiled; t < tokens; t++) {
                for (int r = r0; r < r1; r++) {
                    out[t * rows + r] = dot1(r, x, t * cols);
                }
            }
        }
    }

    /** Rows whose weights are reused across token tiles before moving on (~32-128 KB of weights). */
    static final int ROW_CHUNK = 32;

    /** Dot of row r with x[xOff .. xOff + cols). */
    abstract float dot1(int r, float[] x, int xOff);

    /**
     * Dots of row r with four consecutive token rows starting at x[xOff]; results go to
     * out[o], out[o + rows], out[o + 2 rows], out[o + 3 rows].
     */
    abstract void dot4(int r, float[] x, int xOff, float[] out, int o);

    static void checkBlocks(int cols) {
        if (cols % WeightFormat.BLOCK != 0) {
            throw new IllegalArgumentException("cols " + cols + " is not a multiple of the block size " + WeightFormat.BLOCK);
        }
        if (L > 16 || WeightFormat.BLOCK % L != 0) {
            throw new IllegalStateException("float vectors of " + L + " lanes are not supported by the block kernels");
        }
    }
}
