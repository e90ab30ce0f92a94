package io.llamastream.engine.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fixtures' tolerance for logits and vision outputs: max |diff| <= 1e-4 * max |reference logit|. */
public final class ReferenceTolerance {
    private ReferenceTolerance() {}

    public static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": logits length");
        float maxAbs = 0;
        float maxDiff = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            float d = Math.abs(expected[i] - actual[i]);
            if (d > maxDiff) {
                maxDiff = d;
                at = i;
            }
        }
        assertTrue(
                maxDiff <= 1e-4f * maxAbs,
                what + ": max |diff| " + maxDiff + " at " + at + " exceeds 1e-4 * " + maxAbs);
    }
}
