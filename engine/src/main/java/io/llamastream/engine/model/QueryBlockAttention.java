package io.llamastream.engine.model;

import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.math.VectorExp;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The attention of a query block: up to one vector of consecutive rows of one sequence, for one
 * head, one query per lane. A prefill's queries share their keys, so each key and value element is
 * loaded once and broadcast against every query in the block: the scores come out one key per
 * vector (lanes are queries), the softmax runs lane by lane down the keys, and the weighted sum of
 * values builds the block's outputs dimension by dimension, with no horizontal sums anywhere. One
 * query at a time ({@link Attention}'s row path, a dot product per key) loads every key for each
 * query and reduces every dot product across lanes; on a 512-token prefill that made attention
 * about a seventh of the time. The results equal the row path's to float rounding, not bit for bit.
 *
 * <p>The rows' keys must be stored and visible from one position {@code from} on (a block never
 * spans a local layer's chunk boundary). Each thread keeps its own scratch, so blocks of different
 * heads and rows run concurrently.
 */
public final class QueryBlockAttention {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Queries per block: one per lane. */
    public static final int ROWS = F.length();

    /** Keys per step of the score loop: each query element loaded once serves this many keys. */
    private static final int KEY_STEP = 8;

    /** Dimensions per pass of the weighted sum: its accumulators, held in registers across the keys. */
    private static final int DIM_STEP = 8;

    private final int layer;
    private final int heads;
    private final int headDim;
    private final int kvWidth;
    private final int groupSize;

    public QueryBlockAttention(int layer, int heads, int kvHeads, int headDim) {
        if (headDim % DIM_STEP != 0) {
            throw new IllegalArgumentException("head dimension " + headDim + " is not a multiple of " + DIM_STEP);
        }
        this.layer = layer;
        this.heads = heads;
        this.headDim = headDim;
        this.kvWidth = kvHeads * headDim;
        this.groupSize = heads / kvHeads;
    }

    /** One thread's working arrays, grown as blocks need and kept across calls. */
    private static final class Scratch {
        /** The block's queries transposed: element d of every query is one vector. */
        float[] queries = new float[0];
        /** The scores, key by key, then the probabilities. */
        float[] probabilities = new float[0];
        /** The outputs transposed, like the queries. */
        float[] outputs = new float[0];
        /** Per lane: the softmax's shift, then its sum. */
        final float[] sums = new float[ROWS];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Writes the attention of head {@code head} for rows {@code [row, row + count)} ({@code count <=
     * ROWS}) into {@code ctx}: row {@code row + i} is the query at position {@code pos + i} and sees
     * the cache's positions {@code [from, pos + i]}. {@code qs} and {@code ctx} are {@code [rows,
     * heads * headDim]}.
     */
    public void attend(
            float[] qs, int row, int count, int head, int pos, int from, KvCache cache, float scale, float[] ctx) {
        int keys = pos + count - from;
        Scratch scratch = SCRATCH.get();
        if (scratch.queries.length < headDim * ROWS) {
            scratch.queries = new float[headDim * ROWS];
            scratch.outputs = new float[headDim * ROWS];
        }
        if (scratch.probabilities.length < keys * ROWS) {
            scratch.probabilities = new float[Math.max(keys * ROWS, 2 * scratch.probabilities.length)];
        }
        float[] qt = scratch.queries;
        float[] p = scratch.probabilities;
        float[] outT = scratch.outputs;
        float[] sums = scratch.sums;
        int qw = heads * headDim;
        int qOff = row * qw + head * headDim;
        // The queries transposed: element d of every query is one vector; absent rows are zeros.
        for (int d = 0; d < headDim; d++) {
            for (int i = 0; i < ROWS; i++) {
                qt[d * ROWS + i] = i < count ? qs[qOff + i * qw + d] : 0f;
            }
        }
        int headOff = head / groupSize * headDim;
        scores(qt, from, keys, headOff, cache, p);
        softmax(p, keys, pos - from, scale, sums);
        weightedValues(p, from, keys, headOff, cache, outT);
        // Normalized and transposed back into the rows' outputs.
        for (int i = 0; i < count; i++) {
            int o = qOff + i * qw;
            float inv = 1f / sums[i];
            for (int d = 0; d < headDim; d++) {
                ctx[o + d] = outT[d * ROWS + i] * inv;
            }
        }
    }

    /** {@code p[j * ROWS + i]}: query i's raw score against key j, the keys read page by page. */
    private void scores(float[] qt, int from, int keys, int headOff, KvCache cache, float[] p) {
        for (int j = 0; j < keys; ) {
            int run = Math.min(keys - j, cache.positionsLeftInPage(layer, from + j));
            float[] page = cache.keyPage(layer, from + j);
            int k0 = cache.pageOffset(layer, from + j) + headOff;
            int i = 0;
            for (; i + KEY_STEP <= run; i += KEY_STEP) {
                scoreStep(qt, page, k0 + i * kvWidth, p, (j + i) * ROWS);
            }
            for (; i < run; i++) {
                scoreOne(qt, page, k0 + i * kvWidth, p, (j + i) * ROWS);
            }
            j += run;
        }
    }

    /** Eight keys' scores against every query: per dimension one vector of queries, eight broadcast key elements. */
    private void scoreStep(float[] qt, float[] k, int k0, float[] p, int po) {
        int w = kvWidth;
        FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F), s2 = FloatVector.zero(F);
        FloatVector s3 = FloatVector.zero(F), s4 = FloatVector.zero(F), s5 = FloatVector.zero(F);
        FloatVector s6 = FloatVector.zero(F), s7 = FloatVector.zero(F);
        for (int d = 0; d < headDim; d++) {
            FloatVector q = FloatVector.fromArray(F, qt, d * ROWS);
            int kd = k0 + d;
            s0 = q.fma(FloatVector.broadcast(F, k[kd]), s0);
            s1 = q.fma(FloatVector.broadcast(F, k[kd + w]), s1);
            s2 = q.fma(FloatVector.broadcast(F, k[kd + 2 * w]), s2);
            s3 = q.fma(FloatVector.broadcast(F, k[kd + 3 * w]), s3);
            s4 = q.fma(FloatVector.broadcast(F, k[kd + 4 * w]), s4);
            s5 = q.fma(FloatVector.broadcast(F, k[kd + 5 * w]), s5);
            s6 = q.fma(FloatVector.broadcast(F, k[kd + 6 * w]), s6);
            s7 = q.fma(FloatVector.broadcast(F, k[kd + 7 * w]), s7);
        }
        s0.intoArray(p, po);
        s1.intoArray(p, po + ROWS);
        s2.intoArray(p, po + 2 * ROWS);
        s3.intoArray(p, po + 3 * ROWS);
        s4.intoArray(p, po + 4 * ROWS);
        s5.intoArray(p, po + 5 * ROWS);
        s6.intoArray(p, po + 6 * ROWS);
        s7.intoArray(p, po + 7 * ROWS);
    }

    private void scoreOne(float[] qt, float[] k, int k0, float[] p, int po) {
        FloatVector s = FloatVector.zero(F);
        for (int d = 0; d < headDim; d++) {
            s = FloatVector.fromArray(F, qt, d * ROWS).fma(FloatVector.broadcast(F, k[k0 + d]), s);
        }
        s.intoArray(p, po);
    }

    /**
     * Turns the scores into unnormalized probabilities {@code exp(scale * (s - max))} in place,
     * lane by lane, and writes their sums to {@code sums}. Key j is visible to query i when
     * {@code j <= shared + i}; later keys (the block's own later rows) get probability 0. Each pass
     * is a loop of its own: in one larger method C2 stopped inlining {@link VectorExp#exp}, which
     * then ran without intrinsics, lane by lane.
     */
    private static void softmax(float[] p, int keys, int shared, float scale, float[] sums) {
        hideLaterKeys(p, keys, shared, Float.NEGATIVE_INFINITY);
        FloatVector max = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < keys; j++) {
            max = max.max(FloatVector.fromArray(F, p, j * ROWS));
        }
        max.mul(-scale).intoArray(sums, 0);
        exponentials(p, keys, scale, sums);
        hideLaterKeys(p, keys, shared, 0f);
        FloatVector sum = FloatVector.zero(F);
        for (int j = 0; j < keys; j++) {
            sum = sum.add(FloatVector.fromArray(F, p, j * ROWS));
        }
        sum.intoArray(sums, 0);
    }

    /** Sets query i's entry for each key j past {@code shared + i} to {@code value}. */
    private static void hideLaterKeys(float[] p, int keys, int shared, float value) {
        for (int j = shared + 1; j < keys; j++) {
            for (int i = 0; i < j - shared && i < ROWS; i++) {
                p[j * ROWS + i] = value;
            }
        }
    }

    /** {@code p = exp(scale * p + shift)}, lane by lane, the shifts ({@code -scale * max}) read from {@code shifts}. */
    private static void exponentials(float[] p, int keys, float scale, float[] shifts) {
        FloatVector vscale = FloatVector.broadcast(F, scale);
        FloatVector shift = FloatVector.fromArray(F, shifts, 0);
        for (int j = 0; j < keys; j++) {
            VectorExp.exp(FloatVector.fromArray(F, p, j * ROWS).fma(vscale, shift))
                    .intoArray(p, j * ROWS);
        }
    }

    /** {@code outT[d * ROWS + i] = sum_j p[j * ROWS + i] * v_j[d]}, the values read page by page. */
    private void weightedValues(float[] p, int from, int keys, int headOff, KvCache cache, float[] outT) {
        Arrays.fill(outT, 0, headDim * ROWS, 0f);
        for (int j = 0; j < keys; ) {
            int run = Math.min(keys - j, cache.positionsLeftInPage(layer, from + j));
            float[] v = cache.valuePage(layer, from + j);
            int vo = cache.pageOffset(layer, from + j) + headOff;
            for (int d0 = 0; d0 < headDim; d0 += DIM_STEP) {
                valueStep(p, j * ROWS, run, v, vo + d0, outT, d0 * ROWS);
            }
            j += run;
        }
    }

    /**
     * Adds {@code run} keys' weighted values to eight dimensions of the outputs: per key one vector
     * of probabilities and eight broadcast value elements. (A loop of its own, with the outputs
     * loaded and stored around it: kept inside the page loop, C2 boxed the accumulators.)
     */
    private void valueStep(float[] p, int po, int run, float[] v, int vo, float[] outT, int o) {
        FloatVector o0 = FloatVector.fromArray(F, outT, o);
        FloatVector o1 = FloatVector.fromArray(F, outT, o + ROWS);
        FloatVector o2 = FloatVector.fromArray(F, outT, o + 2 * ROWS);
        FloatVector o3 = FloatVector.fromArray(F, outT, o + 3 * ROWS);
        FloatVector o4 = FloatVector.fromArray(F, outT, o + 4 * ROWS);
        FloatVector o5 = FloatVector.fromArray(F, outT, o + 5 * ROWS);
        FloatVector o6 = FloatVector.fromArray(F, outT, o + 6 * ROWS);
        FloatVector o7 = FloatVector.fromArray(F, outT, o + 7 * ROWS);
        for (int i = 0; i < run; i++, po += ROWS, vo += kvWidth) {
            FloatVector pj = FloatVector.fromArray(F, p, po);
            o0 = pj.fma(FloatVector.broadcast(F, v[vo]), o0);
            o1 = pj.fma(FloatVector.broadcast(F, v[vo + 1]), o1);
            o2 = pj.fma(FloatVector.broadcast(F, v[vo + 2]), o2);
            o3 = pj.fma(FloatVector.broadcast(F, v[vo + 3]), o3);
            o4 = pj.fma(FloatVector.broadcast(F, v[vo + 4]), o4);
            o5 = pj.fma(FloatVector.broadcast(F, v[vo + 5]), o5);
            o6 = pj.fma(FloatVector.broadcast(F, v[vo + 6]), o6);
            o7 = pj.fma(FloatVector.broadcast(F, v[vo + 7]), o7);
        }
        o0.intoArray(outT, o);
        o1.intoArray(outT, o + ROWS);
        o2.intoArray(outT, o + 2 * ROWS);
        o3.intoArray(outT, o + 3 * ROWS);
        o4.intoArray(outT, o + 4 * ROWS);
        o5.intoArray(outT, o + 5 * ROWS);
        o6.intoArray(outT, o + 6 * ROWS);
        o7.intoArray(outT, o + 7 * ROWS);
    }
}
