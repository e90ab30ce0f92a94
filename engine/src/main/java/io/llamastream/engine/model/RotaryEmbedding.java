package io.llamastream.engine.model;

import io.llamastream.engine.checkpoint.RopeScaling;

/**
 * Llama 4's rotary position embedding: adjacent dimension pairs (2i, 2i+1) rotated as one complex
 * number by {@code pos * inv_freq[i]}. Angles are formed in float32 as the reference does, so
 * long positions round the same way.
 */
public final class RotaryEmbedding {
    private final float[] invFreq;
    private final int headDim;

    public RotaryEmbedding(RopeScaling scaling, int headDim) {
        this(scaling, headDim, null);
    }

    /**
     * With per-pair divisors of the frequencies ({@code inv_freq[i] / factors[i]}), as GGUF
     * files store llama3 RoPE scaling in their {@code rope_freqs} tensor; null for none.
     */
    public RotaryEmbedding(RopeScaling scaling, int headDim, float[] factors) {
        double[] inv = scaling.inverseFrequencies(headDim);
        if (factors != null && factors.length != inv.length) {
            throw new IllegalArgumentException(factors.length + " frequency factors for " + inv.length + " pairs");
        }
        this.invFreq = new float[inv.length];
        for (int i = 0; i < inv.length; i++) {
            invFreq[i] = (float) (factors == null ? inv[i] : inv[i] / factors[i]);
        }
        this.headDim = headDim;
    }

    /** Rotates {@code heads} consecutive heads of {@code headDim} floats at {@code x[off..]} to position {@code pos}. */
    public void rotate(float[] x, int off, int heads, int pos) {
        int half = headDim / 2;
        for (int i = 0; i < half; i++) {
            float angle = (float) pos * invFreq[i];
            float cos = (float) Math.cos(angle);
            float sin = (float) Math.sin(angle);
            for (int h = 0; h < heads; h++) {
                int j = off + h * headDim + 2 * i;
                float a = x[j];
                float b = x[j + 1];
                x[j] = a * cos - b * sin;
                x[j + 1] = a * sin + b * cos;
            }
        }
    }
}
