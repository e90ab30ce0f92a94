package io.llamastream.engine.weights;

import java.util.Arrays;

/**
 * The shared driver's half for formats stored row after row ({@link Bf16Matrix}, the mapped GGUF
 * Q8_0 blocks of {@link MappedQ8_0Matrix}), as opposed to the block formats' groups of four
 * interleaved rows. One token runs one row at a time, so a run of rows is one stream through
 * memory (a group's four rows in lockstep would read four short ones); a group decodes as its
 * rows, the rows past the end as zeros.
 */
abstract class RowMajorMatrix extends RowKernelMatrix {
    RowMajorMatrix(int rows, int cols) {
        super(rows, cols);
    }

    /** Row r times one token row x[xOff ..]. */
    abstract float dotRow(int r, float[] x, int xOff);

    /** Row r's weights, dequantized, to {@code panel[po ..]} ({@code cols} floats). */
    abstract void decodeRow(int r, float[] panel, int po);

    @Override
    final void oneToken(float[] x, int xOff, float[] out, int o, int from, int to) {
        int end = Math.min(rows, to * GROUP);
        for (int r = from * GROUP; r < end; r++) {
            out[o + r] = dotRow(r, x, xOff);
        }
    }

    @Override
    final void group1(int g, float[] x, int xOff, float[] out, int o) {
        oneToken(x, xOff, out, o, g, g + 1);
    }

    @Override
    final void decodeGroup(int g, float[] panel, int off, int stride) {
        for (int k = 0; k < GROUP; k++) {
            int r = g * GROUP + k;
            int po = off + k * stride;
            if (r < rows) {
                decodeRow(r, panel, po);
            } else {
                Arrays.fill(panel, po, po + cols, 0f);
            }
        }
    }
}
