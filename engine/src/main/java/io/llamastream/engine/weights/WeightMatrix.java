package io.llamastream.engine.weights;

import io.llamastream.engine.math.ComputePool;

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

    /** Bytes the weights occupy (and a decode step reads). */
    long bytes();
}
