package io.llamastream.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class SteadyWarmupTest {
    static LongSupplier durations(long... nanos) {
        int[] i = {0};
        return () -> nanos[Math.min(i[0]++, nanos.length - 1)];
    }

    @Test
    void aStepSlowerThanTheBestExtendsTheWarmupUntilTheSpeedIsBack() {
        // fast, then a path's first (interpreted) use or a deoptimisation, then compiled again
        assertEquals(5, SteadyWarmup.run(durations(100, 100, 900, 800, 100, 100), 2, 1000, 1_000_000));
    }

    @Test
    void stopsAfterTheMinimumWhenStepsAreSteadyFromTheStart() {
        assertEquals(3, SteadyWarmup.run(durations(100, 100, 100, 100), 3, 50, 1_000_000));
    }

    @Test
    void givesUpAtTheMaximumTimeOnAMachineThatNeverSettles() {
        assertEquals(4, SteadyWarmup.run(durations(100, 300, 500, 700, 900), 2, 0, 1500));
    }
}
