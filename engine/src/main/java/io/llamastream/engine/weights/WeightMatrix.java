package io.llamastream.engine.weights;

import io.llamastream.engine.math.ComputePool;
import java.util.Arrays;

/**
 * A weight matrix {@code [rows, cols]} in some storage format (float32, bfloat16, 8- or 4-bit
 * blocks), able to multiply a batch of token rows by its transpose. Formats differ in bytes
 * read per step, which is what bounds decode speed on a CPU.
 */
public interface WeightMatrix {
    int rows();

    int cols();

    /** {@code out[t, r] = dot(row r, x[t, :])} for t < tokens; x is {@code [tokens, cols]}. */
    void multiply(float[] x, int tokens, float[] out, ComputePool pool);

    /**
     * As {@link #multiply} for output rows {@code [0, rowLimit)} only, through the same kernel path
     * {@code tokens} selects; {@code out} keeps the {@code [tokens, rows]} layout and its rows from
     * a little past the limit on are left as they were. The kernels' code at a fraction of the work:
     * what a warm-up runs on a large matrix.
     */
    void multiplyLeadingRows(float[] x, int tokens, float[] out, int rowLimit, ComputePool pool);

    /**
     * {@code outs[i] = x @ matrices[i].T} for every i, the matrices sharing one input (a layer's
     * query, key and value; a feed-forward's gate and up). One token row runs as {@link
     * #multiplyOneTokenEach}; more are multiplied one matrix at a time.
     */
    static void multiplyTogether(WeightMatrix[] matrices, float[] x, int tokens, float[][] outs, ComputePool pool) {
        if (tokens == 1) {
            float[][] xs = new float[matrices.length][];
            Arrays.fill(xs, x);
            multiplyOneTokenEach(matrices, xs, outs, pool);
            return;
        }
        if (matrices.length != outs.length) {
            throw new IllegalArgumentException(matrices.length + " matrices but " + outs.length + " outputs");
        }
        for (int i = 0; i < matrices.length; i++) {
            matrices[i].multiply(x, tokens, outs[i], pool);
        }
    }

    /**
     * {@code outs[i] = xs[i] @ matrices[i].T} for one token row each. Matrices of the row-group
     * formats with one column count run as one parallel job whose threads claim row groups across
     * all of them, so a decode step forks and joins once for the set instead of once per matrix (a
     * {@link StagedMatrix} takes part through the form serving when the call begins); anything
     * else is multiplied one matrix at a time. The results are the same either way, to the bit.
     */
    static void multiplyOneTokenEach(WeightMatrix[] matrices, float[][] xs, float[][] outs, ComputePool pool) {
        if (matrices.length != outs.length || matrices.length != xs.length) {
            throw new IllegalArgumentException(
                    matrices.length + " matrices, " + xs.length + " inputs and " + outs.length + " outputs");
        }
        WeightMatrix[] served = new WeightMatrix[matrices.length];
        for (int i = 0; i < matrices.length; i++) {
            served[i] = matrices[i] instanceof StagedMatrix staged ? staged.serving() : matrices[i];
        }
        if (matrices.length > 1 && RowKernelMatrix.canRunTogether(served)) {
            RowKernelMatrix.multiplyOneTokenTogether(served, xs, outs, pool);
            return;
        }
        for (int i = 0; i < matrices.length; i++) {
            matrices[i].multiply(xs[i], 1, outs[i], pool);
        }
    }

    /**
     * Which kernel code this matrix's multiplies run: the format's class and, where a format has
     * variants with branches of their own (4 bits with per-block mins, 8 bits repacked from a
     * K-quant), which variant. Matrices of equal kind and column count run the same code.
     */
    String kernelKind();

    /**
     * Token counts whose multiplies together run every kernel path of the formats (one token, a few
     * tokens, the decoded panel, the packed path) with each of its tile sizes, on this machine's
     * vector length; in increasing order.
     */
    static int[] kernelPathTokens() {
        return RowKernelMatrix.pathTokenCounts();
    }

    /** Bytes the weights occupy (and a decode step reads). */
    long bytes();
}
