package io.llamastream.engine.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.checkpoint.gguf.GgmlType;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.testing.LaneSumOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link WeightMatrix#multiplyLeadingRows}, what a warm-up runs on a large matrix: the rows it
 * computes are exactly the full product's, through the same kernel path, and it stays within a
 * register tile of its limit; {@link WeightMatrix#kernelPathTokens} reaches every path and
 * {@link WeightMatrix#kernelKind} tells the formats' variants apart.
 */
class LeadingRowsTest {
    static WeightMatrix matrix(String format, int rows, int cols) {
        SplittableRandom rnd = new SplittableRandom(rows * 31L + cols);
        return switch (format) {
            case "Q4_K", "Q5_K", "Q6_K" ->
                KQuantRepackTest.repack(
                        GgmlType.valueOf(format),
                        KQuantRepackTest.randomBlocks(GgmlType.valueOf(format), rows, cols, rows),
                        rows,
                        cols);
            default -> WeightFormat.valueOf(format).fromFloats(QuantMatrixTest.random(rnd, rows * cols), rows, cols);
        };
    }

    @ParameterizedTest(name = "{0} {1}x{2}, first {3} rows")
    @CsvSource({
        "F32, 300, 100, 130",
        "BF16, 300, 64, 1",
        "Q8, 203, 256, 97",
        "Q4, 203, 256, 64",
        "Q4_K, 150, 512, 70",
        "Q5_K, 150, 256, 33",
        "Q6_K, 150, 256, 129"
    })
    void theLeadingRowsAreTheFullProductsBitForBit(String format, int rows, int cols, int limit) {
        WeightMatrix m = matrix(format, rows, cols);
        SplittableRandom rnd = new SplittableRandom(7);
        int stale = (limit + RowKernelMatrix.TILE_ROWS - 1) / RowKernelMatrix.TILE_ROWS * RowKernelMatrix.TILE_ROWS;
        for (ComputePool pool : List.of(new ComputePool(1), new ComputePool(2))) {
            for (int tokens : new int[] {1, 3, 7, 8, 15, 16, 17, 33, 70}) {
                float[] x = QuantMatrixTest.random(rnd, tokens * cols);
                float[] full = new float[tokens * rows];
                m.multiply(x, tokens, full, pool);
                float[] leading = new float[tokens * rows];
                Arrays.fill(leading, Float.NaN);
                m.multiplyLeadingRows(x, tokens, leading, limit, pool);
                for (int t = 0; t < tokens; t++) {
                    String where = format + ", " + tokens + " tokens, token " + t + ", " + pool.threads() + " threads";
                    LaneSumOrder.assertSameSums(
                            Arrays.copyOfRange(full, t * rows, t * rows + limit),
                            Arrays.copyOfRange(leading, t * rows, t * rows + limit),
                            where);
                    for (int r = stale; r < rows; r++) {
                        assertTrue(Float.isNaN(leading[t * rows + r]), where + ": row " + r + " written");
                    }
                }
            }
        }
    }

    @Test
    void theKernelPathTokenCountsTakeEveryPathOnce() {
        WeightMatrix m = matrix("Q8", 64, 256);
        float[] x = QuantMatrixTest.random(new SplittableRandom(3), 100 * 256);
        for (int tokens : WeightMatrix.kernelPathTokens()) {
            m.multiplyLeadingRows(x, tokens, new float[tokens * 64], 8, new ComputePool(2));
        }
        for (int path = 0; path < KernelPathRuns.PATHS; path++) {
            assertEquals(1, KernelPathRuns.runs(m, path), "path " + path);
        }
    }

    @Test
    void aFullMultiplyCountsItsPathToo() {
        WeightMatrix m = matrix("BF16", 16, 64);
        m.multiply(new float[7 * 64], 7, new float[7 * 16], ComputePool.INLINE);
        m.multiply(new float[7 * 64], 7, new float[7 * 16], ComputePool.INLINE);
        assertEquals(List.of(0L, 2L, 0L, 0L), List.of(runs(m, 0), runs(m, 1), runs(m, 2), runs(m, 3)));
    }

    private static long runs(WeightMatrix m, int path) {
        return KernelPathRuns.runs(m, path);
    }

    @Test
    void everyFormatVariantIsItsOwnKernelKind() {
        List<String> kinds = List.of("F32", "BF16", "Q8", "Q4", "Q4_K", "Q5_K", "Q6_K").stream()
                .map(f -> matrix(f, 8, 256).kernelKind())
                .toList();
        assertEquals(
                List.of(
                        "F32Matrix",
                        "Bf16Matrix",
                        "Q8Matrix",
                        "Q4Matrix",
                        "Q4Matrix (Q4_K mins)",
                        "Q8Matrix (Q5_K mins)",
                        "Q8Matrix (Q6_K half-block scales)"),
                kinds);
    }
}
