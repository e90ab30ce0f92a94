package io.llamastream.engine.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.llamastream.engine.math.ComputePool;
import java.util.Arrays;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every path of the many-row core ({@link RowKernelMatrix}: the one-token dot, the small-batch
 * tiles, and the packed path with its full and half token tiles, partial 12-row blocks, column
 * blocks, several claims per thread and several packing passes) against a naive double loop over
 * the stored weights, for every format, at widths that are and are not multiples of the vector
 * length. The build runs this class twice: with the machine's preferred vectors and
 * with 256-bit ones.
 */
class ManyRowKernelTest {
    static final int[] TOKENS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 17, 31, 33, 64, 65, 130, 300};

    static float stored(WeightMatrix m, float[] w, int r, int c, int cols) {
        if (m instanceof F32Matrix) {
            return w[r * cols + c];
        }
        return QuantMatrixTest.dequantized(m, r, c);
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @CsvSource({
        "F32, 21, 588",
        "F32, 8, 1003",
        "F32, 3, 16",
        "BF16, 21, 588",
        "BF16, 6, 1003",
        "Q8, 21, 576",
        "Q4, 21, 576",
        "Q8, 5, 4128",
        "F32, 5, 4100",
        "Q8, 100, 576",
        "Q4, 52, 288",
        "BF16, 50, 64"
    })
    void everyTokenCountEqualsANaiveProduct(WeightFormat format, int rows, int cols) {
        SplittableRandom rnd = new SplittableRandom(rows * 7919L + cols);
        float[] w = QuantMatrixTest.random(rnd, rows * cols);
        WeightMatrix m = format.fromFloats(w, rows, cols);
        for (ComputePool pool : new ComputePool[] {new ComputePool(1), new ComputePool(2)}) {
            for (int tokens : TOKENS) {
                float[] x = QuantMatrixTest.random(rnd, tokens * cols);
                float[] out = new float[tokens * rows];
                m.multiply(x, tokens, out, pool);
                for (int t = 0; t < tokens; t++) {
                    for (int r = 0; r < rows; r++) {
                        double ref = 0;
                        double mag = 0;
                        for (int c = 0; c < cols; c++) {
                            double p = (double) stored(m, w, r, c, cols) * x[t * cols + c];
                            ref += p;
                            mag += Math.abs(p);
                        }
                        assertEquals(
                                ref,
                                out[t * rows + r],
                                1e-5 * mag + 1e-6,
                                format + " token " + t + " row " + r + " of " + tokens + " (" + pool.threads()
                                        + " threads)");
                    }
                }
            }
        }
    }

    @Test
    void writesOnlyTheOutputRowsOfTheBatch() {
        int rows = 7;
        int cols = 64;
        WeightMatrix m = WeightFormat.F32.fromFloats(new float[rows * cols], rows, cols);
        float[] out = new float[10 * rows + 5];
        Arrays.fill(out, 3f);
        m.multiply(new float[10 * cols], 10, out, new ComputePool(2));
        for (int i = 0; i < out.length; i++) {
            assertEquals(i < 10 * rows ? 0f : 3f, out[i], "out[" + i + "]");
        }
    }

    /** The build's 256-bit execution sets the property; this checks that the flag took effect. */
    @Test
    void runsOnTheVectorWidthTheBuildAskedFor() {
        Integer bits = Integer.getInteger("llamastream.test.vectorBits");
        assumeTrue(bits != null, "only in the fixed-width execution");
        assertEquals(bits, FloatVector.SPECIES_PREFERRED.vectorBitSize());
    }
}
