package io.llamastream.engine.weights;

import io.llamastream.engine.math.FloatKernels;
import java.util.Arrays;

/**
 * A {@link WeightMatrix} held as row-major float32: exact, and four bytes per weight. It runs on
 * the same many-row core as the other formats ({@link RowKernelMatrix}): one token is four row
 * dots per group, several tokens copy a group's rows into the panel the register tiles read.
 */
public final class F32Matrix extends RowKernelMatrix {
    private final float[] weight;

    public F32Matrix(float[] weight, int rows, int cols) {
        super(rows, cols);
        if ((long) rows * cols != weight.length) {
            throw new IllegalArgumentException(
                    "weight has " + weight.length + " values, expected " + rows + "x" + cols);
        }
        this.weight = weight;
    }

    @Override
    void group1(int g, float[] x, int xOff, float[] out, int o) {
        int r1 = Math.min(rows, g * GROUP + GROUP);
        for (int r = g * GROUP; r < r1; r++) {
            out[o + r] = FloatKernels.dot(weight, r * cols, x, xOff, cols);
        }
    }

    @Override
    void decodeGroup(int g, float[] panel, int off, int stride) {
        for (int k = 0; k < GROUP; k++) {
            int r = g * GROUP + k;
            if (r < rows) {
                System.arraycopy(weight, r * cols, panel, off + k * stride, cols);
            } else {
                Arrays.fill(panel, off + k * stride, off + k * stride + cols, 0f);
            }
        }
    }

    @Override
    public long bytes() {
        return (long) weight.length * Float.BYTES;
    }
}
