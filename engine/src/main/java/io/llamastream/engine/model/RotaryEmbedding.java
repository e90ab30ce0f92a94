package io.llamastream.engine.model;

import io.llamastream.engine.checkpoint.Architecture.RopeLayout;
import io.llamastream.engine.checkpoint.RopeScaling;

/**
 * The rotary position embedding: dimension pairs of each head rotated as one complex number by
 * {@code pos * inv_freq[i]}. Llama 4 pairs adjacent dimensions (2i, 2i+1); Llama 3 as Hugging Face
 * stores it pairs the two halves (i, i + hd/2), the "rotate_half" form. Angles are formed in
 * float32 as the reference does, so long positions round the same way.
 */
public final class RotaryEmbedding {
    private final float[] invFreq;
    private final int headDim;
    private final RopeLayout layout;

    /** Adjacent pairs, frequencies from {@code scaling} alone. */
    public RotaryEmbedding(RopeScaling scaling, int headDim) {
        this(scaling, headDim, null, RopeLayout.ADJACENT_PAIRS);
    }

    /**
     * With per-pair divisors of the frequencies ({@code inv_freq[i] / factors[i]}), as GGUF
     * files store llama3 RoPE scaling in their {@code rope_freqs} tensor (null for none), and the
     * pairing of dimensions.
     */
    public RotaryEmbedding(RopeScaling scaling, int headDim, float[] factors, RopeLayout layout) {
        double[] inv = scaling.inverseFrequencies(headDim);
        if (factors != null && factors.length != inv.length) {
            throw new IllegalArgumentException(factors.length + " frequency factors for " + inv.length + " pairs");
        }
        this.invFreq = new float[inv.length];
        for (int i = 0; i < inv.length; i++) {
            invFreq[i] = (float) (factors == null ? inv[i] : inv[i] / factors[i]);
        }
        this.headDim = headDim;
        this.layout = layout;
    }

    /** Rotates {@code heads} consecutive heads of {@code headDim} floats at {@code x[off..]} to position {@code pos}. */
    public void rotate(float[] x, int off, int heads, int pos) {
        int half = headDim / 2;
        // The partner of dimension a: a + 1 for adjacent pairs, a + hd/2 for halves.
        int stride = layout == RopeLayout.ADJACENT_PAIRS ? 2 : 1;
        int partner = layout == RopeLayout.ADJACENT_PAIRS ? 1 : half;
        for (int i = 0; i < half; i++) {
            float angle = (float) pos * invFreq[i];
            float cos = (float) Math.cos(angle);
            float sin = (float) Math.sin(angle);
            for (int h = 0; h < heads; h++) {
                int j = off + h * headDim + stride * i;
                float a = x[j];
                float b = x[j + partner];
                x[j] = a * cos - b * sin;
                x[j + partner] = a * sin + b * cos;
            }
        }
    }
}
