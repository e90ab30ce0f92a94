package io.llamastream.engine.sampling;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks next tokens from logits under one request's {@link SamplingParams}. Holds the request's
 * random stream, so the same seed and logits give the same tokens run after run.
 */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    /** Index of the largest logit in {@code logits[off, off+n)}, ties to the lowest index. */
    public static int argmax(float[] logits, int off, int n) {
        int best = 0;
        float bestValue = logits[off];
        for (int i = 1; i < n; i++) {
            if (logits[off + i] > bestValue) {
                bestValue = logits[off + i];
                best = i;
            }
        }
        return best;
    }

    /** Relative probability below which a token cannot matter: 200k of them sum to under 1e-12. */
    private static final double NEGLIGIBLE_LOG_PROBABILITY = -40;

    /**
     * Token ids worth sampling from, most likely first (ties to the lowest id): those within
     * {@link #NEGLIGIBLE_LOG_PROBABILITY} of the best at this temperature. Sorting only these, as
     * primitive keys, keeps a 200k vocabulary from costing a boxed full sort per token.
     */
    static int[] candidates(float[] logits, int off, int n, double temperature) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[off + i]);
        }
        double cutoff = max + NEGLIGIBLE_LOG_PROBABILITY * temperature;
        long[] keys = new long[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            float v = logits[off + i];
            if (v >= cutoff && v > Float.NEGATIVE_INFINITY) {
                // Descending logit, then ascending id: flip the float's order bits and pack the id below.
                int bits = Float.floatToIntBits(v);
                int ascending = bits ^ ((bits >> 31) & 0x7FFFFFFF);
                keys[m++] = ((long) ~ascending << 32) | i;
            }
        }
        if (m == 0) {
            return new int[] {argmax(logits, off, n)};
        }
        Arrays.sort(keys, 0, m);
        int[] order = new int[m];
        for (int i = 0; i < m; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    /** Chooses a token from {@code logits[off, off+n)}; entries of -infinity are never chosen. */
    public int sample(float[] logits, int off, int n) {
        if (params.isGreedy()) {
            return argmax(logits, off, n);
        }
        int[] order = candidates(logits, off, n, params.temperature());
        int keep = order.length;
        if (params.topK() > 0) {
            keep = Math.min(keep, params.topK());
        }
        double max = logits[off + order[0]];
        double[] probs = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            double p = Math.exp((logits[off + order[i]] - max) / params.temperature());
            probs[i] = p;
            sum += p;
        }
        if (params.minP() > 0) {
            double floor = params.minP() * probs[0];
            int k = 1;
            while (k < keep && probs[k] >= floor) {
                k++;
            }
            for (int i = k; i < keep; i++) {
                sum -= probs[i];
            }
            keep = k;
        }
        if (params.topP() < 1) {
            double cumulative = 0;
            int k = 0;
            while (k < keep) {
                cumulative += probs[k] / sum;
                k++;
                if (cumulative >= params.topP()) {
                    break;
                }
            }
            double kept = 0;
            for (int i = 0; i < k; i++) {
                kept += probs[i];
            }
            sum = kept;
            keep = k;
        }
        double r = random.nextDouble() * sum;
        for (int i = 0; i < keep; i++) {
            r -= probs[i];
            if (r < 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }
}
