package io.llamastream.engine.model;

import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.FloatKernels;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

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
    private final QueryBlockAttention blocks;

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
        this.blocks = new QueryBlockAttention(layer, heads, kvHeads, headDim);
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
        Linear.applyTogether(new Linear[] {q, k, v}, h, tokens, new float[][] {qs, ks, vs}, pool);
        float[] ctx = new float[tokens * qw];
        attendProjected(qs, ks, vs, batch, ctx, pool);
        o.apply(ctx, tokens, out, pool);
    }

    /**
     * Everything between the projections: rotates (or, on NoPE layers, temperature-scales) the
     * batch's queries {@code qs} and keys {@code ks} in place, stores the keys and values
     * {@code vs} in each sequence's cache and writes the attention of every row to {@code ctx}
     * ({@code [tokens, heads * headDim]}).
     */
    void attendProjected(float[] qs, float[] ks, float[] vs, Batch batch, float[] ctx, ComputePool pool) {
        int tokens = batch.tokens();
        int qw = heads * headDim;
        int kw = kvHeads * headDim;
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
        attendBatch(batch, qs, ks, vs, ctx, pool);
    }

    /** The decoder layer this attention belongs to (its slot in a KV cache). */
    int layer() {
        return layer;
    }

    /**
     * What decides the code {@link #attendProjected} runs, beyond the shapes: RoPE (with or without
     * the QK norm, chunked or not) or NoPE (with or without temperature tuning).
     */
    String kind() {
        return rope ? "rope" + (qkNorm ? " qk-norm" : "") : "nope" + (temperatureTuning ? " temperature" : "");
    }

    /** The q, k, v and o projections. */
    List<Linear> projections() {
        return List.of(q, k, v, o);
    }

    /**
     * The attention of the whole batch in one parallel pass: every row's keys and values are
     * stored first, then the threads claim (rows, head) jobs of all sequences from one counter
     * (rows differ in context length, so fixed ranges would be uneven). A sequence with at least
     * {@link #MIN_BLOCK_ROWS} rows in the batch (a prefill) is split into query blocks, whose
     * queries share each load of a key ({@link QueryBlockAttention}); other rows attend one by one.
     * A local layer's rows that cross into a new chunk would overwrite slots earlier rows still
     * read; such a sequence (a prefill across a chunk boundary) runs row by row instead.
     */
    private void attendBatch(Batch batch, float[] qs, float[] ks, float[] vs, float[] ctx, ComputePool pool) {
        int kw = kvHeads * headDim;
        int[] jobSegment = new int[batch.tokens()];
        int[] jobRow = new int[batch.tokens()];
        int[] jobRows = new int[batch.tokens()];
        int jobs = 0;
        long work = 0;
        for (int s = 0; s < batch.segments(); s++) {
            KvCache cache = batch.cache(s);
            int first = batch.firstRow(s);
            int count = batch.rowCount(s);
            int start = batch.startPosition(s);
            if (cache.isLocal(layer)
                    && cache.firstVisible(layer, start) != cache.firstVisible(layer, start + count - 1)) {
                attendInOrder(batch, s, qs, ks, vs, ctx, pool);
                continue;
            }
            for (int i = 0; i < count; i++) {
                cache.store(layer, start + i, ks, (first + i) * kw, vs, (first + i) * kw);
                work += start + i - cache.firstVisible(layer, start + i) + 1;
            }
            int step = count >= MIN_BLOCK_ROWS ? QueryBlockAttention.ROWS : 1;
            for (int i = 0; i < count; i += step) {
                jobSegment[jobs] = s;
                jobRow[jobs] = first + i;
                jobRows[jobs++] = Math.min(step, count - i);
            }
        }
        if (jobs == 0) {
            return;
        }
        int n = jobs;
        int threads = Math.min(pool.threads(), n * heads);
        AtomicInteger next = new AtomicInteger();
        pool.forRange(threads, work * heads * headDim * 2 / threads, (from, to) -> {
            for (int job = next.getAndIncrement(); job < n * heads; job = next.getAndIncrement()) {
                int j = job / heads;
                if (jobRows[j] == 1) {
                    attendRow(batch, jobSegment[j], jobRow[j], job % heads, qs, ctx);
                } else {
                    attendBlock(batch, jobSegment[j], jobRow[j], jobRows[j], job % heads, qs, ctx);
                }
            }
        });
    }

    /** The fewest rows of one sequence in a batch that attend in query blocks rather than row by row. */
    static final int MIN_BLOCK_ROWS = 4;

    private void attendRow(Batch batch, int s, int row, int hh, float[] qs, float[] ctx) {
        KvCache cache = batch.cache(s);
        int pos = batch.startPosition(s) + row - batch.firstRow(s);
        int off = row * heads * headDim + hh * headDim;
        attendOne(qs, off, hh / (heads / kvHeads), cache.firstVisible(layer, pos), pos, cache, ctx, off, invSqrt());
    }

    private void attendBlock(Batch batch, int s, int row, int rows, int hh, float[] qs, float[] ctx) {
        KvCache cache = batch.cache(s);
        int pos = batch.startPosition(s) + row - batch.firstRow(s);
        blocks.attend(qs, row, rows, hh, pos, cache.firstVisible(layer, pos), cache, invSqrt(), ctx);
    }

    private float invSqrt() {
        return (float) (1.0 / Math.sqrt(headDim));
    }

    /** A local layer's sequence whose rows cross a chunk boundary: each row attends before a later row replaces what it reads. */
    private void attendInOrder(Batch batch, int s, float[] qs, float[] ks, float[] vs, float[] ctx, ComputePool pool) {
        KvCache cache = batch.cache(s);
        int first = batch.firstRow(s);
        int start = batch.startPosition(s);
        int kw = kvHeads * headDim;
        for (int i = 0; i < batch.rowCount(s); i++) {
            int row = first + i;
            cache.store(layer, start + i, ks, row * kw, vs, row * kw);
            int context = start + i - cache.firstVisible(layer, start + i) + 1;
            pool.forEach(heads, (long) context * headDim * 2, hh -> attendRow(batch, s, row, hh, qs, ctx));
        }
    }

    /** Each thread's score row, reused across (row, head) pairs instead of one allocation each. */
    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[256]);

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
        float[] scores = SCORES.get();
        if (scores.length < n) {
            scores = new float[Math.max(n, 2 * scores.length)];
            SCORES.set(scores);
        }
        int headOff = kvHead * headDim;
        int kvWidth = kvHeads * headDim;
        // The scores against the keys, one run of positions per KV page.
        for (int j = 0; j < n; ) {
            int p = from + j;
            int run = Math.min(n - j, cache.positionsLeftInPage(layer, p));
            FloatKernels.dotRows(
                    qs,
                    qOff,
                    cache.keyPage(layer, p),
                    cache.pageOffset(layer, p) + headOff,
                    kvWidth,
                    run,
                    scores,
                    j,
                    headDim);
            j += run;
        }
        FloatKernels.scaledSoftmax(scores, 0, n, invSqrt);
        // The weighted sum of values, page by page likewise.
        for (int j = 0; j < n; ) {
            int p = from + j;
            int run = Math.min(n - j, cache.positionsLeftInPage(layer, p));
            FloatKernels.axpyRows(
                    scores,
                    j,
                    run,
                    cache.valuePage(layer, p),
                    cache.pageOffset(layer, p) + headOff,
                    kvWidth,
                    ctx,
                    outOff,
                    headDim);
            j += run;
        }
    }
}
