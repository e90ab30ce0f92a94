package io.llamastream.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.testing.LaneSumOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The mixture-of-experts block over many tokens: with enough experts active, compute threads take
 * whole experts; the result must be the same bits as on one thread, and each token must get the
 * shared expert plus its top expert applied to its gated input.
 */
class MoeLayerTest {
    static final int HIDDEN = 64;
    static final int WIDTH = 32;
    static final int EXPERTS = 8;

    final SplittableRandom rnd = new SplittableRandom(13);

    Linear linear(int out, int in) {
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian() * 0.2f;
        }
        return new Linear(w, out, in);
    }

    SwiGlu swiGlu() {
        return new SwiGlu(linear(WIDTH, HIDDEN), linear(WIDTH, HIDDEN), linear(HIDDEN, WIDTH));
    }

    MoeLayer layer() {
        return layer(1);
    }

    MoeLayer layer(int topK) {
        SwiGlu[] experts = new SwiGlu[EXPERTS];
        for (int x = 0; x < EXPERTS; x++) {
            experts[x] = swiGlu();
        }
        return new MoeLayer(linear(EXPERTS, HIDDEN), experts, swiGlu(), topK, HIDDEN);
    }

    float[] input(int tokens) {
        float[] h = new float[tokens * HIDDEN];
        for (int i = 0; i < h.length; i++) {
            h[i] = (float) rnd.nextGaussian();
        }
        return h;
    }

    @Test
    void twoThreadsTakingWholeExpertsGiveTheBitsOfOneThread() {
        MoeLayer moe = layer();
        float[] h = input(40);
        float[] one = new float[h.length];
        float[] two = new float[h.length];
        moe.apply(h, 40, one, ComputePool.INLINE);
        try (ComputePool pool = new ComputePool(2)) {
            moe.apply(h, 40, two, pool);
        }
        long active = Arrays.stream(moe.expertTokenCounts()).filter(c -> c > 0).count();
        assertTrue(active >= MoeLayer.EXPERTS_PER_THREAD * 2, "the parallel path ran: " + active + " experts active");
        LaneSumOrder.assertSameSums(one, two, "one thread and two");
    }

    @Test
    void eachTokenGetsTheSharedExpertPlusItsTopExpertOnTheGatedInput() {
        assertSharedPlusTopExpert(40);
    }

    /** One token takes the decode path: both experts' gates and ups in one job, their downs in another. */
    @Test
    void aSingleTokenGetsTheSharedExpertPlusItsTopExpertOnTheGatedInput() {
        assertSharedPlusTopExpert(1);
    }

    /** At top-2 a decode step runs the shared expert and both chosen ones together. */
    @Test
    void aSingleTokenAtTopTwoGetsTheSharedExpertPlusBothChosenOnes() {
        MoeLayer moe = layer(2);
        float[] h = input(1);
        float[] out = new float[HIDDEN];
        try (ComputePool pool = new ComputePool(2)) {
            moe.apply(h, 1, out, pool);
        }
        float[] scores = new float[EXPERTS];
        moe.router().apply(h, 1, scores, ComputePool.INLINE);
        Integer[] order = new Integer[EXPERTS];
        for (int e = 0; e < EXPERTS; e++) {
            order[e] = e;
        }
        Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
        float[] expected = new float[HIDDEN];
        moe.shared().apply(h, 1, expected, ComputePool.INLINE);
        for (int k = 0; k < 2; k++) {
            int x = order[k];
            float gate = (float) (1 / (1 + Math.exp(-scores[x])));
            float[] gated = new float[HIDDEN];
            for (int i = 0; i < HIDDEN; i++) {
                gated[i] = h[i] * gate;
            }
            float[] routed = new float[HIDDEN];
            moe.expert(x).apply(gated, 1, routed, ComputePool.INLINE);
            for (int i = 0; i < HIDDEN; i++) {
                expected[i] += routed[i];
            }
        }
        assertArrayEquals(expected, out, 1e-4f);
    }

    private void assertSharedPlusTopExpert(int tokens) {
        MoeLayer moe = layer();
        float[] h = input(tokens);
        float[] out = new float[h.length];
        try (ComputePool pool = new ComputePool(2)) {
            moe.apply(h, tokens, out, pool);
        }
        for (int t = 0; t < tokens; t++) {
            float[] x = Arrays.copyOfRange(h, t * HIDDEN, (t + 1) * HIDDEN);
            float[] scores = new float[EXPERTS];
            moe.router().apply(x, 1, scores, ComputePool.INLINE);
            int best = 0;
            for (int e = 1; e < EXPERTS; e++) {
                if (scores[e] > scores[best]) {
                    best = e;
                }
            }
            float gate = (float) (1 / (1 + Math.exp(-scores[best])));
            float[] gated = new float[HIDDEN];
            for (int i = 0; i < HIDDEN; i++) {
                gated[i] = x[i] * gate;
            }
            float[] shared = new float[HIDDEN];
            float[] routed = new float[HIDDEN];
            moe.shared().apply(x, 1, shared, ComputePool.INLINE);
            moe.expert(best).apply(gated, 1, routed, ComputePool.INLINE);
            for (int i = 0; i < HIDDEN; i++) {
                assertEquals(shared[i] + routed[i], out[t * HIDDEN + i], 1e-4, "token " + t + " feature " + i);
            }
        }
    }
}
