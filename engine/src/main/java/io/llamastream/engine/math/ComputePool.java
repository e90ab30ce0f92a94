package io.llamastream.engine.math;

import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The engine's worker threads for matrix work. Work is split into contiguous index ranges, one per
 * thread, so each thread streams its own slice of a weight matrix; tiny jobs run inline because
 * waking threads costs more than the work. A pool that is not {@link #shared()} belongs to its
 * creator, which {@link #close closes} it to stop its threads; the threads are named
 * {@code llamastream-compute-P-N} and hold no reference to the class loader of whoever first
 * used the pool (see {@link WorkerFactory}), so a pool can outlive a Flink job's class loader.
 */
public final class ComputePool implements AutoCloseable {
    /** Fewer multiply-adds than this run on the calling thread. */
    private static final long INLINE_WORK = 1L << 15;

    private static final AtomicInteger POOLS = new AtomicInteger();

    private static volatile ComputePool shared;

    /** Runs every range on the calling thread: for kernels called from inside a task that is already parallel. */
    public static final ComputePool INLINE = new ComputePool(1);

    private final ForkJoinPool pool;
    private final int threads;

    public ComputePool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1
                ? null
                // Never more workers than threads: a worker blocked in a join (nested ranges while loading) would
                // otherwise get a spare thread that then lives on and oversubscribes the cores every step.
                : new ForkJoinPool(
                        threads,
                        new WorkerFactory(POOLS.incrementAndGet()),
                        null,
                        false,
                        threads,
                        threads,
                        1,
                        saturated -> true,
                        60,
                        TimeUnit.SECONDS);
    }

    /** Threads for a pool when none is configured: {@code llamastream.threads}, else the available cores. */
    public static int defaultThreads() {
        return Math.max(
                1,
                Integer.getInteger("llamastream.threads", Runtime.getRuntime().availableProcessors()));
    }

    /** The process-wide pool, sized by {@code llamastream.threads} or the available cores. */
    public static ComputePool shared() {
        ComputePool p = shared;
        if (p == null) {
            synchronized (ComputePool.class) {
                p = shared;
                if (p == null) {
                    p = shared = new ComputePool(defaultThreads());
                }
            }
        }
        return p;
    }

    public int threads() {
        return threads;
    }

    /** Stops the worker threads; work submitted afterwards fails. The {@link #shared()} pool is never closed. */
    @Override
    public void close() {
        if (this == shared) {
            throw new IllegalStateException("the shared compute pool lives as long as the JVM");
        }
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    /** True once {@link #close} was called (a one-thread pool has no threads to stop and is never closed). */
    public boolean isClosed() {
        return pool != null && pool.isShutdown();
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

    /**
     * Workers whose context class loader is the engine's own and which are created outside the
     * caller's access-control context: a thread created from a Flink task would otherwise keep the
     * job's class loader reachable (through the inherited context class loader and the protection
     * domains of the calling frames) for as long as the pool lives.
     */
    private static final class WorkerFactory implements ForkJoinPool.ForkJoinWorkerThreadFactory {
        private final int poolId;
        private final AtomicInteger workers = new AtomicInteger();

        WorkerFactory(int poolId) {
            this.poolId = poolId;
        }

        @Override
        @SuppressWarnings("removal")
        public ForkJoinWorkerThread newThread(ForkJoinPool pool) {
            return AccessController.doPrivileged((PrivilegedAction<ForkJoinWorkerThread>) () -> {
                ForkJoinWorkerThread t = new ForkJoinWorkerThread(pool) {};
                t.setName("llamastream-compute-" + poolId + "-" + workers.incrementAndGet());
                t.setDaemon(true);
                t.setContextClassLoader(ComputePool.class.getClassLoader());
                return t;
            });
        }
    }
}
