package io.llamastream.engine.weights;

import java.util.Locale;

/**
 * Notices one kernel path of one matrix running far below the speed it reached before, and says
 * so in the log: a model that suddenly computes several times slower (a JIT deoptimisation that
 * leaves the Vector API un-intrinsified, a GC storm, a core taken by another process) should not
 * look like an ordinary slow request. Records the best rate (multiply-adds per nanosecond) seen
 * after a warm-up; a call whose work takes at least {@link #MIN_NANOS} even at that rate and ran
 * at under 1/{@link #SLOW_FACTOR} of it is slow, and at most one warning per {@link #WARNING_INTERVAL_NANOS} is logged for the whole JVM
 * (a busy core slows every matrix at once). The fast path is two comparisons; races between
 * threads only blur the best rate a little.
 */
final class KernelSpeedWatch {
    static final double SLOW_FACTOR = 4;
    /** Calls before the best rate counts (the first ones run interpreted or in C1). */
    static final int WARM_UP_CALLS = 50;
    /** Calls whose work is shorter than this at the best rate are too noisy to judge. */
    static final long MIN_NANOS = 1_000_000;

    static final long WARNING_INTERVAL_NANOS = 60_000_000_000L;

    private static final System.Logger LOG = System.getLogger(KernelSpeedWatch.class.getName());

    /** Lets one warning through per interval. */
    static final class Gate {
        private long last = Long.MIN_VALUE;

        synchronized boolean allow(long now) {
            if (last != Long.MIN_VALUE && now - last < WARNING_INTERVAL_NANOS) {
                return false;
            }
            last = now;
            return true;
        }
    }

    private static final Gate JVM_GATE = new Gate();

    private final String what;
    private final Gate gate;
    private int calls;
    private double best;

    KernelSpeedWatch(String what) {
        this(what, JVM_GATE);
    }

    KernelSpeedWatch(String what, Gate gate) {
        this.what = what;
        this.gate = gate;
    }

    /**
     * Records a call of {@code work} multiply-adds that took {@code nanos}, ending at {@code now}
     * (a {@link System#nanoTime} value); returns the warning if this call was logged as slow.
     */
    String record(long work, long nanos, long now) {
        if (nanos <= 0) {
            return null;
        }
        double rate = (double) work / nanos;
        if (calls < WARM_UP_CALLS) {
            calls++;
            return null;
        }
        if (rate > best) {
            best = rate;
            return null;
        }
        // Judge only calls that take MIN_NANOS even at the best rate: on a small matrix one preemption
        // or safepoint pause would look like a collapse.
        if (work < best * MIN_NANOS || rate * SLOW_FACTOR >= best || !gate.allow(now)) {
            return null;
        }
        String message = String.format(
                Locale.ROOT,
                "%s ran at %.1f GFLOP/s, %.1fx below its best %.1f GFLOP/s (a JIT "
                        + "deoptimisation, GC pressure or a busy core?)",
                what,
                2 * rate,
                best / rate,
                2 * best);
        LOG.log(System.Logger.Level.WARNING, message);
        return message;
    }
}
