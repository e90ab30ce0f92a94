package io.llamastream.engine.model;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.weights.F32Matrix;
import io.llamastream.engine.weights.WeightMatrix;

/**
 * A bias-free linear map {@code y = x @ W.T} with {@code W} stored {@code [out, in]} (the
 * checkpoint layout of every {@code *.weight}) in whichever {@link WeightMatrix} format the
 * model was loaded with.
 */
public final class Linear {
    private final WeightMatrix weight;

    public Linear(WeightMatrix weight) {
        this.weight = weight;
    }

    public Linear(float[] weight, int out, int in) {
        this(new F32Matrix(weight, out, in));
    }

    public int outFeatures() {
        return weight.rows();
    }

    public int inFeatures() {
        return weight.cols();
    }

    /** {@code y[t, :] = W @ x[t, :]} for t < tokens; x is {@code [tokens, in]}, y is {@code [tokens, out]}. */
    public void apply(float[] x, int tokens, float[] y, ComputePool pool) {
        weight.multiply(x, tokens, y, pool);
    }

    /**
     * {@code ys[i] = x @ linears[i].W.T} for maps that share their input, run together where the
     * weights allow it (see {@link WeightMatrix#multiplyTogether}).
     */
    public static void applyTogether(Linear[] linears, float[] x, int tokens, float[][] ys, ComputePool pool) {
        WeightMatrix[] weights = new WeightMatrix[linears.length];
        for (int i = 0; i < linears.length; i++) {
            weights[i] = linears[i].weight;
        }
        WeightMatrix.multiplyTogether(weights, x, tokens, ys, pool);
    }

    public WeightMatrix weight() {
        return weight;
    }

    public long bytes() {
        return weight.bytes();
    }
}
