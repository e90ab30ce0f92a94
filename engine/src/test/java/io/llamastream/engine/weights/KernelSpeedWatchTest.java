package io.llamastream.engine.weights;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The slow-kernel warning, driven with given timings (no clock involved). */
class KernelSpeedWatchTest {
    static final long MS = 1_000_000;

    /** A watch past its warm-up whose best is 1000 multiply-adds per ns (2 ms per call of 2e9). */
    static KernelSpeedWatch warmed() {
        KernelSpeedWatch w = new KernelSpeedWatch("Q8Matrix 2048x2048 panel kernel", new KernelSpeedWatch.Gate());
        for (int i = 0; i < KernelSpeedWatch.WARM_UP_CALLS + 10; i++) {
            assertNull(w.record(2_000_000_000L, 2 * MS, i * MS));
        }
        return w;
    }

    @Test
    void aCallFiveTimesSlowerThanTheBestIsLoggedWithBothRates() {
        String warning = warmed().record(2_000_000_000L, 10 * MS, 100 * MS);
        assertNotNull(warning);
        assertTrue(
                warning.contains("400.0 GFLOP/s") && warning.contains("5.0x below its best 2000.0 GFLOP/s"), warning);
    }

    @Test
    void aCallThreeTimesSlowerIsOrdinaryNoise() {
        assertNull(warmed().record(2_000_000_000L, 6 * MS, 100 * MS));
    }

    @Test
    void slowCallsDuringTheWarmUpDoNotCount() {
        KernelSpeedWatch w = new KernelSpeedWatch("warming", new KernelSpeedWatch.Gate());
        assertNull(w.record(2_000_000_000L, 2 * MS, 0));
        assertNull(w.record(2_000_000_000L, 100 * MS, MS));
    }

    /** 20 us of work at the best rate took 10 ms: a preemption or a safepoint, not a slow kernel. */
    @Test
    void callsShortAtTheBestRateAreNeverJudged() {
        assertNull(warmed().record(20_000_000L, 10 * MS, 100 * MS));
    }

    @Test
    void oneWarningPerIntervalThenAgain() {
        KernelSpeedWatch w = warmed();
        assertNotNull(w.record(2_000_000_000L, 10 * MS, 100 * MS));
        assertNull(w.record(2_000_000_000L, 10 * MS, 200 * MS));
        assertNotNull(w.record(2_000_000_000L, 10 * MS, 100 * MS + KernelSpeedWatch.WARNING_INTERVAL_NANOS));
    }

    @Test
    void watchesSharingAGateWarnOncePerIntervalBetweenThem() {
        KernelSpeedWatch.Gate gate = new KernelSpeedWatch.Gate();
        KernelSpeedWatch a = new KernelSpeedWatch("a", gate);
        KernelSpeedWatch b = new KernelSpeedWatch("b", gate);
        for (int i = 0; i < KernelSpeedWatch.WARM_UP_CALLS + 1; i++) {
            a.record(2_000_000_000L, 2 * MS, i * MS);
            b.record(2_000_000_000L, 2 * MS, i * MS);
        }
        assertNotNull(a.record(2_000_000_000L, 10 * MS, 100 * MS));
        assertNull(b.record(2_000_000_000L, 10 * MS, 101 * MS));
    }
}
