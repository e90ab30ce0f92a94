package io.llamastream.engine.model;

import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.weights.Embeddings;

/**
 * Where a text decoder's weights come from, by role rather than by tensor name: a Hugging Face
 * safetensors folder and a GGUF file name, lay out and type their tensors differently, and each
 * implementation maps the roles onto its own checkpoint. Every method reads and converts one
 * tensor (or one layer's experts) when called; shapes are checked against the arguments.
 */
public interface DecoderWeights {
    /** The per-layer matrices, {@code [out, in]}. */
    enum Matrix {
        ATTN_Q,
        ATTN_K,
        ATTN_V,
        ATTN_O,
        FFN_GATE,
        FFN_UP,
        FFN_DOWN,
        SHARED_GATE,
        SHARED_UP,
        SHARED_DOWN
    }

    /** The per-layer RMSNorm weights. */
    enum Norm {
        INPUT,
        POST_ATTENTION
    }

    Linear linear(int layer, Matrix role, int out, int in);

    /** The MoE router, always float32. */
    Linear router(int layer, int experts, int hidden);

    /** The routed experts of a MoE layer, one SwiGLU each. */
    SwiGlu[] experts(int layer, int experts, int hidden, int inter);

    float[] norm(int layer, Norm which, int hidden);

    Embeddings embeddings(int vocab, int hidden);

    float[] finalNorm(int hidden);

    Linear lmHead(int vocab, int hidden);

    /** The rotary embedding the checkpoint's RoPE settings describe. */
    RotaryEmbedding rotary(TextModelConfig c);

    /** Bytes of everything built so far. */
    long bytes();
}
