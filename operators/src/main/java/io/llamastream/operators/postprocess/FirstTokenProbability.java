package io.llamastream.operators.postprocess;

import io.llamastream.engine.math.FloatKernels;
import io.llamastream.engine.scheduler.LogitsProcessor;

/**
 * Reads, without changing anything, the softmax probability of one token at the first reply step
 * (for moderation: the probability that the verdict starts with {@code unsafe}), computed from the
 * raw logits before sampling, so it is the model's confidence even under greedy decoding. Written
 * on the scheduler thread, read after the request's future completes (which orders the two).
 */
public final class FirstTokenProbability implements LogitsProcessor {
    private final int token;
    private volatile double probability = Double.NaN;

    public FirstTokenProbability(int token) {
        this.token = token;
    }

    @Override
    public void process(float[] logits, int offset, int vocabSize, int[] generated, int count) {
        if (count != 0) {
            return;
        }
        probability = Math.exp(FloatKernels.logSoftmaxAt(logits, offset, vocabSize, token));
    }

    public double probability() {
        return probability;
    }
}
