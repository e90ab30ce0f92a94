package io.llamastream.engine.model;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Llama 4's mixture-of-experts block: a router picks the top-k experts per token (ties to the
 * lowest index), each chosen expert gets the token's input scaled by {@code sigmoid(score)},
 * and the shared expert's output is added. Tokens of a step are grouped by expert so each
 * expert's weights are read once per step however many tokens chose it.
 */
public final class MoeLayer implements FeedForward {
    private final Linear router;
    private final SwiGlu[] experts;
    private final SwiGlu shared;
    private final int topK;
    private final int hidden;
    private final AtomicLongArray expertTokens;

    public MoeLayer(Linear router, SwiGlu[] experts, SwiGlu shared, int topK, int hidden) {
        this.router = router;
        this.experts = experts;
        this.shared = shared;
        this.topK = topK;
        this.hidden = hidden;
        this.expertTokens = new AtomicLongArray(experts.length);
    }

    @Override
    public void apply(float[] h, int tokens, float[] out, ComputePool pool) {
        int e = experts.length;
        float[] scores = new float[tokens * e];
        router.apply(h, tokens, scores, pool);
        shared.apply(h, tokens, out, pool);

        // Route: for each expert, the rows that chose it and their sigmoid gate.
        int[][] rows = new int[e][tokens * topK];
        float[][] gates = new float[e][tokens * topK];
        int[] counts = new int[e];
        boolean[] taken = new boolean[e];
        for (int t = 0; t < tokens; t++) {
            Arrays.fill(taken, false);
            for (int k = 0; k < topK; k++) {
                int best = -1;
                for (int x = 0; x < e; x++) {
                    if (!taken[x] && (best < 0 || scores[t * e + x] > scores[t * e + best])) {
                        best = x;
                    }
                }
                taken[best] = true;
                rows[best][counts[best]] = t;
                gates[best][counts[best]] = sigmoid(scores[t * e + best]);
                counts[best]++;
            }
        }
        for (int x = 0; x < e; x++) {
            int n = counts[x];
            if (n == 0) {
                continue;
            }
            expertTokens.addAndGet(x, n);
            float[] in = new float[n * hidden];
            for (int i = 0; i < n; i++) {
                int t = rows[x][i];
                System.arraycopy(h, t * hidden, in, i * hidden, hidden);
                FloatKernels.scale(in, i * hidden, hidden, gates[x][i]);
            }
            float[] y = new float[n * hidden];
            experts[x].apply(in, n, y, pool);
            for (int i = 0; i < n; i++) {
                FloatKernels.addInPlace(out, rows[x][i] * hidden, y, i * hidden, hidden);
            }
        }
    }

    private static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    public int experts() {
        return experts.length;
    }

    /** Tokens routed to each expert since load (for per-expert metrics). */
    public long[] expertTokenCounts() {
        long[] c = new long[experts.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = expertTokens.get(i);
        }
        return c;
    }
}
