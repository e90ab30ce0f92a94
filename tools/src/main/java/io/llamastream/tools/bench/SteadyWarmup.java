package io.llamastream.tools.bench;

import java.util.function.LongSupplier;

/**
 * Untimed warm-up that runs until a step is as fast as the best step seen so far, instead of for a
 * fixed time: a kernel path first used in a phase runs interpreted or in C1 (boxed Vector API code,
 * 10-100x slower) until C2 has compiled it, and on a busy machine that compile can take longer than
 * any fixed warm-up. A step slower than the best seen extends the warm-up until the speed is back.
 * It cannot tell a phase that is uniformly slow from the start (nothing compiled yet) from a slow
 * machine; the minimum time covers that. Time is the sum of the steps' own durations.
 */
final class SteadyWarmup {
    /** A step counts as steady when it takes at most this much more than the fastest step before it. */
    static final double STEADY = 1.15;

    private SteadyWarmup() {}

    /**
     * Runs {@code step} (which returns its duration in nanoseconds) at least {@code minSteps} times
     * and for at least {@code minNanos}, then until the last step is within {@link #STEADY} of the
     * fastest earlier one, or {@code maxNanos} have been spent. Returns the number of steps run.
     */
    static int run(LongSupplier step, int minSteps, long minNanos, long maxNanos) {
        long spent = 0;
        long best = Long.MAX_VALUE;
        int steps = 0;
        while (true) {
            long t = step.getAsLong();
            steps++;
            spent += t;
            boolean steady = best != Long.MAX_VALUE && t <= STEADY * best;
            best = Math.min(best, t);
            if (spent >= maxNanos || (steps >= minSteps && spent >= minNanos && steady)) {
                return steps;
            }
        }
    }
}
