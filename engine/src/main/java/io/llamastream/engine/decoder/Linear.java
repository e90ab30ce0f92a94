package io.llamastream.engine.decoder;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;

/**
 * A bias-free linear map stored row-major as {@code [out, in]} float32, the checkpoint layout of
 * every {@code *.weight}: {@link #apply} computes {@code x @ W.T} for a batch of token rows.
 */
public final class Linear {
    private final float[] weight;
    private final int out;
    private final int in;

    public Linear(float[] weight, int out, int in) {
        if ((long) out * in != weight.length) {
            throw new IllegalArgumentException("weight has " + weight.length + " values, expected " + out + "x" + in);
        }
        this.weight = weight;
        this.out = out;
        this.in = in;
    }

    public int outFeatures() {
        return out;
    }

    public int inFeatures() {
        return in;
    }

    /** {@code y[t, :] = W @ x[t, :]} for t < tokens; x is {@code [tokens, in]}, y is {@code [tokens, out]}. */
    public void apply(float[] x, int tokens, float[] y, ComputePool pool) {
        FloatKernels.matmulT(x, tokens, weight, 0, out, in, y, pool);
    }

    /** One output row's dot product with one input row: used to score a single vocabulary entry. */
    public float row(int r, float[] x, int xOff) {
        return FloatKernels.dot(weight, r * in, x, xOff, in);
    }

    public long bytes() {
        return (long) weight.length * Float.BYTES;
    }
}
