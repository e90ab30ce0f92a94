package io.llamastream.engine.weights;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.testing.LaneSumOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link WeightMatrix#multiplyTogether}: one job over several matrices gives what each gives alone. */
class MultiplyTogetherTest {
    /** Row counts that put claim boundaries inside and across matrices: 4-row groups, 16-group claims. */
    private static final int[] ROWS = {200, 36, 68};

    private static WeightMatrix[] matrices(WeightFormat[] formats, int cols, SplittableRandom rnd) {
        WeightMatrix[] ms = new WeightMatrix[formats.length];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = formats[i].fromFloats(QuantMatrixTest.random(rnd, ROWS[i] * cols), ROWS[i], cols);
        }
        return ms;
    }

    private static void assertTogetherEqualsEachAlone(WeightFormat[] formats, int tokens) {
        int cols = 288;
        SplittableRandom rnd = new SplittableRandom(17);
        WeightMatrix[] ms = matrices(formats, cols, rnd);
        float[] x = QuantMatrixTest.random(rnd, tokens * cols);
        try (ComputePool pool = new ComputePool(2)) {
            float[][] together = new float[ms.length][];
            for (int i = 0; i < ms.length; i++) {
                together[i] = new float[tokens * ms[i].rows()];
            }
            WeightMatrix.multiplyTogether(ms, x, tokens, together, pool);
            for (int i = 0; i < ms.length; i++) {
                float[] alone = new float[tokens * ms[i].rows()];
                ms[i].multiply(x, tokens, alone, pool);
                LaneSumOrder.assertSameSums(alone, together[i], "matrix " + i + " (" + formats[i] + ")");
            }
        }
    }

    @ParameterizedTest(name = "{0}, {1}, {2}")
    @CsvSource({"Q4, Q4, Q4", "Q8, Q4, F32", "Q8, Q8, Q8"})
    void oneTokenThroughMatricesTogetherEqualsEachAloneToTheBit(WeightFormat a, WeightFormat b, WeightFormat c) {
        assertTogetherEqualsEachAlone(new WeightFormat[] {a, b, c}, 1);
    }

    @Test
    void eachMatrixTakesItsOwnInputRow() {
        int cols = 160;
        SplittableRandom rnd = new SplittableRandom(23);
        WeightMatrix[] ms = matrices(new WeightFormat[] {WeightFormat.Q4, WeightFormat.Q8, WeightFormat.Q4}, cols, rnd);
        float[][] xs = new float[ms.length][];
        float[][] together = new float[ms.length][];
        for (int i = 0; i < ms.length; i++) {
            xs[i] = QuantMatrixTest.random(rnd, cols);
            together[i] = new float[ms[i].rows()];
        }
        try (ComputePool pool = new ComputePool(2)) {
            WeightMatrix.multiplyOneTokenEach(ms, xs, together, pool);
            for (int i = 0; i < ms.length; i++) {
                float[] alone = new float[ms[i].rows()];
                ms[i].multiply(xs[i], 1, alone, pool);
                LaneSumOrder.assertSameSums(alone, together[i], "matrix " + i);
            }
        }
    }

    @Test
    void aMatrixOfAnotherFormatIsMultipliedOnItsOwn() {
        assertTogetherEqualsEachAlone(new WeightFormat[] {WeightFormat.Q8, WeightFormat.BF16, WeightFormat.Q4}, 1);
    }

    @Test
    void severalTokensAreMultipliedMatrixByMatrix() {
        assertTogetherEqualsEachAlone(new WeightFormat[] {WeightFormat.Q4, WeightFormat.Q8, WeightFormat.Q4}, 5);
    }

    @Test
    void stagedMatricesTakePartThroughTheFormServingBeforeAndAfterTheSwap() {
        StagedMatrix a = StagedMatrixTest.staged(5);
        StagedMatrix b = StagedMatrixTest.staged(6);
        WeightMatrix[] ms = {a, b};
        float[] x = QuantMatrixTest.random(new SplittableRandom(7), StagedMatrixTest.COLS);
        try (ComputePool pool = new ComputePool(2)) {
            for (int pass = 0; pass < 2; pass++) {
                float[][] together = {new float[StagedMatrixTest.ROWS], new float[StagedMatrixTest.ROWS]};
                WeightMatrix.multiplyTogether(ms, x, 1, together, pool);
                for (int i = 0; i < ms.length; i++) {
                    float[] alone = new float[StagedMatrixTest.ROWS];
                    ms[i].multiply(x, 1, alone, pool);
                    LaneSumOrder.assertSameSums(alone, together[i], "pass " + pass + ", matrix " + i);
                }
                a.finish();
                b.finish();
            }
        }
    }

    @Test
    void anOutputTooShortForItsMatrixIsRefused() {
        WeightMatrix[] ms =
                matrices(new WeightFormat[] {WeightFormat.Q8, WeightFormat.Q8}, 64, new SplittableRandom(3));
        float[][] outs = {new float[ROWS[0]], new float[ROWS[1] - 1]};
        assertThrows(
                IllegalArgumentException.class,
                () -> WeightMatrix.multiplyTogether(ms, new float[64], 1, outs, ComputePool.INLINE));
    }
}
