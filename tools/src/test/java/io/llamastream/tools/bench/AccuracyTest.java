package io.llamastream.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The accuracy comparison of two logit runs (KL divergence and top-1 agreement). */
class AccuracyTest {

    @Test
    void accuracyFromLogitsMatchesKlAndTop1ByHand() {
        float[] p = {0, 0, 1, 5, 0, 0};
        float[] q = {0, 0, 1, 0, 5, 0};
        Accuracy.Result same = Accuracy.compare(p, p, 2, 3);
        assertEquals(0, same.meanKl(), 1e-12);
        assertEquals(1.0, same.top1Agreement());
        Accuracy.Result r = Accuracy.compare(p, q, 2, 3);
        assertEquals(0.5, r.top1Agreement());
        assertEquals(Accuracy.klDivergence(p, q, 3, 3) / 2, r.meanKl(), 1e-12);
        assertTrue(r.meanKl() > 0);
        assertEquals(2, r.positions());
    }
}
