package io.llamastream.engine.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.checkpoint.gguf.BlockDecoder;
import io.llamastream.engine.checkpoint.gguf.GgmlType;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.testing.LaneSumOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * GGUF's K-quants repacked at load into the kernels' layouts (Q4_K into a {@link Q4Matrix} with
 * mins, Q5_K and Q6_K into a {@link Q8Matrix} with mins or half-block scales): every weight
 * equals ggml's dequantization ({@link BlockDecoder}) bit for bit, in storage and in the decoded
 * panel the many-token kernels use, and every kernel path (one token, a few, the panel, the
 * packed path) matches a scalar dequantize-then-dot in double precision, with a row count that
 * leaves a partial group of four.
 */
class KQuantRepackTest {

    /** Random blocks with sane f16 scales (random bits elsewhere: every quant value occurs). */
    static byte[] randomBlocks(GgmlType type, int rows, int cols, long seed) {
        Random rnd = new Random(seed);
        int blocks = rows * cols / 256;
        byte[] raw = new byte[blocks * type.blockBytes()];
        rnd.nextBytes(raw);
        for (int b = 0; b < blocks; b++) {
            int o = b * type.blockBytes();
            if (type == GgmlType.Q6_K) {
                putHalf(raw, o + 208, 0x1C00 | rnd.nextInt(0x3FF)); // d in [2^-8, 2^-7)
            } else {
                putHalf(raw, o, 0x1C00 | rnd.nextInt(0x3FF));
                putHalf(raw, o + 2, 0x1800 | rnd.nextInt(0x3FF));
            }
        }
        return raw;
    }

    private static void putHalf(byte[] b, int o, int bits) {
        b[o] = (byte) bits;
        b[o + 1] = (byte) (bits >>> 8);
    }

    /** The repack of {@code raw} (rows of {@code type} super-blocks), written in two calls as the loader's slices are. */
    static RowKernelMatrix repack(GgmlType type, byte[] raw, int rows, int cols) {
        int rowBytes = cols / 256 * type.blockBytes();
        int first = rows / 2;
        switch (type) {
            case Q4_K: {
                Q4Matrix m = Q4Matrix.forQ4_K(rows, cols);
                m.setRowsQ4_K(0, raw, 0, first);
                m.setRowsQ4_K(first, raw, first * rowBytes, rows - first);
                return m;
            }
            case Q5_K: {
                Q8Matrix m = Q8Matrix.forQ5_K(rows, cols);
                m.setRowsQ5_K(0, raw, 0, first);
                m.setRowsQ5_K(first, raw, first * rowBytes, rows - first);
                return m;
            }
            default: {
                Q8Matrix m = Q8Matrix.forQ6_K(rows, cols);
                m.setRowsQ6_K(0, raw, 0, first);
                m.setRowsQ6_K(first, raw, first * rowBytes, rows - first);
                return m;
            }
        }
    }

    private static float get(RowKernelMatrix m, int r, int c) {
        return m instanceof Q4Matrix q4 ? q4.get(r, c) : ((Q8Matrix) m).get(r, c);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"Q4_K", "Q5_K", "Q6_K"})
    void everyStoredWeightIsGgmlsDequantizationBitForBit(GgmlType type) {
        int rows = 7;
        int cols = 768;
        byte[] raw = randomBlocks(type, rows, cols, 11);
        RowKernelMatrix m = repack(type, raw, rows, cols);
        float[] w = new float[rows * cols];
        BlockDecoder.decode(type, raw, 0, w, 0, rows * cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                assertEquals(
                        Float.floatToIntBits(w[r * cols + c]),
                        Float.floatToIntBits(get(m, r, c)),
                        type + " weight " + r + "," + c);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"Q4_K", "Q5_K", "Q6_K"})
    void theDecodedPanelIsGgmlsDequantizationBitForBit(GgmlType type) {
        int rows = 6;
        int cols = 512;
        byte[] raw = randomBlocks(type, rows, cols, 5);
        RowKernelMatrix m = repack(type, raw, rows, cols);
        float[] w = new float[rows * cols];
        BlockDecoder.decode(type, raw, 0, w, 0, rows * cols);
        int stride = cols + 3;
        for (int g = 0; g < 2; g++) {
            float[] panel = new float[RowKernelMatrix.GROUP * stride];
            m.decodeGroup(g, panel, 0, stride);
            for (int k = 0; k < RowKernelMatrix.GROUP; k++) {
                int r = g * RowKernelMatrix.GROUP + k;
                for (int c = 0; c < cols; c++) {
                    float want = r < rows ? w[r * cols + c] : 0f;
                    assertEquals(
                            Float.floatToIntBits(want),
                            Float.floatToIntBits(panel[k * stride + c]),
                            type + " panel weight " + r + "," + c);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2}, {3} tokens")
    @CsvSource({
        "Q4_K, 13, 512, 1", "Q4_K, 13, 512, 3", "Q4_K, 9, 256, 8", "Q4_K, 13, 512, 21", "Q4_K, 30, 768, 40",
        "Q5_K, 13, 512, 1", "Q5_K, 13, 512, 2", "Q5_K, 9, 256, 8", "Q5_K, 13, 512, 21", "Q5_K, 30, 768, 40",
        "Q6_K, 13, 512, 1", "Q6_K, 13, 512, 4", "Q6_K, 9, 256, 8", "Q6_K, 13, 512, 21", "Q6_K, 30, 768, 40",
    })
    void kernelsMatchTheScalarDequantizeThenDot(GgmlType type, int rows, int cols, int tokens) {
        byte[] raw = randomBlocks(type, rows, cols, 7L * rows + tokens);
        RowKernelMatrix m = repack(type, raw, rows, cols);
        float[] w = new float[rows * cols];
        BlockDecoder.decode(type, raw, 0, w, 0, rows * cols);
        Random rnd = new Random(tokens);
        float[] x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            // An offset so the activation sums (what the mins multiply) are far from zero.
            x[i] = (float) rnd.nextGaussian() + 0.5f;
        }
        float[] out = new float[tokens * rows];
        m.multiply(x, tokens, out, ComputePool.shared());
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < rows; r++) {
                double ref = 0;
                double mag = 0;
                for (int c = 0; c < cols; c++) {
                    ref += (double) w[r * cols + c] * x[t * cols + c];
                    mag += Math.abs((double) w[r * cols + c] * x[t * cols + c]);
                }
                float got = out[t * rows + r];
                assertTrue(
                        Math.abs(got - ref) <= 1e-5 * mag + 1e-6,
                        type + " row " + r + " token " + t + ": " + got + " vs " + ref);
            }
        }
    }

    /**
     * The min terms (Q4_K, Q5_K) go a vector of rows at a time where a claim holds whole runs of
     * them and row by row elsewhere: one group at a time (row by row) gives every output the bits
     * of the whole matrix at once.
     */
    @ParameterizedTest(name = "{0}, {1} rows")
    @CsvSource({"Q4_K, 37", "Q4_K, 64", "Q5_K, 37", "Q5_K, 64"})
    void oneTokenResultsDoNotDependOnTheRowsAClaimHolds(GgmlType type, int rows) {
        int cols = 512;
        RowKernelMatrix m = repack(type, randomBlocks(type, rows, cols, 3), rows, cols);
        Random rnd = new Random(rows);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) rnd.nextGaussian() + 0.5f;
        }
        float[] whole = new float[rows];
        m.oneToken(x, 0, whole, 0, 0, m.groups);
        float[] byGroup = new float[rows];
        for (int g = 0; g < m.groups; g++) {
            m.group1(g, x, 0, byGroup, 0);
        }
        for (int r = 0; r < rows; r++) {
            LaneSumOrder.assertSameSum(whole[r], byGroup[r], "row " + r);
        }
    }

    /**
     * Q4_K: half a byte a weight, a float scale per 32, a byte min per 32 and a float dmin per 256;
     * Q5_K the same with a byte a weight; Q6_K a byte a weight and a float scale per 16.
     */
    @ParameterizedTest(name = "{0}: {1} bytes per weight")
    @CsvSource({"Q4_K, 0.671875", "Q5_K, 1.171875", "Q6_K, 1.25"})
    void memoryIsTheRepackedLayout(GgmlType type, double bytesPerWeight) {
        int rows = 16;
        int cols = 512;
        RowKernelMatrix m = repack(type, randomBlocks(type, rows, cols, 1), rows, cols);
        assertEquals(bytesPerWeight * rows * cols, m.bytes());
    }

    /** The plan counts the min terms as the two arrays they are (the collector rounds each), summing to their bytes. */
    @Test
    void minTermsArePlannedAsTheirTwoArrays() {
        int rows = 37;
        int cols = 512;
        List<Long> arrays = new ArrayList<>();
        MinTerms.arrays(arrays, rows, cols);
        // 37 rows padded to whole vectors of rows; a byte per block of 32, a float per super-block of 256.
        long laneRows = (rows + RowKernelMatrix.L - 1) / RowKernelMatrix.L * RowKernelMatrix.L;
        assertEquals(List.of(laneRows * 16, laneRows * 2 * 4), arrays);
        assertEquals(new MinTerms(rows, cols / 32, "Q4_K").bytes(), arrays.get(0) + arrays.get(1));
    }
}
