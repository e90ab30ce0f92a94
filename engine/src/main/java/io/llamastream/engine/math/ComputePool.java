package io.llamastream.engine.math;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The engine's worker threads for matrix work. Work is split into contiguous index ranges, one per
 * thread, so each thread streams its own slice of a weight matrix; tiny jobs run inline because
 * waking threads costs more than the work.
 */
public final class ComputePool {
    /** Fewer multiply-adds than this run on the calling thread. */
    private static final long INLINE_WORK = 1L << 15;

    private static volatile ComputePool shared;

    private final ForkJoinPool pool;
    private final int threads;

    public ComputePool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    /** The process-wide pool, sized by {@code llamastream.threads} or the available cores. */
    public static ComputePool shared() {
        ComputePool p = shared;
        if (p == null) {
            synchronized (ComputePool.class) {
                p = shared;
                if (p == null) {
                    int n = Integer.getInteger("llamastream.threads", Runtime.getRuntime().availableProcessors());
                    p = shared = new ComputePool(Math.max(1, n));
                }
            }
        }
        return p;
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} for every index in [0, n), split into at most {@code threads} contiguous
     * ranges. {@code workPerIndex} (approximate multiply-adds) decides whether to go parallel.
     */
    public void forRange(int n, long workPerIndex, RangeBody body) {
        if (pool == null || n < 2 || n * workPerIndex < INLINE_WORK) {
            body.run(0, n);
            return;
        }
        int parts = Math.min(threads, n);
        pool.invoke(new Split(body, 0, n, parts));
    }

    /** Runs {@code body} once per index in [0, n), in parallel. */
    public void forEach(int n, long workPerIndex, IntConsumer body) {
        forRange(n, workPerIndex, (from, to) -> {
            for (int i = from; i < to; i++) {
                body.accept(i);
            }
        });
    }

    /** A contiguous slice [from, to) of an index range. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static final class Split extends RecursiveAction {
        private final RangeBody body;
        private final int from;
        private final int to;
        private final int parts;

        Split(RangeBody body, int from, int to, int parts) {
            this.body = body;
            this.from = from;
            this.to = to;
            this.parts = parts;
        }

        @Override
        protected void compute() {
            if (parts <= 1) {
                body.run(from, to);
                return;
            }
            int leftParts = parts / 2;
            int mid = from + (int) ((long) (to - from) * leftParts / parts);
            invokeAll(new Split(body, from, mid, leftParts), new Split(body, mid, to, parts - leftParts));
        }
    }
}
