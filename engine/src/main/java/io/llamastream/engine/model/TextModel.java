package io.llamastream.engine.model;

import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.kv.KvPagePool;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;
import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.weights.Embeddings;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.engine.checkpoint.ModelFormatException;

/**
 * The Llama 4 text decoder with its weights in a chosen {@link WeightFormat}: embeddings, decoder layers (MoE or
 * dense), final norm and LM head. {@link #forward} runs one step over a ragged {@link Batch},
 * appending to each sequence's KV cache, and returns the logits of the rows asked for.
 */
public final class TextModel {
    private final TextModelConfig config;
    private final Embeddings embeddings;
    private final DecoderLayer[] layers;
    private final float[] finalNorm;
    private final Linear lmHead;
    private final int imageTokenId;
    private final ComputePool pool;
    private final WeightFormat format;
    private final long weightBytes;

    private TextModel(TextModelConfig config, Embeddings embeddings, DecoderLayer[] layers, float[] finalNorm,
                      Linear lmHead, int imageTokenId, ComputePool pool, WeightFormat format, long weightBytes) {
        this.config = config;
        this.embeddings = embeddings;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.imageTokenId = imageTokenId;
        this.pool = pool;
        this.format = format;
        this.weightBytes = weightBytes;
    }

    /**
     * Loads the text weights of {@code checkpoint} in float32 (exact); multimodal checkpoints'
     * {@code language_model.} prefix is detected and the vision weights are left unread.
     */
    public static TextModel load(Checkpoint checkpoint, TextModelConfig c, int imageTokenId, ComputePool pool) {
        return load(checkpoint, c, imageTokenId, pool, WeightFormat.F32);
    }

    /**
     * As {@link #load(Checkpoint, TextModelConfig, int, ComputePool)}, with attention, expert,
     * shared-expert, dense and LM-head matrices in {@code format}; router and norms stay float32,
     * embeddings float32 under F32 and the checkpoint's bf16 otherwise. Tensors are converted one
     * at a time (experts one by one) from slices of the file.
     */
    public static TextModel load(Checkpoint checkpoint, TextModelConfig c, int imageTokenId, ComputePool pool,
                                 WeightFormat format) {
        String root = checkpoint.contains("language_model.model.embed_tokens.weight") ? "language_model." : "";
        if (root.isEmpty() && !checkpoint.contains("model.embed_tokens.weight")) {
            throw new ModelFormatException(checkpoint.dir(),
                    "no 'model.embed_tokens.weight' or 'language_model.model.embed_tokens.weight': not a Llama 4 checkpoint");
        }
        String m = root + "model.";
        int hd = c.headDim();
        int hidden = c.hiddenSize();
        RotaryEmbedding rotary = new RotaryEmbedding(c.rope(), hd);
        DecoderLayer[] layers = new DecoderLayer[c.numLayers()];
        WeightLoader w = new WeightLoader(checkpoint, format, pool);
        for (int l = 0; l < layers.length; l++) {
            String p = m + "layers." + l + ".";
            Attention attn = new Attention(l, c,
                    w.linear(p + "self_attn.q_proj.weight", c.numHeads() * hd, hidden),
                    w.linear(p + "self_attn.k_proj.weight", c.numKvHeads() * hd, hidden),
                    w.linear(p + "self_attn.v_proj.weight", c.numKvHeads() * hd, hidden),
                    w.linear(p + "self_attn.o_proj.weight", hidden, c.numHeads() * hd),
                    rotary);
            String f = p + "feed_forward.";
            FeedForward ffn = c.moeLayers()[l]
                    ? new MoeLayer(w.f32Linear(f + "router.weight", c.numExperts(), hidden),
                            w.experts(f, c.numExperts(), hidden, c.intermediateSize()),
                            swiGlu(w, f + "shared_expert.", c.intermediateSize(), hidden),
                            c.expertsPerToken(), hidden)
                    : swiGlu(w, f, c.intermediateSizeMlp(), hidden);
            layers[l] = new DecoderLayer(
                    w.floats(p + "input_layernorm.weight", hidden),
                    w.floats(p + "post_attention_layernorm.weight", hidden),
                    attn, ffn, c.rmsNormEps());
        }
        Embeddings embeddings = w.embeddings(m + "embed_tokens.weight", c.vocabSize(), hidden);
        float[] norm = w.floats(m + "norm.weight", hidden);
        Linear lmHead = w.linear(root + "lm_head.weight", c.vocabSize(), hidden);
        return new TextModel(c, embeddings, layers, norm, lmHead, imageTokenId, pool, format, w.bytes());
    }

    private static SwiGlu swiGlu(WeightLoader w, String p, int width, int hidden) {
        return new SwiGlu(w.linear(p + "gate_proj.weight", width, hidden),
                w.linear(p + "up_proj.weight", width, hidden),
                w.linear(p + "down_proj.weight", hidden, width));
    }

    /** The format the large matrices were loaded in. */
    public WeightFormat format() {
        return format;
    }

    /** The compute threads the model runs its matrix work on. */
    public ComputePool pool() {
        return pool;
    }

    /** Bytes of all loaded weights (matrices, embeddings, norms, routers). */
    public long weightBytes() {
        return weightBytes;
    }

    public TextModelConfig config() {
        return config;
    }

    /** The id whose embeddings projected image rows replace, or -1 for a text-only model. */
    public int imageTokenId() {
        return imageTokenId;
    }

    /** A cache with its own unbudgeted pages, for running one sequence outside a scheduler. */
    public KvCache newCache() {
        return new KvCache(config, KvPagePool.unbounded(config));
    }

    /**
     * Runs one step. Returns logits {@code [rows, vocab]} for either every row of the batch
     * ({@code allRows}) or, per segment in order, its rows from {@link Batch#logitsFrom(int)}
     * on (by default only its last row, so row s is segment s).
     */
    public float[] forward(Batch batch, boolean allRows) {
        float[] x = hiddenStates(batch, -1);
        int hidden = config.hiddenSize();
        int rows = allRows ? batch.tokens() : batch.logitRows();
        float[] normed = new float[rows * hidden];
        int r = 0;
        for (int s = 0; s < batch.segments(); s++) {
            int from = allRows ? 0 : batch.logitsFrom(s);
            for (int i = from; i < batch.rowCount(s); i++, r++) {
                int src = batch.firstRow(s) + i;
                FloatKernels.rmsNorm(x, src * hidden, finalNorm, config.rmsNormEps(), normed, r * hidden, hidden);
            }
        }
        float[] logits = new float[rows * config.vocabSize()];
        lmHead.apply(normed, rows, logits, pool);
        return logits;
    }

    /**
     * Embeds the batch and runs the first {@code layerLimit} layers (all when negative),
     * advancing every cache; returns the residual stream {@code [tokens, H]}.
     */
    public float[] hiddenStates(Batch batch, int layerLimit) {
        int hidden = config.hiddenSize();
        float[] x = embed(batch);
        int n = layerLimit < 0 ? layers.length : layerLimit;
        for (int l = 0; l < n; l++) {
            layers[l].apply(x, batch, pool);
        }
        for (int s = 0; s < batch.segments(); s++) {
            batch.cache(s).advance(batch.rowCount(s));
        }
        return x;
    }

    private float[] embed(Batch batch) {
        int hidden = config.hiddenSize();
        float[] x = new float[batch.tokens() * hidden];
        for (int s = 0; s < batch.segments(); s++) {
            int[] ids = batch.tokenIds(s);
            float[] image = batch.imageRows(s);
            int imageRow = 0;
            int row = batch.firstRow(s);
            for (int i = 0; i < ids.length; i++, row++) {
                int id = ids[i];
                if (image != null && id == imageTokenId) {
                    if ((imageRow + 1) * hidden > image.length) {
                        throw new IllegalArgumentException("more image tokens than projected image rows");
                    }
                    System.arraycopy(image, imageRow++ * hidden, x, row * hidden, hidden);
                    continue;
                }
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " outside the vocabulary of " + config.vocabSize());
                }
                embeddings.copyRow(id, x, row * hidden);
            }
            if (image != null && imageRow * hidden != image.length) {
                throw new IllegalArgumentException("projected image rows (" + image.length / hidden
                        + ") do not match the image tokens (" + imageRow + ")");
            }
        }
        return x;
    }

    /** Per layer, tokens routed to each expert since load; null entries for dense layers. */
    public long[][] expertTokenCounts() {
        long[][] counts = new long[layers.length][];
        for (int l = 0; l < layers.length; l++) {
            if (layers[l].feedForward() instanceof MoeLayer moe) {
                counts[l] = moe.expertTokenCounts();
            }
        }
        return counts;
    }
}
