package io.llamastream.engine.weights;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;

/** A {@link WeightMatrix} held as row-major float32: exact, and four bytes per weight. */
public final class F32Matrix implements WeightMatrix {
    private final float[] weight;
    private final int rows;
    private final int cols;

    public F32Matrix(float[] weight, int rows, int cols) {
        if ((long) rows * cols != weight.length) {
            throw new IllegalArgumentException("weight has " + weight.length + " values, expected " + rows + "x" + cols);
        }
        this.weight = weight;
        this.rows = rows;
        this.cols = cols;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public void multiply(float[] x, int tokens, float[] out, ComputePool pool) {
        FloatKernels.matmulT(x, tokens, weight, 0, rows, cols, out, pool);
    }

    @Override
    public long bytes() {
        return (long) weight.length * Float.BYTES;
    }
}
