package io.llamastream.engine.model;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;

/**
 * {@code down(silu(gate(h)) * up(h))}: Llama 4's dense feed-forward layers, its shared expert,
 * and (with per-expert weights) each routed expert.
 */
public final class SwiGlu implements FeedForward {
    private final Linear gate;
    private final Linear up;
    private final Linear down;

    public SwiGlu(Linear gate, Linear up, Linear down) {
        this.gate = gate;
        this.up = up;
        this.down = down;
    }

    @Override
    public void apply(float[] h, int tokens, float[] out, ComputePool pool) {
        int width = gate.outFeatures();
        float[] g = new float[tokens * width];
        float[] u = new float[tokens * width];
        Linear.applyTogether(new Linear[] {gate, up}, h, tokens, new float[][] {g, u}, pool);
        FloatKernels.siluMul(g, 0, u, 0, tokens * width);
        down.apply(g, tokens, out, pool);
    }

    public Linear gate() {
        return gate;
    }

    public Linear up() {
        return up;
    }

    public Linear down() {
        return down;
    }
}
