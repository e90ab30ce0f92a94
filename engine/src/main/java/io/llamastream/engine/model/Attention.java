package io.llamastream.engine.model;

import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;

/**
 * One decoder layer's grouped-query self-attention, in both of Llama 4's kinds: RoPE layers
 * (rotation, optional QK L2 norm, attention limited to the current chunk) and NoPE layers (no
 * rotation, full causal context, query temperature tuning by absolute position).
 */
public final class Attention {
    private final int layer;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear o;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final boolean rope;
    private final boolean qkNorm;
    private final float eps;
    private final boolean temperatureTuning;
    private final double floorScale;
    private final double attnScale;
    private final RotaryEmbedding rotary;

    public Attention(int layer, TextModelConfig c, Linear q, Linear k, Linear v, Linear o, RotaryEmbedding rotary) {
        this.layer = layer;
        this.q = q;
        this.k = k;
        this.v = v;
        this.o = o;
        this.heads = c.numHeads();
        this.kvHeads = c.numKvHeads();
        this.headDim = c.headDim();
        this.rope = c.ropeLayers()[layer];
        this.qkNorm = c.useQkNorm();
        this.eps = c.rmsNormEps();
        this.temperatureTuning = c.attnTemperatureTuning();
        this.floorScale = c.floorScale();
        this.attnScale = c.attnScale();
        this.rotary = rotary;
    }

    /**
     * Attention over a ragged batch: {@code h} is {@code [tokens, H]} (normalised input),
     * segments say which rows belong to which sequence; keys/values of every row are appended
     * to that sequence's cache. Writes {@code [tokens, H]} into {@code out}.
     */
    public void apply(float[] h, Batch batch, float[] out, ComputePool pool) {
        int tokens = batch.tokens();
        int qw = heads * headDim;
        int kw = kvHeads * headDim;
        float[] qs = new float[tokens * qw];
        float[] ks = new float[tokens * kw];
        float[] vs = new float[tokens * kw];
        q.apply(h, tokens, qs, pool);
        k.apply(h, tokens, ks, pool);
        v.apply(h, tokens, vs, pool);
        for (int t = 0; t < tokens; t++) {
            int pos = batch.position(t);
            if (rope) {
                rotary.rotate(qs, t * qw, heads, pos);
                rotary.rotate(ks, t * kw, kvHeads, pos);
                if (qkNorm) {
                    for (int hh = 0; hh < heads; hh++) {
                        FloatKernels.rmsNorm(qs, t * qw + hh * headDim, null, eps, qs, t * qw + hh * headDim, headDim);
                    }
                    for (int hh = 0; hh < kvHeads; hh++) {
                        FloatKernels.rmsNorm(ks, t * kw + hh * headDim, null, eps, ks, t * kw + hh * headDim, headDim);
                    }
                }
            } else if (temperatureTuning) {
                float scale = (float) (Math.log(Math.floor((pos + 1) / floorScale) + 1) * attnScale + 1);
                FloatKernels.scale(qs, t * qw, qw, scale);
            }
        }
        float[] ctx = new float[tokens * qw];
        for (int s = 0; s < batch.segments(); s++) {
            attendSegment(batch, s, qs, ks, vs, ctx, pool);
        }
        o.apply(ctx, tokens, out, pool);
    }

    private void attendSegment(Batch batch, int s, float[] qs, float[] ks, float[] vs, float[] ctx, ComputePool pool) {
        KvCache cache = batch.cache(s);
        int first = batch.firstRow(s);
        int count = batch.rowCount(s);
        int start = batch.startPosition(s);
        int qw = heads * headDim;
        int kw = kvHeads * headDim;
        int group = heads / kvHeads;
        float invSqrt = (float) (1.0 / Math.sqrt(headDim));
        boolean local = cache.isLocal(layer);
        if (!local) {
            // Global layers keep every position: store all rows first, then queries read them.
            for (int i = 0; i < count; i++) {
                cache.store(layer, start + i, ks, (first + i) * kw, vs, (first + i) * kw);
            }
            pool.forEach(count * heads, (long) (start + count) * headDim * 2, job -> {
                int i = job / heads;
                int hh = job % heads;
                int pos = start + i;
                attendOne(
                        qs,
                        (first + i) * qw + hh * headDim,
                        hh / group,
                        0,
                        pos,
                        cache,
                        ctx,
                        (first + i) * qw + hh * headDim,
                        invSqrt);
            });
            return;
        }
        // Local layers overwrite the previous chunk's slots: each row must attend before a
        // later row of a new chunk replaces what it reads, so rows go in order.
        for (int i = 0; i < count; i++) {
            int pos = start + i;
            int row = first + i;
            cache.store(layer, pos, ks, row * kw, vs, row * kw);
            int from = cache.firstVisible(layer, pos);
            pool.forEach(
                    heads,
                    (long) (pos - from + 1) * headDim * 2,
                    hh -> attendOne(
                            qs,
                            row * qw + hh * headDim,
                            hh / group,
                            from,
                            pos,
                            cache,
                            ctx,
                            row * qw + hh * headDim,
                            invSqrt));
        }
    }

    private void attendOne(
            float[] qs,
            int qOff,
            int kvHead,
            int from,
            int pos,
            KvCache cache,
            float[] ctx,
            int outOff,
            float invSqrt) {
        int n = pos - from + 1;
        float[] scores = new float[n];
        int headOff = kvHead * headDim;
        for (int j = 0; j < n; j++) {
            int p = from + j;
            scores[j] =
                    FloatKernels.dot(qs, qOff, cache.keyPage(layer, p), cache.pageOffset(layer, p) + headOff, headDim)
                            * invSqrt;
        }
        FloatKernels.softmax(scores, 0, n);
        for (int j = 0; j < n; j++) {
            int p = from + j;
            FloatKernels.axpy(
                    scores[j], cache.valuePage(layer, p), cache.pageOffset(layer, p) + headOff, ctx, outOff, headDim);
        }
    }
}
