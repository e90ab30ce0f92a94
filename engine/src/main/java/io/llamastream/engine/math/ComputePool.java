package io.llamastream.engine.math;

import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The engine's worker threads for matrix work. Work is split into contiguous index ranges, one per
 * thread, so each thread streams its own slice of a weight matrix; the calling thread runs the
 * first range itself and {@code threads - 1} workers run the others. Tiny jobs run inline because
 * waking threads costs more than the work. An idle worker spins for {@link #SPIN_NANOS} before it
 * parks: a decode step hands out hundreds of ranges microseconds apart, and waking a parked thread
 * costs tens of microseconds on a virtual machine. A range started while the workers are busy
 * (nested inside a range, or from a second thread sharing the pool) runs on its caller alone.
 *
 * <p>A pool that is not {@link #shared()} belongs to its creator, which {@link #close closes} it
 * to stop its threads; the threads are named {@code llamastream-compute-P-N} and hold no
 * reference to the class loader of whoever first used the pool (see {@link #newWorker}), so a
 * pool can outlive a Flink job's class loader.
 */
public final class ComputePool implements AutoCloseable {
    /** Fewer multiply-adds than this run on the calling thread. */
    private static final long INLINE_WORK = 1L << 15;

    /** How long an idle worker, or a caller waiting for the workers, spins before it parks. */
    static final long SPIN_NANOS = 100_000;

    private static final AtomicInteger POOLS = new AtomicInteger();

    private static volatile ComputePool shared;

    /** Runs every range on the calling thread: for kernels called from inside a task that is already parallel. */
    public static final ComputePool INLINE = new ComputePool(1);

    private final int threads;
    private final int poolId;
    /** The workers, started on first use; {@code threads - 1} of them. */
    private final Worker[] workers;

    private volatile boolean started;
    private volatile boolean closed;
    /** Held while ranges run on the workers. */
    private final AtomicBoolean busy = new AtomicBoolean();
    /** Worker ranges of the current call not finished yet. */
    private final AtomicInteger pending = new AtomicInteger();
    /** The caller parked waiting for {@link #pending} to reach zero, or null. */
    private volatile Thread waiter;
    /** The first failure of a worker range in the current call. */
    private volatile Throwable failure;

    public ComputePool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.poolId = threads == 1 ? 0 : POOLS.incrementAndGet();
        this.workers = new Worker[threads - 1];
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

    /** Threads that run a range: the caller and the workers. */
    public int threads() {
        return threads;
    }

    /** Stops the worker threads; work submitted afterwards fails. The {@link #shared()} pool is never closed. */
    @Override
    public void close() {
        if (this == shared) {
            throw new IllegalStateException("the shared compute pool lives as long as the JVM");
        }
        if (workers.length == 0) {
            return;
        }
        // Wait out a call in flight, then keep the pool busy for good: no range reaches a stopped worker.
        while (!busy.compareAndSet(false, true)) {
            Thread.onSpinWait();
        }
        closed = true;
        for (Worker w : workers) {
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /** True once {@link #close} was called (a one-thread pool has no threads to stop and is never closed). */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Runs {@code body} for every index in [0, n), split into at most {@code threads} contiguous
     * ranges. {@code workPerIndex} (approximate multiply-adds) decides whether to go parallel.
     */
    public void forRange(int n, long workPerIndex, RangeBody body) {
        if (workers.length == 0 || n < 2 || n * workPerIndex < INLINE_WORK) {
            body.run(0, n);
            return;
        }
        if (closed) {
            throw new IllegalStateException("compute pool " + poolId + " is closed");
        }
        if (!busy.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            runParallel(n, body);
        } finally {
            busy.set(false);
        }
    }

    /**
     * Runs {@code body} over [0, n) in claims: contiguous runs that the pool's threads take from a
     * shared counter as each comes free, sized by {@link #claimSize}. A thread whose core is busy
     * with something else (a neighbour on a shared host, the other half of an SMT pair) then does
     * less than an equal share instead of the call waiting for it. At most {@code minClaim}
     * indices are split into equal ranges as {@link #forRange} does.
     */
    public void forClaims(int n, int minClaim, long workPerIndex, RangeBody body) {
        if (threads == 1 || n <= minClaim) {
            forRange(n, workPerIndex, body);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        forRange(threads, n * workPerIndex / threads, (from, to) -> {
            for (int start = next.get(); start < n; start = next.get()) {
                int end = Math.min(n, start + claimSize(start, n, threads, minClaim));
                if (next.compareAndSet(start, end)) {
                    body.run(start, end);
                }
            }
        });
    }

    /**
     * The length of the claim that starts at {@code start} of [0, n) on {@code threads} threads:
     * three quarters of an equal share while less than three quarters of the indices are claimed,
     * then half of what is left per thread, and never under {@code minClaim}. The long first
     * claims keep each thread streaming one long run of weights, as equal ranges would (every new
     * run restarts the memory prefetchers); the shrinking rest balances the threads. On the bench
     * model's Q4_K_M decode, with one of two cores slowed by the host, this ran 1.2-1.3x faster than
     * two equal claims per thread, and 1-3% slower when both cores ran alike.
     */
    static int claimSize(int start, int n, int threads, int minClaim) {
        long first = 3L * n / (4L * threads);
        long size = 4L * start < 3L * n ? first : (n - start) / (2L * threads);
        return (int) Math.max(minClaim, size);
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

    private void runParallel(int n, RangeBody body) {
        startWorkers();
        int parts = Math.min(threads, n);
        failure = null;
        pending.set(parts - 1);
        for (int p = 1; p < parts; p++) {
            workers[p - 1].assign(body, bound(n, parts, p), bound(n, parts, p + 1));
        }
        Throwable own = null;
        try {
            body.run(0, bound(n, parts, 1));
        } catch (Throwable t) {
            own = t;
        }
        awaitWorkers();
        Throwable t = own != null ? own : failure;
        failure = null;
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    /** Start of range p of {@code parts} equal contiguous ranges over [0, n). */
    private static int bound(int n, int parts, int p) {
        return (int) ((long) n * p / parts);
    }

    private void awaitWorkers() {
        long start = System.nanoTime();
        while (pending.get() != 0) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
                continue;
            }
            waiter = Thread.currentThread();
            if (pending.get() != 0) {
                LockSupport.park(this);
            }
            waiter = null;
        }
    }

    /** Called by a worker when its range is done (or failed). */
    private void finished(Throwable t) {
        if (t != null && failure == null) {
            failure = t;
        }
        if (pending.decrementAndGet() == 0) {
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    private void startWorkers() {
        if (started) {
            return;
        }
        for (int i = 0; i < workers.length; i++) {
            workers[i] = newWorker(i + 1);
            workers[i].start();
        }
        started = true;
    }

    /**
     * A worker whose context class loader is the engine's own and which is created outside the
     * caller's access-control context: a thread created from a Flink task would otherwise keep the
     * job's class loader reachable (through the inherited context class loader and the protection
     * domains of the calling frames) for as long as the pool lives.
     */
    @SuppressWarnings("removal")
    private Worker newWorker(int index) {
        return AccessController.doPrivileged((PrivilegedAction<Worker>) () -> {
            Worker w = new Worker("llamastream-compute-" + poolId + "-" + index);
            w.setDaemon(true);
            w.setContextClassLoader(ComputePool.class.getClassLoader());
            return w;
        });
    }

    /**
     * One worker thread: waits for a new generation of its task slot, runs the range, reports it
     * done. The slot's plain fields are published by the volatile generation written after them.
     */
    private final class Worker extends Thread {
        private volatile long generation;
        private volatile boolean parked;
        private RangeBody body;
        private int from;
        private int to;

        Worker(String name) {
            super(name);
        }

        void assign(RangeBody body, int from, int to) {
            this.body = body;
            this.from = from;
            this.to = to;
            generation = generation + 1;
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long g = awaitGeneration(seen);
                if (g < 0) {
                    return;
                }
                seen = g;
                RangeBody b = body;
                // Dropped before reporting: an idle pool holds no range, nor the class loader that made it.
                body = null;
                Throwable failed = null;
                try {
                    b.run(from, to);
                } catch (Throwable t) {
                    failed = t;
                }
                finished(failed);
            }
        }

        /** The next generation after {@code seen}, or -1 once the pool is closed. */
        private long awaitGeneration(long seen) {
            long start = System.nanoTime();
            while (true) {
                long g = generation;
                if (g != seen) {
                    return g;
                }
                if (closed) {
                    return -1;
                }
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                if (generation == seen && !closed) {
                    LockSupport.park(ComputePool.this);
                }
                parked = false;
                start = System.nanoTime();
            }
        }
    }
}
