package io.llamastream.engine.model;

import io.llamastream.engine.math.ComputePool;

/** A decoder layer's feed-forward block: dense SwiGLU or mixture of experts. */
public interface FeedForward {
    /** {@code out[t] = FFN(h[t])} for t < tokens; both {@code [tokens, H]}. */
    void apply(float[] h, int tokens, float[] out, ComputePool pool);
}
