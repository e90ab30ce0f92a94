package io.llamastream.engine.model;

import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.engine.weights.Embeddings;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.checkpoint.ModelFormatException;

/**
 * The decoder weights of a Hugging Face Llama 4 checkpoint: the roles mapped to
 * {@code model.layers.N.*} names (under {@code language_model.} in multimodal checkpoints) and
 * converted to one {@link WeightFormat} by a {@link WeightLoader}.
 */
public final class HfDecoderWeights implements DecoderWeights {
    private final WeightLoader w;
    private final String root;
    private final String m;

    private HfDecoderWeights(WeightLoader w, String root) {
        this.w = w;
        this.root = root;
        this.m = root + "model.";
    }

    /**
     * Detects the multimodal prefix; refuses a folder with no Llama 4 embeddings. {@code NATIVE}
     * means the checkpoint's own precision: bf16 for a bf16 folder, else float32.
     */
    public static HfDecoderWeights of(Checkpoint checkpoint, WeightFormat format, ComputePool pool) {
        String root = checkpoint.contains("language_model.model.embed_tokens.weight") ? "language_model." : "";
        if (root.isEmpty() && !checkpoint.contains("model.embed_tokens.weight")) {
            throw new ModelFormatException(checkpoint.dir(),
                    "no 'model.embed_tokens.weight' or 'language_model.model.embed_tokens.weight': not a Llama 4 checkpoint");
        }
        if (format == WeightFormat.NATIVE) {
            boolean bf16 = checkpoint.info(root + "model.embed_tokens.weight").dtype() == io.llamastream.engine.checkpoint.DType.BF16;
            format = bf16 ? WeightFormat.BF16 : WeightFormat.F32;
        }
        return new HfDecoderWeights(new WeightLoader(checkpoint, format, pool), root);
    }

    /** The format the matrices are built in (NATIVE resolved). */
    public WeightFormat format() {
        return w.format();
    }

    private String layer(int l) {
        return m + "layers." + l + ".";
    }

    private static String name(Matrix role) {
        return switch (role) {
            case ATTN_Q -> "self_attn.q_proj.weight";
            case ATTN_K -> "self_attn.k_proj.weight";
            case ATTN_V -> "self_attn.v_proj.weight";
            case ATTN_O -> "self_attn.o_proj.weight";
            case FFN_GATE -> "feed_forward.gate_proj.weight";
            case FFN_UP -> "feed_forward.up_proj.weight";
            case FFN_DOWN -> "feed_forward.down_proj.weight";
            case SHARED_GATE -> "feed_forward.shared_expert.gate_proj.weight";
            case SHARED_UP -> "feed_forward.shared_expert.up_proj.weight";
            case SHARED_DOWN -> "feed_forward.shared_expert.down_proj.weight";
        };
    }

    @Override
    public Linear linear(int layer, Matrix role, int out, int in) {
        return w.linear(layer(layer) + name(role), out, in);
    }

    @Override
    public Linear router(int layer, int experts, int hidden) {
        return w.f32Linear(layer(layer) + "feed_forward.router.weight", experts, hidden);
    }

    @Override
    public SwiGlu[] experts(int layer, int experts, int hidden, int inter) {
        return w.experts(layer(layer) + "feed_forward.", experts, hidden, inter);
    }

    @Override
    public float[] norm(int layer, Norm which, int hidden) {
        String n = which == Norm.INPUT ? "input_layernorm.weight" : "post_attention_layernorm.weight";
        return w.floats(layer(layer) + n, hidden);
    }

    @Override
    public Embeddings embeddings(int vocab, int hidden) {
        return w.embeddings(m + "embed_tokens.weight", vocab, hidden);
    }

    @Override
    public float[] finalNorm(int hidden) {
        return w.floats(m + "norm.weight", hidden);
    }

    @Override
    public Linear lmHead(int vocab, int hidden) {
        return w.linear(root + "lm_head.weight", vocab, hidden);
    }

    @Override
    public RotaryEmbedding rotary(TextModelConfig c) {
        return new RotaryEmbedding(c.rope(), c.headDim());
    }

    @Override
    public long bytes() {
        return w.bytes();
    }
}
