package io.llamastream.engine.model;

import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.DType;
import io.llamastream.engine.checkpoint.ModelFormatException;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.weights.Embeddings;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.engine.weights.WeightMatrix;
import java.util.Optional;

/**
 * The decoder weights of a Hugging Face Llama 4 or Llama 3 checkpoint: the roles mapped to
 * {@code model.layers.N.*} names (under {@code language_model.} in multimodal checkpoints; the
 * feed-forward under the family's {@code feed_forward.} or {@code mlp.}) and converted to one
 * {@link WeightFormat} by a {@link WeightLoader}. A tied model without {@code lm_head.weight}
 * uses its embedding table as the output matrix too.
 */
public final class HfDecoderWeights implements DecoderWeights {
    private final WeightLoader w;
    private final Checkpoint checkpoint;
    private final TextModelConfig config;
    private final String root;
    private final String m;
    private final String ffn;
    /** The table {@link #embeddings} built, which a tied model's output matrix may share. */
    private Embeddings embeddings;

    private HfDecoderWeights(WeightLoader w, Checkpoint checkpoint, TextModelConfig config, String root) {
        this.w = w;
        this.checkpoint = checkpoint;
        this.config = config;
        this.root = root;
        this.m = root + "model.";
        this.ffn = config.architecture().feedForwardPrefix();
    }

    /**
     * Detects the multimodal prefix; refuses a folder with no embeddings. {@code NATIVE}
     * means the checkpoint's own precision: bf16 for a bf16 folder, else float32.
     */
    public static HfDecoderWeights of(
            Checkpoint checkpoint, TextModelConfig config, WeightFormat format, ComputePool pool) {
        String root = checkpoint.contains("language_model.model.embed_tokens.weight") ? "language_model." : "";
        if (root.isEmpty() && !checkpoint.contains("model.embed_tokens.weight")) {
            throw new ModelFormatException(
                    checkpoint.dir(),
                    "no 'model.embed_tokens.weight' or " + "'language_model.model.embed_tokens.weight': not a "
                            + config.architecture().displayName() + " checkpoint");
        }
        if (format == WeightFormat.NATIVE) {
            boolean bf16 = checkpoint.info(root + "model.embed_tokens.weight").dtype() == DType.BF16;
            format = bf16 ? WeightFormat.BF16 : WeightFormat.F32;
        }
        return new HfDecoderWeights(new WeightLoader(checkpoint, format, pool), checkpoint, config, root);
    }

    /** The format the matrices are built in (NATIVE resolved). */
    public WeightFormat format() {
        return w.format();
    }

    private String layer(int l) {
        return m + "layers." + l + ".";
    }

    private String name(Matrix role) {
        return switch (role) {
            case ATTN_Q -> "self_attn.q_proj.weight";
            case ATTN_K -> "self_attn.k_proj.weight";
            case ATTN_V -> "self_attn.v_proj.weight";
            case ATTN_O -> "self_attn.o_proj.weight";
            case FFN_GATE -> ffn + "gate_proj.weight";
            case FFN_UP -> ffn + "up_proj.weight";
            case FFN_DOWN -> ffn + "down_proj.weight";
            case SHARED_GATE -> ffn + "shared_expert.gate_proj.weight";
            case SHARED_UP -> ffn + "shared_expert.up_proj.weight";
            case SHARED_DOWN -> ffn + "shared_expert.down_proj.weight";
        };
    }

    @Override
    public Linear linear(int layer, Matrix role, int out, int in) {
        return w.linear(layer(layer) + name(role), out, in);
    }

    @Override
    public Linear router(int layer, int experts, int hidden) {
        return w.f32Linear(layer(layer) + ffn + "router.weight", experts, hidden);
    }

    @Override
    public SwiGlu[] experts(int layer, int experts, int hidden, int inter) {
        return w.experts(layer(layer) + ffn, experts, hidden, inter);
    }

    @Override
    public float[] norm(int layer, Norm which, int hidden) {
        String n = which == Norm.INPUT ? "input_layernorm.weight" : "post_attention_layernorm.weight";
        return w.floats(layer(layer) + n, hidden);
    }

    @Override
    public Embeddings embeddings(int vocab, int hidden) {
        embeddings = w.embeddings(m + "embed_tokens.weight", vocab, hidden);
        return embeddings;
    }

    @Override
    public float[] finalNorm(int hidden) {
        return w.floats(m + "norm.weight", hidden);
    }

    @Override
    public Linear lmHead(int vocab, int hidden) {
        // Tied models (Llama 3.2 1B/3B) have no lm_head: the embedding table is the output matrix too.
        boolean tied = config.tieWordEmbeddings() && !checkpoint.contains(root + "lm_head.weight");
        if (!tied) {
            return w.linear(root + "lm_head.weight", vocab, hidden);
        }
        // In float32 or bf16 the output matrix holds the table's own values: one array serves both.
        boolean exact = w.format() == WeightFormat.F32 || w.format() == WeightFormat.BF16;
        Optional<WeightMatrix> shared = exact && embeddings != null ? embeddings.asMatrix() : Optional.empty();
        return shared.map(Linear::new).orElseGet(() -> w.linear(m + "embed_tokens.weight", vocab, hidden));
    }

    @Override
    public RotaryEmbedding rotary(TextModelConfig c) {
        return new RotaryEmbedding(c.rope(), c.headDim(), null, c.architecture().ropeLayout());
    }

    @Override
    public long bytes() {
        return w.bytes();
    }
}
