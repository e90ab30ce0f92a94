package io.llamastream.engine.model;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;
import io.llamastream.engine.weights.WeightMatrix;

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

    /**
     * {@code outs[i] = ffns[i](xs[i])} for one token row each: the gates and ups of all of them as
     * one job, then their downs as another (see {@link WeightMatrix#multiplyOneTokenEach}), where
     * {@link #apply} would take three per feed-forward. A decode step's shared and routed experts
     * run this way.
     */
    static void applyOneTokenEach(SwiGlu[] ffns, float[][] xs, float[][] outs, ComputePool pool) {
        int n = ffns.length;
        WeightMatrix[] gatesAndUps = new WeightMatrix[2 * n];
        float[][] inputs = new float[2 * n][];
        float[][] results = new float[2 * n][];
        WeightMatrix[] downs = new WeightMatrix[n];
        float[][] activations = new float[n][];
        for (int i = 0; i < n; i++) {
            int width = ffns[i].gate.outFeatures();
            gatesAndUps[2 * i] = ffns[i].gate.weight();
            gatesAndUps[2 * i + 1] = ffns[i].up.weight();
            inputs[2 * i] = xs[i];
            inputs[2 * i + 1] = xs[i];
            results[2 * i] = new float[width];
            results[2 * i + 1] = new float[width];
            downs[i] = ffns[i].down.weight();
            activations[i] = results[2 * i];
        }
        WeightMatrix.multiplyOneTokenEach(gatesAndUps, inputs, results, pool);
        for (int i = 0; i < n; i++) {
            FloatKernels.siluMul(results[2 * i], 0, results[2 * i + 1], 0, results[2 * i].length);
        }
        WeightMatrix.multiplyOneTokenEach(downs, activations, outs, pool);
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
