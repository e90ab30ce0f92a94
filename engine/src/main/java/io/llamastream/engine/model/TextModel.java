package io.llamastream.engine.model;

import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.kv.KvPagePool;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;
import io.llamastream.engine.weights.Embeddings;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.engine.weights.WeightMatrix;
import java.util.ArrayList;
import java.util.List;

/**
 * The text decoder of a Llama 4 or Llama 3 model with its weights in a chosen {@link WeightFormat}: embeddings,
 * decoder layers (MoE or dense), final norm and LM head. {@link #forward} runs one step over a ragged {@link Batch},
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

    private TextModel(
            TextModelConfig config,
            Embeddings embeddings,
            DecoderLayer[] layers,
            float[] finalNorm,
            Linear lmHead,
            int imageTokenId,
            ComputePool pool,
            WeightFormat format,
            long weightBytes) {
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
    public static TextModel load(
            Checkpoint checkpoint, TextModelConfig c, int imageTokenId, ComputePool pool, WeightFormat format) {
        HfDecoderWeights w = HfDecoderWeights.of(checkpoint, c, format, pool);
        return load(w, c, imageTokenId, pool, w.format());
    }

    /** Builds the decoder from {@code w} (any checkpoint kind), layer by layer. */
    public static TextModel load(
            DecoderWeights w, TextModelConfig c, int imageTokenId, ComputePool pool, WeightFormat format) {
        int hd = c.headDim();
        int hidden = c.hiddenSize();
        RotaryEmbedding rotary = w.rotary(c);
        DecoderLayer[] layers = new DecoderLayer[c.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            Attention attn = new Attention(
                    l,
                    c,
                    w.linear(l, DecoderWeights.Matrix.ATTN_Q, c.numHeads() * hd, hidden),
                    w.linear(l, DecoderWeights.Matrix.ATTN_K, c.numKvHeads() * hd, hidden),
                    w.linear(l, DecoderWeights.Matrix.ATTN_V, c.numKvHeads() * hd, hidden),
                    w.linear(l, DecoderWeights.Matrix.ATTN_O, hidden, c.numHeads() * hd),
                    rotary);
            FeedForward ffn = c.moeLayers()[l]
                    ? new MoeLayer(
                            w.router(l, c.numExperts(), hidden),
                            w.experts(l, c.numExperts(), hidden, c.intermediateSize()),
                            new SwiGlu(
                                    w.linear(l, DecoderWeights.Matrix.SHARED_GATE, c.intermediateSize(), hidden),
                                    w.linear(l, DecoderWeights.Matrix.SHARED_UP, c.intermediateSize(), hidden),
                                    w.linear(l, DecoderWeights.Matrix.SHARED_DOWN, hidden, c.intermediateSize())),
                            c.expertsPerToken(),
                            hidden)
                    : new SwiGlu(
                            w.linear(l, DecoderWeights.Matrix.FFN_GATE, c.intermediateSizeMlp(), hidden),
                            w.linear(l, DecoderWeights.Matrix.FFN_UP, c.intermediateSizeMlp(), hidden),
                            w.linear(l, DecoderWeights.Matrix.FFN_DOWN, hidden, c.intermediateSizeMlp()));
            layers[l] = new DecoderLayer(
                    w.norm(l, DecoderWeights.Norm.INPUT, hidden),
                    w.norm(l, DecoderWeights.Norm.POST_ATTENTION, hidden),
                    attn,
                    ffn,
                    c.rmsNormEps());
        }
        Embeddings embeddings = w.embeddings(c.vocabSize(), hidden);
        float[] norm = w.finalNorm(hidden);
        Linear lmHead = w.lmHead(c.vocabSize(), hidden);
        return new TextModel(c, embeddings, layers, norm, lmHead, imageTokenId, pool, format, w.bytes());
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
                    throw new IllegalArgumentException(
                            "token id " + id + " outside the vocabulary of " + config.vocabSize());
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

    /** The decoder layers, in order. */
    List<DecoderLayer> layers() {
        return List.of(layers);
    }

    /**
     * Every weight matrix of the decoder: per layer the attention's q, k, v and o, then the
     * feed-forward's (router, shared expert's gate, up and down, each routed expert's; or the dense
     * gate, up and down), and last the LM head.
     */
    List<WeightMatrix> matrices() {
        List<Linear> linears = new ArrayList<>();
        for (DecoderLayer layer : layers) {
            linears.addAll(layer.attention().projections());
            if (layer.feedForward() instanceof MoeLayer moe) {
                linears.add(moe.router());
                addSwiGlu(linears, moe.shared());
                for (int x = 0; x < moe.experts(); x++) {
                    addSwiGlu(linears, moe.expert(x));
                }
            } else if (layer.feedForward() instanceof SwiGlu dense) {
                addSwiGlu(linears, dense);
            }
        }
        linears.add(lmHead);
        return linears.stream().map(Linear::weight).toList();
    }

    private static void addSwiGlu(List<Linear> linears, SwiGlu ffn) {
        linears.add(ffn.gate());
        linears.add(ffn.up());
        linears.add(ffn.down());
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
