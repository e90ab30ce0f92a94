package io.llamastream.engine.model;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
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

        Routing routing = route(scores, tokens);
        int[][] rows = routing.rows();
        float[][] gates = routing.gates();
        int[] counts = routing.counts();
        int[] active = new int[e];
        int nActive = 0;
        for (int x = 0; x < e; x++) {
            if (counts[x] > 0) {
                active[nActive++] = x;
                expertTokens.addAndGet(x, counts[x]);
            }
        }
        float[][] ins = new float[e][];
        float[][] ys = new float[e][];
        for (int i = 0; i < nActive; i++) {
            int x = active[i];
            int n = counts[x];
            float[] in = ins[x] = new float[n * hidden];
            for (int j = 0; j < n; j++) {
                System.arraycopy(h, rows[x][j] * hidden, in, j * hidden, hidden);
                FloatKernels.scale(in, j * hidden, hidden, gates[x][j]);
            }
            ys[x] = new float[n * hidden];
        }
        if (tokens == 1) {
            // A decode step: the shared expert and the chosen ones in two parallel jobs, not three each.
            SwiGlu[] ffns = new SwiGlu[nActive + 1];
            float[][] xs = new float[nActive + 1][];
            float[][] results = new float[nActive + 1][];
            ffns[0] = shared;
            xs[0] = h;
            results[0] = out;
            for (int i = 0; i < nActive; i++) {
                ffns[i + 1] = experts[active[i]];
                xs[i + 1] = ins[active[i]];
                results[i + 1] = ys[active[i]];
            }
            SwiGlu.applyOneTokenEach(ffns, xs, results, pool);
        } else {
            shared.apply(h, tokens, out, pool);
            applyExperts(active, nActive, counts, ins, ys, pool);
        }
        for (int i = 0; i < nActive; i++) {
            int x = active[i];
            for (int j = 0; j < counts[x]; j++) {
                FloatKernels.addInPlace(out, rows[x][j] * hidden, ys[x], j * hidden, hidden);
            }
        }
    }

    /** The chosen experts of a step, each on its rows: whole experts per thread when there are many. */
    private void applyExperts(int[] active, int nActive, int[] counts, float[][] ins, float[][] ys, ComputePool pool) {
        if (nActive >= EXPERTS_PER_THREAD * pool.threads() && pool.threads() > 1) {
            // Many experts in one step (a batch, a prefill): each thread runs whole experts, claimed
            // one at a time, instead of every expert's three matrices being split across the
            // threads (three fork/joins per expert). Each row's result does not depend on the split.
            int count = nActive;
            // Busiest experts first, so the last ones claimed are the shortest.
            int[] order = Arrays.copyOf(active, count);
            for (int i = 1; i < count; i++) {
                for (int j = i; j > 0 && counts[order[j]] > counts[order[j - 1]]; j--) {
                    int swap = order[j];
                    order[j] = order[j - 1];
                    order[j - 1] = swap;
                }
            }
            AtomicInteger next = new AtomicInteger();
            pool.forRange(pool.threads(), Long.MAX_VALUE / (4L * pool.threads()), (from, to) -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    int x = order[i];
                    experts[x].apply(ins[x], counts[x], ys[x], ComputePool.INLINE);
                }
            });
        } else {
            for (int i = 0; i < nActive; i++) {
                int x = active[i];
                experts[x].apply(ins[x], counts[x], ys[x], pool);
            }
        }
    }

    /**
     * Which rows chose each expert: {@code rows[x][j]} for {@code j < counts[x]}, with the sigmoid
     * gate of that choice in {@code gates[x][j]}.
     */
    record Routing(int[][] rows, float[][] gates, int[] counts) {}

    /**
     * The top-k experts of each of {@code tokens} rows of router {@code scores} ({@code [tokens,
     * experts]}), ties to the lowest index; counts nothing.
     */
    Routing route(float[] scores, int tokens) {
        int e = experts.length;
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
        return new Routing(rows, gates, counts);
    }

    /** Active experts per compute thread from which threads take whole experts rather than splitting each one. */
    static final int EXPERTS_PER_THREAD = 2;

    private static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    public int experts() {
        return experts.length;
    }

    Linear router() {
        return router;
    }

    SwiGlu shared() {
        return shared;
    }

    SwiGlu expert(int x) {
        return experts[x];
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
