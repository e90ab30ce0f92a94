package io.llamastream.engine.model;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;

/**
 * One pre-norm transformer block: {@code x += Attention(RMSNorm(x))}, then
 * {@code x += FFN(RMSNorm(x))}.
 */
public final class DecoderLayer {
    private final float[] inputNorm;
    private final float[] postAttentionNorm;
    private final Attention attention;
    private final FeedForward feedForward;
    private final float eps;

    public DecoderLayer(
            float[] inputNorm, float[] postAttentionNorm, Attention attention, FeedForward feedForward, float eps) {
        this.inputNorm = inputNorm;
        this.postAttentionNorm = postAttentionNorm;
        this.attention = attention;
        this.feedForward = feedForward;
        this.eps = eps;
    }

    public void apply(float[] x, Batch batch, ComputePool pool) {
        int tokens = batch.tokens();
        int hidden = inputNorm.length;
        float[] h = new float[tokens * hidden];
        float[] delta = new float[tokens * hidden];
        for (int t = 0; t < tokens; t++) {
            FloatKernels.rmsNorm(x, t * hidden, inputNorm, eps, h, t * hidden, hidden);
        }
        attention.apply(h, batch, delta, pool);
        FloatKernels.addInPlace(x, 0, delta, 0, tokens * hidden);
        for (int t = 0; t < tokens; t++) {
            FloatKernels.rmsNorm(x, t * hidden, postAttentionNorm, eps, h, t * hidden, hidden);
        }
        feedForward.apply(h, tokens, delta, pool);
        FloatKernels.addInPlace(x, 0, delta, 0, tokens * hidden);
    }

    Attention attention() {
        return attention;
    }

    public FeedForward feedForward() {
        return feedForward;
    }
}
