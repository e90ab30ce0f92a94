package io.llamastream.engine.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.testing.LaneSumOrder;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link StagedMatrix}: it serves the mapped form until {@link StagedMatrix#finish} swaps in the
 * repack, with the same results either side; the warm-up compiles the repacked form's kernels
 * before the swap; a background repack completes a future, or fails it and keeps serving.
 */
class StagedMatrixTest {
    static final int ROWS = 45;
    static final int COLS = 128;

    static StagedMatrix staged(long seed) {
        byte[] raw = MappedQ8_0MatrixTest.randomBlocks(new SplittableRandom(seed), ROWS, COLS);
        return StagedMatrix.ofQ8_0(ByteBuffer.wrap(raw), ROWS, COLS);
    }

    @Test
    void servesTheMappedBlocksUntilFinishedThenTheRepackWithTheSameResults() {
        StagedMatrix m = staged(1);
        float[] x = QuantMatrixTest.random(new SplittableRandom(2), 3 * COLS);
        try (ComputePool pool = new ComputePool(2)) {
            assertInstanceOf(MappedQ8_0Matrix.class, m.serving());
            assertFalse(m.finished());
            assertEquals(new Q8Matrix(ROWS, COLS).bytes(), m.bytes());
            float[] before = new float[3 * ROWS];
            m.multiply(x, 3, before, pool);

            m.finish();

            assertInstanceOf(Q8Matrix.class, m.serving());
            assertTrue(m.finished());
            assertEquals(m.serving().bytes(), m.bytes());
            float[] after = new float[3 * ROWS];
            m.multiply(x, 3, after, pool);
            LaneSumOrder.assertSameSums(before, after, "before and after the swap");
        }
    }

    @Test
    void theSwapLetsTheCollectorFreeTheMappedForm() throws InterruptedException {
        StagedMatrix m = staged(10);
        WeakReference<WeightMatrix> mapped = new WeakReference<>(m.serving());
        m.finish();
        for (int i = 0; i < 50 && mapped.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(mapped.get(), "the staged matrix still holds its mapped form");
        assertInstanceOf(Q8Matrix.class, m.serving());
    }

    @Test
    void itsKindNamesBothFormsUntilTheSwapThenTheRepackedOne() {
        StagedMatrix m = staged(3);
        assertEquals("MappedQ8_0Matrix, then Q8Matrix", m.kernelKind());
        m.finish();
        assertEquals("Q8Matrix", m.kernelKind());
    }

    @Test
    void beforeTheSwapTheWarmUpAlsoRunsAnEmptyMatrixOfTheRepackedKind() {
        byte[] raw = MappedQ8_0MatrixTest.randomBlocks(new SplittableRandom(4), ROWS, COLS);
        MappedQ8_0Matrix mapped = new MappedQ8_0Matrix(ByteBuffer.wrap(raw), ROWS, COLS);
        List<Q8Matrix> standIns = new ArrayList<>();
        StagedMatrix m = new StagedMatrix(
                mapped,
                () -> mapped.repack(new byte[1 << 16]),
                n -> {
                    Q8Matrix q = new Q8Matrix(n, COLS);
                    standIns.add(q);
                    return q;
                },
                0);
        try (ComputePool pool = new ComputePool(1)) {
            float[] out = new float[ROWS];
            m.multiplyLeadingRows(new float[COLS], 1, out, 20, pool);
            assertEquals(1, standIns.size());
            assertEquals(20, standIns.get(0).rows());
            assertEquals(1, KernelPathRuns.runs(standIns.get(0), 0));
            assertEquals(1, KernelPathRuns.runs(mapped, 0));

            m.finish();
            m.multiplyLeadingRows(new float[COLS], 1, out, 20, pool);
            assertEquals(1, standIns.size(), "no stand-in once the repack serves");
        }
    }

    @Test
    void aBackgroundRepackFinishesEveryMatrixAndThenCompletes() throws Exception {
        List<StagedMatrix> all = List.of(staged(5), staged(6), staged(7));
        StagedMatrix.finishInBackground(all, "test-repack").get(30, TimeUnit.SECONDS);
        assertTrue(all.stream().allMatch(StagedMatrix::finished));
    }

    @Test
    void withNothingToRepackTheFutureIsCompleteAtOnce() {
        assertTrue(StagedMatrix.finishInBackground(List.of(), "test-repack").isDone());
    }

    @Test
    void aFailedRepackFailsTheFutureAndTheMappedFormKeepsServing() {
        byte[] raw = MappedQ8_0MatrixTest.randomBlocks(new SplittableRandom(8), ROWS, COLS);
        MappedQ8_0Matrix mapped = new MappedQ8_0Matrix(ByteBuffer.wrap(raw), ROWS, COLS);
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        StagedMatrix failing = new StagedMatrix(
                mapped,
                () -> {
                    throw oom;
                },
                n -> new Q8Matrix(n, COLS),
                0);
        CompletableFuture<Void> done = StagedMatrix.finishInBackground(List.of(failing), "test-repack");
        ExecutionException e = assertThrows(ExecutionException.class, () -> done.get(30, TimeUnit.SECONDS));
        assertSame(oom, e.getCause());
        assertSame(mapped, failing.serving());
        try (ComputePool pool = new ComputePool(1)) {
            float[] x = QuantMatrixTest.random(new SplittableRandom(9), COLS);
            float[] out = new float[ROWS];
            failing.multiply(x, 1, out, pool);
            float[] expected = new float[ROWS];
            mapped.multiply(x, 1, expected, pool);
            LaneSumOrder.assertSameSums(expected, out, "the mapped form");
        }
    }
}
