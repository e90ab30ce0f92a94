package io.llamastream.engine.weights;

import io.llamastream.engine.math.ComputePool;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * A weight matrix that serves a form that is ready at once (a {@link MappedQ8_0Matrix}, computing
 * from the file's mapping) until {@link #finish} puts its repacked, faster form in place: so a
 * model answers as soon as its file is mapped, and reaches full speed when a background thread
 * has repacked it. Both forms compute the same bits, so the swap changes no result; a multiply
 * uses whichever form was in place when it began.
 *
 * <p>Until the swap, {@link #multiplyLeadingRows} (what the kernel warm-up runs) also runs a
 * small empty matrix of the repacked form's kind, so that form's kernels are compiled before it
 * serves its first request.
 */
public final class StagedMatrix implements WeightMatrix {
    /**
     * The form served until the swap, then null: the swap drops it, so once the multiplies still
     * running on it end the collector frees it (and unmaps a mapping).
     */
    private volatile RowKernelMatrix first;
    /** The first form's kernel path runs when it was dropped (for tests and diagnostics). */
    private final long[] firstRunsAtSwap = new long[RowKernelMatrix.PATHS];

    private final int rows;
    private final int cols;
    /** Builds the repacked form; dropped at the swap with the first form it reads. Used by the finishing thread only. */
    private Supplier<? extends WeightMatrix> repack;
    /** An empty matrix of the repacked form's kind and column count, of the given rows. */
    private final IntFunction<? extends WeightMatrix> standIn;
    /** The stand-in the warm-up last ran, kept for its next pass (made anew only for more rows). */
    private WeightMatrix warmStandIn;

    private final long repackedBytes;
    private volatile WeightMatrix serving;

    StagedMatrix(
            RowKernelMatrix first,
            Supplier<? extends WeightMatrix> repack,
            IntFunction<? extends WeightMatrix> standIn,
            long repackedBytes) {
        this.first = first;
        this.rows = first.rows();
        this.cols = first.cols();
        this.repack = repack;
        this.standIn = standIn;
        this.repackedBytes = repackedBytes;
        this.serving = first;
    }

    /**
     * GGUF Q8_0 blocks ({@code rows} rows of {@code cols}, exactly filling {@code blocks}) served
     * in place until they are repacked into a {@link Q8Matrix}.
     */
    public static StagedMatrix ofQ8_0(ByteBuffer blocks, int rows, int cols) {
        MappedQ8_0Matrix mapped = new MappedQ8_0Matrix(blocks, rows, cols);
        return new StagedMatrix(
                mapped,
                () -> mapped.repack(new byte[REPACK_SLICE_BYTES]),
                n -> new Q8Matrix(n, cols),
                MemoryPlan.matrixBytes(WeightFormat.Q8, rows, cols));
    }

    /** Bytes of the mapping copied per step of a repack. */
    static final int REPACK_SLICE_BYTES = 1 << 20;

    /**
     * Starts a daemon thread named {@code threadName} that {@link #finish finishes} each of
     * {@code matrices} in turn. The returned future completes when all are repacked (at once when
     * there are none), or fails with the first failure (a heap too small, say), leaving the rest
     * serving their first form.
     */
    public static CompletableFuture<Void> finishInBackground(List<StagedMatrix> matrices, String threadName) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (matrices.isEmpty()) {
            done.complete(null);
            return done;
        }
        List<StagedMatrix> todo = List.copyOf(matrices);
        Thread repacker = new Thread(
                () -> {
                    try {
                        todo.forEach(StagedMatrix::finish);
                        done.complete(null);
                    } catch (Throwable e) {
                        done.completeExceptionally(e);
                    }
                },
                threadName);
        repacker.setDaemon(true);
        repacker.start();
        return done;
    }

    /** Builds the repacked form and puts it in place, dropping the first; a no-op once done. Called by one thread. */
    public void finish() {
        RowKernelMatrix before = first;
        if (before == null) {
            return;
        }
        serving = repack.get();
        for (int path = 0; path < RowKernelMatrix.PATHS; path++) {
            firstRunsAtSwap[path] = before.pathRuns(path);
        }
        first = null;
        repack = null;
        warmStandIn = null;
    }

    /** Whether the repacked form is in place. */
    public boolean finished() {
        return first == null;
    }

    /** Multiplies the first form ran on kernel path {@code path} (see {@link RowKernelMatrix#path}). */
    long firstPathRuns(int path) {
        RowKernelMatrix now = first;
        return now != null ? now.pathRuns(path) : firstRunsAtSwap[path];
    }

    /** The form now serving. */
    public WeightMatrix serving() {
        return serving;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public void multiply(float[] x, int tokens, float[] out, ComputePool pool) {
        serving.multiply(x, tokens, out, pool);
    }

    @Override
    public void multiplyLeadingRows(float[] x, int tokens, float[] out, int rowLimit, ComputePool pool) {
        WeightMatrix now = serving;
        if (first != null) {
            int n = Math.min(rowLimit, rows);
            WeightMatrix s = warmStandIn;
            if (s == null || s.rows() < n) {
                s = warmStandIn = standIn.apply(n);
            }
            s.multiplyLeadingRows(x, tokens, new float[tokens * s.rows()], n, pool);
        }
        now.multiplyLeadingRows(x, tokens, out, rowLimit, pool);
    }

    /** Until the swap, both forms' kinds (the warm-up runs both); then the repacked form's. */
    @Override
    public String kernelKind() {
        RowKernelMatrix before = first;
        return before != null
                ? before.kernelKind() + ", then " + standIn.apply(1).kernelKind()
                : serving.kernelKind();
    }

    /**
     * The repacked form's bytes, from the start: what the heap holds once it is in place, and what
     * a memory plan counts (until then the first form reads the file's mapping, outside the heap).
     */
    @Override
    public long bytes() {
        return repackedBytes;
    }
}
