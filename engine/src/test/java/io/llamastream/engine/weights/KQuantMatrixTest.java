package io.llamastream.engine.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.checkpoint.gguf.BlockDecoder;
import io.llamastream.engine.checkpoint.gguf.GgmlType;
import io.llamastream.engine.math.ComputePool;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The K-quant SIMD kernels against the scalar reference: every row dequantized by
 * {@link BlockDecoder} and dotted in double precision, for one token (the fused decode kernel),
 * a few tokens (small tiles) and many (the decoded panel), with a row count that leaves a partial
 * group of four.
 */
class KQuantMatrixTest {

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

    @ParameterizedTest(name = "{0} {1}x{2}, {3} tokens")
    @CsvSource({
        "Q4_K, 13, 512, 1", "Q4_K, 13, 512, 3", "Q4_K, 9, 256, 8", "Q4_K, 13, 512, 21",
        "Q5_K, 13, 512, 1", "Q5_K, 13, 512, 2", "Q5_K, 9, 256, 8", "Q5_K, 13, 512, 21",
        "Q6_K, 13, 512, 1", "Q6_K, 13, 512, 4", "Q6_K, 9, 256, 8", "Q6_K, 13, 512, 21",
    })
    void kernelsMatchTheScalarDequantizeThenDot(GgmlType type, int rows, int cols, int tokens) {
        byte[] raw = randomBlocks(type, rows, cols, 7L * rows + tokens);
        KQuantMatrix m = new KQuantMatrix(type, raw, rows, cols);
        float[] w = new float[rows * cols];
        BlockDecoder.decode(type, raw, 0, w, 0, rows * cols);
        Random rnd = new Random(tokens);
        float[] x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
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

    @ParameterizedTest
    @CsvSource({"Q4_K, 144", "Q5_K, 176", "Q6_K, 210"})
    void memoryIsTheFilesBytes(GgmlType type, int blockBytes) {
        KQuantMatrix m = new KQuantMatrix(type, new byte[3 * 2 * blockBytes], 3, 512);
        assertEquals(3L * 2 * blockBytes, m.bytes());
    }
}
