package io.llamastream.engine.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.math.Bf16;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.WeightLoader;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantMatrixTest {

    static float[] random(SplittableRandom rnd, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        return w;
    }

    static float dequantized(WeightMatrix m, int r, int c) {
        if (m instanceof Q8Matrix q) {
            return q.get(r, c);
        }
        if (m instanceof Q4Matrix q) {
            return q.get(r, c);
        }
        return ((Bf16Matrix) m).get(r, c);
    }

    /** The kernels (every token count around the tile of four, both threads) equal a scalar double dot of the stored weights. */
    @ParameterizedTest(name = "{0} {1}x{2}")
    @CsvSource({
        "BF16, 37, 64",
        "BF16, 5, 72",
        "Q8, 37, 64",
        "Q8, 129, 384",
        "Q4, 37, 64",
        "Q4, 129, 384",
        "Q8, 3, 32",
        "Q4, 3, 32"
    })
    void kernelsMatchAScalarDotOfTheStoredWeights(WeightFormat format, int rows, int cols) {
        SplittableRandom rnd = new SplittableRandom(rows * 31L + cols);
        WeightMatrix m = WeightLoader.fromFloats(format, random(rnd, rows * cols), rows, cols);
        for (ComputePool pool : new ComputePool[] {new ComputePool(1), new ComputePool(2)}) {
            for (int tokens : new int[] {1, 2, 3, 4, 5, 8, 9, 64}) {
                float[] x = random(rnd, tokens * cols);
                float[] out = new float[tokens * rows];
                m.multiply(x, tokens, out, pool);
                for (int t = 0; t < tokens; t++) {
                    for (int r = 0; r < rows; r++) {
                        double ref = 0;
                        double mag = 0;
                        for (int c = 0; c < cols; c++) {
                            double p = (double) dequantized(m, r, c) * x[t * cols + c];
                            ref += p;
                            mag += Math.abs(p);
                        }
                        assertEquals(
                                ref,
                                out[t * rows + r],
                                1e-5 * mag + 1e-6,
                                format + " token " + t + " row " + r + " of " + tokens);
                    }
                }
            }
        }
    }

    /**
     * Wide rows split the batched path into several token chunks (each group decoded once per
     * chunk); token counts just below, at and above the panel threshold and a chunk boundary.
     */
    @ParameterizedTest(name = "{0} {1}x{2}")
    @CsvSource({"Q8, 9, 4096", "Q4, 6, 4096", "BF16, 5, 4104"})
    void batchedPathOverSeveralTokenChunks(WeightFormat format, int rows, int cols) {
        SplittableRandom rnd = new SplittableRandom(rows * 17L + cols);
        WeightMatrix m = WeightLoader.fromFloats(format, random(rnd, rows * cols), rows, cols);
        for (int tokens : new int[] {6, 7, 8, 33, 70}) {
            float[] x = random(rnd, tokens * cols);
            float[] out = new float[tokens * rows];
            m.multiply(x, tokens, out, new ComputePool(2));
            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < rows; r++) {
                    double ref = 0;
                    double mag = 0;
                    for (int c = 0; c < cols; c++) {
                        double p = (double) dequantized(m, r, c) * x[t * cols + c];
                        ref += p;
                        mag += Math.abs(p);
                    }
                    assertEquals(
                            ref,
                            out[t * rows + r],
                            1e-5 * mag + 1e-6,
                            format + " token " + t + " row " + r + " of " + tokens);
                }
            }
        }
    }

    @Test
    void quantizationErrorStaysWithinTheBlockStep() {
        SplittableRandom rnd = new SplittableRandom(7);
        int rows = 16;
        int cols = 256;
        float[] w = random(rnd, rows * cols);
        w[5] = 40f; // an outlier only widens its own block's step
        Q8Matrix q8 = Q8Matrix.quantize(w, rows, cols);
        Q4Matrix q4 = Q4Matrix.quantize(w, rows, cols);
        Bf16Matrix bf = (Bf16Matrix) WeightLoader.fromFloats(WeightFormat.BF16, w, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < cols / 32; b++) {
                float amax = 0;
                for (int i = 0; i < 32; i++) {
                    amax = Math.max(amax, Math.abs(w[r * cols + b * 32 + i]));
                }
                for (int i = 0; i < 32; i++) {
                    int c = b * 32 + i;
                    float v = w[r * cols + c];
                    assertTrue(Math.abs(q8.get(r, c) - v) <= amax / 127 / 2 * 1.0001f, "q8 at " + r + "," + c);
                    // Q4_0: step amax/8; rounding error half a step, except +amax side which clamps to 7 (one step).
                    assertTrue(Math.abs(q4.get(r, c) - v) <= amax / 8 * 1.0001f, "q4 at " + r + "," + c);
                    assertTrue(Math.abs(bf.get(r, c) - v) <= Math.abs(v) / 256, "bf16 at " + r + "," + c);
                }
            }
        }
        assertEquals(40f, q8.get(0, 5), 1e-5f);
        assertEquals(40f, q4.get(0, 5), 1e-5f);
    }

    @Test
    void bytesAreTheFormatsSize() {
        float[] w = new float[64 * 128];
        assertEquals(64L * 128 * 36 / 32, Q8Matrix.quantize(w, 64, 128).bytes());
        assertEquals(64L * 128 * 20 / 32, Q4Matrix.quantize(w, 64, 128).bytes());
        assertEquals(
                64L * 128 * 2,
                WeightLoader.fromFloats(WeightFormat.BF16, w, 64, 128).bytes());
        assertThrows(IllegalArgumentException.class, () -> Q8Matrix.quantize(new float[48], 1, 48));
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals((short) 0x3F80, Bf16.fromFloat(1.0f));
        assertEquals((short) 0x3F80, Bf16.fromFloat(Float.intBitsToFloat(0x3F808000))); // tie to even (down)
        assertEquals((short) 0x3F82, Bf16.fromFloat(Float.intBitsToFloat(0x3F818000))); // tie to even (up)
        assertEquals((short) 0x3F81, Bf16.fromFloat(Float.intBitsToFloat(0x3F808001)));
        assertTrue(Float.isNaN(Bf16.toFloat(Bf16.fromFloat(Float.NaN))));
    }

    @Test
    void transposeMovesEveryElement() {
        float[] src = new float[40 * 70];
        for (int i = 0; i < src.length; i++) {
            src[i] = i;
        }
        float[] dst = new float[35 * 40];
        WeightLoader.transpose(src, 35, 40, 70, 35, dst);
        for (int i = 0; i < 40; i++) {
            for (int j = 0; j < 35; j++) {
                assertEquals(src[i * 70 + 35 + j], dst[j * 40 + i]);
            }
        }
    }
}
