package io.llamastream.engine.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Whether a float vector's {@code reduceLanes(ADD)} gives the same bits before and after C2 compiles it. The
 * Vector API leaves the order of that sum open. On Java 17 the interpreted and the compiled forms both add the
 * lanes in order, so a kernel's result does not depend on how warm the JVM is, and tests may compare two paths'
 * bits. On Java 25 the compiled form adds in a tree, so the same call's last bits change once it is compiled (by
 * one or two units in the last place). Checked here on 17 and 25 only; versions up to 21 are taken to behave as
 * 17.
 */
public final class LaneSumOrder {
    private LaneSumOrder() {}

    /** True where a kernel computes the same bits interpreted and compiled. */
    public static boolean sameWhenCompiled() {
        return Runtime.version().feature() <= 21;
    }

    /**
     * Asserts that two paths computed the same sums: the same bits where {@link #sameWhenCompiled}, else within
     * 1e-5 of the largest magnitude (a last-place difference in a lane sum, carried through a model, stays far
     * below that; a wrong weight or a missing block does not).
     */
    public static void assertSameSums(float[] expected, float[] actual, String message) {
        if (sameWhenCompiled()) {
            assertArrayEquals(expected, actual, 0f, message);
            return;
        }
        float max = 0;
        for (float v : expected) {
            max = Math.max(max, Math.abs(v));
        }
        assertArrayEquals(expected, actual, max * 1e-5f, message);
    }

    /** {@link #assertSameSums} of one value: the same bits, else within 1e-5 of its magnitude (at least 1). */
    public static void assertSameSum(float expected, float actual, String message) {
        if (sameWhenCompiled()) {
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), message);
            return;
        }
        assertEquals(expected, actual, Math.max(Math.abs(expected), 1f) * 1e-5f, message);
    }
}
