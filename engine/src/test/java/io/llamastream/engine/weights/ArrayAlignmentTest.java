package io.llamastream.engine.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** When the JVM's object alignment leaves packed weight arrays off a 16-byte boundary, and what to do. */
class ArrayAlignmentTest {

    @Test
    void readsTheAlignmentThisJvmWasStartedWith() {
        int expected = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:ObjectAlignmentInBytes="))
                .map(a -> Integer.parseInt(a.substring(a.indexOf('=') + 1)))
                .reduce((first, last) -> last)
                .orElse(8);
        assertEquals(expected, ArrayAlignment.ofRunningJvm());
    }

    @Test
    void hotSpotsDefaultOfEightBytesGetsTheFlagThatFixesIt() {
        String advice = ArrayAlignment.advice(8).orElseThrow();
        assertTrue(advice.contains("aligns objects to 8 bytes"), advice);
        assertTrue(advice.contains("-XX:ObjectAlignmentInBytes=16"), advice);
    }

    @Test
    void sixteenBytesOrMoreNeedsNothing() {
        assertTrue(ArrayAlignment.advice(16).isEmpty());
        assertTrue(ArrayAlignment.advice(64).isEmpty());
    }
}
