package io.llamastream.engine.decoder;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;
import io.llamastream.engine.model.Checkpoint;
import io.llamastream.engine.model.TextModelConfig;
import io.llamastream.engine.safetensors.ModelFormatException;

/**
 * The Llama 4 text decoder with its weights in float32: embeddings, decoder layers (MoE or
 * dense), final norm and LM head. {@link #forward} runs one step over a ragged {@link Batch},
 * appending to each sequence's KV cache, and returns the logits of the rows asked for.
 */
public final class TextModel {
    private final TextModelConfig config;
    private final float[] embeddings;
    private final DecoderLayer[] layers;
    private final float[] finalNorm;
    private final Linear lmHead;
    private final int imageTokenId;
    private final ComputePool pool;

    private TextModel(TextModelConfig config, float[] embeddings, DecoderLayer[] layers, float[] finalNorm,
                      Linear lmHead, int imageTokenId, ComputePool pool) {
        this.config = config;
        this.embeddings = embeddings;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.imageTokenId = imageTokenId;
        this.pool = pool;
    }

    /**
     * Loads the text weights of {@code checkpoint}; multimodal checkpoints' {@code language_model.}
     * prefix is detected and the vision weights are left unread.
     */
    public static TextModel load(Checkpoint checkpoint, TextModelConfig c, int imageTokenId, ComputePool pool) {
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
        for (int l = 0; l < layers.length; l++) {
            String p = m + "layers." + l + ".";
            Attention attn = new Attention(l, c,
                    linear(checkpoint, p + "self_attn.q_proj.weight", c.numHeads() * hd, hidden),
                    linear(checkpoint, p + "self_attn.k_proj.weight", c.numKvHeads() * hd, hidden),
                    linear(checkpoint, p + "self_attn.v_proj.weight", c.numKvHeads() * hd, hidden),
                    linear(checkpoint, p + "self_attn.o_proj.weight", hidden, c.numHeads() * hd),
                    rotary);
            FeedForward ffn = c.moeLayers()[l]
                    ? loadMoe(checkpoint, p + "feed_forward.", c)
                    : swiGlu(checkpoint, p + "feed_forward.", c.intermediateSizeMlp(), hidden);
            layers[l] = new DecoderLayer(
                    checkpoint.floats(p + "input_layernorm.weight", hidden),
                    checkpoint.floats(p + "post_attention_layernorm.weight", hidden),
                    attn, ffn, c.rmsNormEps());
        }
        return new TextModel(c,
                checkpoint.floats(m + "embed_tokens.weight", c.vocabSize(), hidden),
                layers,
                checkpoint.floats(m + "norm.weight", hidden),
                linear(checkpoint, root + "lm_head.weight", c.vocabSize(), hidden),
                imageTokenId, pool);
    }

    private static Linear linear(Checkpoint ck, String name, int out, int in) {
        return new Linear(ck.floats(name, out, in), out, in);
    }

    private static SwiGlu swiGlu(Checkpoint ck, String p, int width, int hidden) {
        return new SwiGlu(linear(ck, p + "gate_proj.weight", width, hidden),
                linear(ck, p + "up_proj.weight", width, hidden),
                linear(ck, p + "down_proj.weight", hidden, width));
    }

    private static MoeLayer loadMoe(Checkpoint ck, String p, TextModelConfig c) {
        int e = c.numExperts();
        int hidden = c.hiddenSize();
        int inter = c.intermediateSize();
        // Experts are stored input-major ([E, H, 2I] and [E, I, H]); transpose once so each
        // output feature is a contiguous row for the dot-product kernels.
        float[] gateUp = ck.floats(p + "experts.gate_up_proj", e, hidden, 2L * inter);
        float[] down = ck.floats(p + "experts.down_proj", e, inter, hidden);
        SwiGlu[] experts = new SwiGlu[e];
        for (int x = 0; x < e; x++) {
            float[] gate = new float[inter * hidden];
            float[] up = new float[inter * hidden];
            float[] dn = new float[hidden * inter];
            int gBase = x * hidden * 2 * inter;
            for (int i = 0; i < hidden; i++) {
                for (int j = 0; j < inter; j++) {
                    gate[j * hidden + i] = gateUp[gBase + i * 2 * inter + j];
                    up[j * hidden + i] = gateUp[gBase + i * 2 * inter + inter + j];
                }
            }
            int dBase = x * inter * hidden;
            for (int j = 0; j < inter; j++) {
                for (int i = 0; i < hidden; i++) {
                    dn[i * inter + j] = down[dBase + j * hidden + i];
                }
            }
            experts[x] = new SwiGlu(new Linear(gate, inter, hidden), new Linear(up, inter, hidden), new Linear(dn, hidden, inter));
        }
        return new MoeLayer(linear(ck, p + "router.weight", e, hidden), experts,
                swiGlu(ck, p + "shared_expert.", inter, hidden), c.expertsPerToken(), hidden);
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
        return new KvCache(config, KvBlockPool.unbounded(config));
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
                System.arraycopy(embeddings, id * hidden, x, row * hidden, hidden);
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
