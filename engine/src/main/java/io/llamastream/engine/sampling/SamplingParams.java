package io.llamastream.engine.sampling;

/**
 * How the next token is chosen: temperature 0 is greedy (argmax, ties to the lowest id);
 * otherwise logits are divided by the temperature and filtered by top-k (0 = off), top-p
 * (1 = off) and min-p (0 = off) before a draw from a generator seeded with {@code seed}, so a
 * run is reproducible. {@code maxTokens} bounds the reply length.
 */
public record SamplingParams(double temperature, int topK, double topP, double minP, long seed, int maxTokens) {

    public SamplingParams {
        if (temperature < 0 || Double.isNaN(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP < 1)) {
            throw new IllegalArgumentException("min_p must be in [0, 1), got " + minP);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
        }
    }

    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(0, 0, 1, 0, 0, maxTokens);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    public SamplingParams withMaxTokens(int n) {
        return new SamplingParams(temperature, topK, topP, minP, seed, n);
    }
}
