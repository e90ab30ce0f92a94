package io.llamastream.engine.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ComputePoolTest {
    /** Runs enough work on every thread of the pool to start them all, and returns the threads. */
    static Set<Thread> workers(ComputePool pool) {
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        for (int round = 0; round < 50 && seen.size() < pool.threads(); round++) {
            pool.forRange(pool.threads() * 4, 1L << 20, (from, to) -> {
                seen.add(Thread.currentThread());
                long deadline = System.nanoTime() + 2_000_000;
                while (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            });
        }
        seen.remove(Thread.currentThread());
        return seen;
    }

    @Test
    void nestedRangesNeverAddWorkersBeyondThePoolsThreads() throws Exception {
        // The GGUF loader runs ranges inside ranges. With a ForkJoinPool a worker blocked joining them got a spare
        // thread, which then lived on and made three workers share two cores at every later step.
        try (ComputePool pool = new ComputePool(2)) {
            Set<String> names = ConcurrentHashMap.newKeySet();
            for (int round = 0; round < 20; round++) {
                pool.forEach(
                        8,
                        1L << 20,
                        outer -> pool.forEach(8, 1L << 20, inner -> {
                            names.add(Thread.currentThread().getName());
                            long deadline = System.nanoTime() + 200_000;
                            while (System.nanoTime() < deadline) {
                                Thread.onSpinWait();
                            }
                        }));
            }
            names.remove(Thread.currentThread().getName());
            assertTrue(names.size() <= 2, "workers that ran ranges: " + names);
        }
    }

    @Test
    void closingAPoolStopsItsWorkerThreads() throws Exception {
        ComputePool pool = new ComputePool(3);
        Set<Thread> threads = workers(pool);
        assertFalse(threads.isEmpty(), "the pool ran work on its own threads");
        pool.close();
        for (Thread t : threads) {
            t.join(10_000);
            assertFalse(t.isAlive(), t.getName() + " still runs after close");
        }
        assertTrue(pool.isClosed());
    }

    @Test
    void workersCarryTheEnginesClassLoaderNotTheirCreatorsOne() throws Exception {
        ClassLoader job = new URLClassLoader(new URL[0], getClass().getClassLoader());
        AtomicReference<Set<Thread>> threads = new AtomicReference<>();
        ComputePool pool = new ComputePool(2);
        try {
            Thread creator = new Thread(() -> threads.set(workers(pool)), "creator");
            creator.setContextClassLoader(job);
            creator.start();
            creator.join();
            assertFalse(threads.get().isEmpty());
            for (Thread t : threads.get()) {
                assertSame(ComputePool.class.getClassLoader(), t.getContextClassLoader(), t.getName());
                assertTrue(t.getName().startsWith("llamastream-compute-"), t.getName());
                assertTrue(t.isDaemon(), t.getName());
            }
        } finally {
            pool.close();
        }
    }

    @Test
    void theSharedPoolCannotBeClosed() {
        assertThrows(IllegalStateException.class, () -> ComputePool.shared().close());
        assertFalse(ComputePool.shared().isClosed());
    }

    @Test
    void rangesCoverEveryIndexOnce() {
        try (ComputePool pool = new ComputePool(3)) {
            int[] hits = new int[1000];
            pool.forEach(hits.length, 1L << 20, i -> hits[i]++);
            for (int h : hits) {
                assertEquals(1, h);
            }
        }
    }

    @Test
    void claimsCoverEveryIndexOnce() {
        try (ComputePool pool = new ComputePool(3)) {
            int[] hits = new int[1000];
            pool.forClaims(hits.length, 16, 1L << 20, (from, to) -> {
                for (int i = from; i < to; i++) {
                    hits[i]++;
                }
            });
            for (int i = 0; i < hits.length; i++) {
                assertEquals(1, hits[i], "index " + i);
            }
        }
    }

    @Test
    void aThreadHeldUpInItsFirstClaimLeavesTheRestToTheOthers() {
        try (ComputePool pool = new ComputePool(2)) {
            Thread caller = Thread.currentThread();
            AtomicInteger byCaller = new AtomicInteger();
            pool.forClaims(512, 16, 1L << 20, (from, to) -> {
                if (Thread.currentThread() == caller) {
                    byCaller.addAndGet(to - from);
                } else {
                    LockSupport.parkNanos(200_000_000L);
                }
            });
            // Equal ranges would give the caller 256; the worker's first claim is 3/8 of 512.
            assertTrue(byCaller.get() >= 512 - 192, "the caller ran " + byCaller.get() + " of 512");
        }
    }

    @ParameterizedTest(name = "claim at {0} of {1} on {2} threads, at least {3}: {4}")
    @CsvSource({
        "0, 512, 2, 16, 192",
        "192, 512, 2, 16, 192",
        "384, 512, 2, 16, 32",
        "416, 512, 2, 16, 24",
        "480, 512, 2, 16, 16",
        "0, 40, 2, 16, 16",
        "0, 2048, 14, 16, 109",
        "1536, 2048, 14, 16, 18"
    })
    void firstClaimsAreThreeQuartersOfAnEqualShareThenHalfOfWhatIsLeftPerThread(
            int start, int n, int threads, int minClaim, int expected) {
        assertEquals(expected, ComputePool.claimSize(start, n, threads, minClaim));
    }

    @Test
    void theCallerRunsTheFirstRangeItself() {
        try (ComputePool pool = new ComputePool(2)) {
            Thread caller = Thread.currentThread();
            Set<Thread> ranFirst = ConcurrentHashMap.newKeySet();
            Set<Thread> ranSecond = ConcurrentHashMap.newKeySet();
            pool.forRange(2, 1L << 20, (from, to) -> (from == 0 ? ranFirst : ranSecond).add(Thread.currentThread()));
            assertEquals(Set.of(caller), ranFirst);
            assertEquals(1, ranSecond.size());
            assertTrue(ranSecond.iterator().next().getName().startsWith("llamastream-compute-"));
        }
    }

    @Test
    void aFailureInAWorkersRangeIsThrownToTheCaller() {
        try (ComputePool pool = new ComputePool(2)) {
            IllegalArgumentException thrown = assertThrows(
                    IllegalArgumentException.class,
                    () -> pool.forRange(2, 1L << 20, (from, to) -> {
                        if (from > 0) {
                            throw new IllegalArgumentException("range " + from);
                        }
                    }));
            assertEquals("range 1", thrown.getMessage());
            // The pool is usable again after a failed call.
            int[] hits = new int[100];
            pool.forEach(hits.length, 1L << 20, i -> hits[i]++);
            assertEquals(100, Arrays.stream(hits).sum());
        }
    }

    @Test
    void twoThreadsSharingAPoolEachCoverTheirIndicesOnce() throws Exception {
        // One of them finds the workers busy most of the time and runs its range alone.
        try (ComputePool pool = new ComputePool(2)) {
            int rounds = 2000;
            int[][] hits = new int[2][rounds * 4];
            Thread[] callers = new Thread[2];
            for (int c = 0; c < 2; c++) {
                int[] mine = hits[c];
                callers[c] = new Thread(() -> {
                    for (int r = 0; r < rounds; r++) {
                        int base = r * 4;
                        pool.forEach(4, 1L << 20, i -> mine[base + i]++);
                    }
                });
            }
            for (Thread t : callers) {
                t.start();
            }
            for (Thread t : callers) {
                t.join(60_000);
                assertFalse(t.isAlive(), "a caller is stuck");
            }
            for (int[] mine : hits) {
                for (int h : mine) {
                    assertEquals(1, h);
                }
            }
        }
    }

    @Test
    void aClosedPoolRefusesParallelWork() {
        ComputePool pool = new ComputePool(2);
        pool.close();
        assertThrows(IllegalStateException.class, () -> pool.forEach(8, 1L << 20, i -> {}));
    }
}
