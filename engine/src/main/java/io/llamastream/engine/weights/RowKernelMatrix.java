package io.llamastream.engine.weights;

import io.llamastream.engine.math.ComputePool;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shared driver of the packed formats. Output rows go in groups of {@link #GROUP} (the block
 * formats store a group's blocks interleaved, so a group is one contiguous stream), and threads
 * claim runs of {@link #CLAIM_GROUPS} groups from a shared counter (balancing a busy core). One token: a fused decode-and-dot per group.
 * Several tokens: a group is decoded once into a float panel, then register tiles of
 * {@code GROUP rows x 4 tokens} run over it.
 */
abstract class RowKernelMatrix implements WeightMatrix {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Output rows per kernel call (and per interleaved storage group of the block formats). */
    static final int GROUP = 4;

    final int rows;
    final int cols;
    /** Number of row groups: rows rounded up to a multiple of {@link #GROUP}, divided by it. */
    final int groups;

    RowKernelMatrix(int rows, int cols) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("bad shape " + rows + "x" + cols);
        }
        this.rows = rows;
        this.cols = cols;
        this.groups = (rows + GROUP - 1) / GROUP;
    }

    @Override
    public final int rows() {
        return rows;
    }

    @Override
    public final int cols() {
        return cols;
    }

    /** One speed watch per kernel path (one token, few tokens, the panel), made on first use. */
    private final KernelSpeedWatch[] watches = new KernelSpeedWatch[3];

    @Override
    public final void multiply(float[] x, int tokens, float[] out, ComputePool pool) {
        if (x.length < tokens * cols || out.length < tokens * rows) {
            throw new IllegalArgumentException("x or out too short for " + tokens + " tokens of " + rows + "x" + cols);
        }
        long start = System.nanoTime();
        multiplyParallel(x, tokens, out, pool);
        long end = System.nanoTime();
        int path = tokens == 1 ? 0 : tokens < PANEL_MIN_TOKENS ? 1 : 2;
        KernelSpeedWatch watch = watches[path];
        if (watch == null) {
            watch = watches[path] = new KernelSpeedWatch(getClass().getSimpleName() + " " + rows + "x" + cols
                    + (path == 0 ? " one-token" : path == 1 ? " few-token" : " panel") + " kernel");
        }
        watch.record((long) rows * cols * tokens, end - start, end);
    }

    private void multiplyParallel(float[] x, int tokens, float[] out, ComputePool pool) {
        int claims = (groups + CLAIM_GROUPS - 1) / CLAIM_GROUPS;
        int parts = Math.min(pool.threads(), claims);
        if (parts < 2) {
            pool.forRange(groups, (long) GROUP * cols * tokens, (from, to) -> multiplyGroups(x, tokens, out, from, to));
            return;
        }
        // One task per thread, each claiming runs of groups until none are left: when a core is
        // busy with something else its thread takes fewer, instead of the step waiting on it.
        AtomicInteger next = new AtomicInteger();
        pool.forRange(parts, (long) GROUP * cols * tokens * groups / parts, (from, to) -> {
            for (int c = next.getAndIncrement(); c < claims; c = next.getAndIncrement()) {
                multiplyGroups(x, tokens, out, c * CLAIM_GROUPS, Math.min(groups, (c + 1) * CLAIM_GROUPS));
            }
        });
    }

    /** Row groups a thread claims at a time (Q8: ~150 KB of weights at 2048 columns). */
    static final int CLAIM_GROUPS = 16;

    /**
     * Groups [from, to) of {@code out = x @ W.T}; runs on one thread. One token: the format's
     * fused decode-and-dot {@link #group1} streams the weights once. More tokens: each group is
     * decoded once per chunk of tokens into a float panel (L1/L2-resident), then register tiles
     * of 4 rows x 4 tokens (16 accumulators; 2 and 1 token for the remainder) run over it, so the
     * decode cost is shared by the chunk's tokens and each loaded vector feeds four FMAs.
     */
    final void multiplyGroups(float[] x, int tokens, float[] out, int from, int to) {
        if (tokens == 1) {
            for (int g = from; g < to; g++) {
                group1(g, x, 0, out, 0);
            }
            return;
        }
        if (tokens < PANEL_MIN_TOKENS) {
            smallBatch(x, tokens, out, from, to);
            return;
        }
        float[] panel = panel(GROUP * cols);
        // Tokens per chunk: each group is decoded once per chunk, so the decode is shared by its tokens.
        int chunk = Math.max(4, (TOKEN_CHUNK_FLOATS / cols) & ~3);
        for (int t0 = 0; t0 < tokens; t0 += chunk) {
            int t1 = Math.min(tokens, t0 + chunk);
            for (int g = from; g < to; g++) {
                decodeGroup(g, panel);
                panelTiles(panel, x, t0, t1, out, g);
            }
        }
    }

    /** Token rows [t0, t1) against one decoded group: tiles of 4, then 2, then 1 token. */
    private void panelTiles(float[] panel, float[] x, int t0, int t1, float[] out, int g) {
        int t = t0;
        for (; t + 4 <= t1; t += 4) {
            kern4(panel, x, t * cols, out, t * rows, g);
        }
        if (t + 2 <= t1) {
            kern2(panel, x, t * cols, out, t * rows, g);
            t += 2;
        }
        if (t < t1) {
            kern1(panel, x, t * cols, out, t * rows, g);
        }
    }

    /**
     * Few tokens (a routed expert at moderate batch sizes): groups in chunks of
     * {@link #CHUNK_GROUPS} (weights L2-resident) with the format's {@link #group4} /
     * {@link #group2} / {@link #group1} tiles, which formats may fuse decode and multiply-add.
     */
    private void smallBatch(float[] x, int tokens, float[] out, int from, int to) {
        int t4 = tokens - tokens % 4;
        int t2 = tokens - tokens % 2;
        for (int g0 = from; g0 < to; g0 += CHUNK_GROUPS) {
            int g1 = Math.min(to, g0 + CHUNK_GROUPS);
            for (int t = 0; t < t4; t += 4) {
                for (int g = g0; g < g1; g++) {
                    group4(g, x, t * cols, out, t * rows);
                }
            }
            if (t2 > t4) {
                for (int g = g0; g < g1; g++) {
                    group2(g, x, t4 * cols, out, t4 * rows);
                }
            }
            if (tokens > t2) {
                for (int g = g0; g < g1; g++) {
                    group1(g, x, t2 * cols, out, t2 * rows);
                }
            }
        }
    }

    /** Below this many tokens the format's small tiles run; from it on, the decoded panel. */
    static final int PANEL_MIN_TOKENS = 8;

    /** Row groups whose weights are reused across token tiles before moving on (~32-128 KB of weights). */
    static final int CHUNK_GROUPS = 8;

    /** Group g times two token rows from x[xOff] (results at o and o + rows); by default via the panel. */
    void group2(int g, float[] x, int xOff, float[] out, int o) {
        float[] panel = panel(GROUP * cols);
        decodeGroup(g, panel);
        kern2(panel, x, xOff, out, o, g);
    }

    /** Group g times four token rows from x[xOff] (results at o + k rows); by default via the panel. */
    void group4(int g, float[] x, int xOff, float[] out, int o) {
        float[] panel = panel(GROUP * cols);
        decodeGroup(g, panel);
        kern4(panel, x, xOff, out, o, g);
    }

    /** Activation floats per token chunk of the batched path (512 KB; larger chunks share each decode among more tokens, which measured faster than keeping the chunk in L2). */
    static final int TOKEN_CHUNK_FLOATS = 1 << 17;

    private static final ThreadLocal<float[]> PANEL = new ThreadLocal<>();

    private static float[] panel(int n) {
        float[] p = PANEL.get();
        if (p == null || p.length < n) {
            p = new float[n];
            PANEL.set(p);
        }
        return p;
    }

    /**
     * Rows 4g..4g+3 times one token row x[xOff ..]; results to out[o + r] for rows r < rows.
     */
    abstract void group1(int g, float[] x, int xOff, float[] out, int o);

    /**
     * Writes rows 4g..4g+3, dequantized (scales applied), to {@code panel[k * cols + c]} for
     * k < 4; rows past the end are zeros.
     */
    abstract void decodeGroup(int g, float[] panel);

    /** Rows of group g (decoded in {@code panel}) times 4 token row(s) from x[xOff]; results from out[o]. */
    private void kern4(float[] p, float[] x, int xOff, float[] out, int o, int g) {
        int bound = F.loopBound(cols);
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F);
        FloatVector a13 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a21 = FloatVector.zero(F);
        FloatVector a22 = FloatVector.zero(F);
        FloatVector a23 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F);
        FloatVector a31 = FloatVector.zero(F);
        FloatVector a32 = FloatVector.zero(F);
        FloatVector a33 = FloatVector.zero(F);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector w0 = FloatVector.fromArray(F, p, i);
            FloatVector w1 = FloatVector.fromArray(F, p, 1 * cols + i);
            FloatVector w2 = FloatVector.fromArray(F, p, 2 * cols + i);
            FloatVector w3 = FloatVector.fromArray(F, p, 3 * cols + i);
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            a20 = w2.fma(x0, a20);
            a30 = w3.fma(x0, a30);
            FloatVector x1 = FloatVector.fromArray(F, x, xOff + 1 * cols + i);
            a01 = w0.fma(x1, a01);
            a11 = w1.fma(x1, a11);
            a21 = w2.fma(x1, a21);
            a31 = w3.fma(x1, a31);
            FloatVector x2 = FloatVector.fromArray(F, x, xOff + 2 * cols + i);
            a02 = w0.fma(x2, a02);
            a12 = w1.fma(x2, a12);
            a22 = w2.fma(x2, a22);
            a32 = w3.fma(x2, a32);
            FloatVector x3 = FloatVector.fromArray(F, x, xOff + 3 * cols + i);
            a03 = w0.fma(x3, a03);
            a13 = w1.fma(x3, a13);
            a23 = w2.fma(x3, a23);
            a33 = w3.fma(x3, a33);
        }
        tail(
                p,
                x,
                xOff,
                i,
                out,
                o,
                g,
                a00.reduceLanes(VectorOperators.ADD),
                a10.reduceLanes(VectorOperators.ADD),
                a20.reduceLanes(VectorOperators.ADD),
                a30.reduceLanes(VectorOperators.ADD));
        tail(
                p,
                x,
                xOff + 1 * cols,
                i,
                out,
                o + 1 * rows,
                g,
                a01.reduceLanes(VectorOperators.ADD),
                a11.reduceLanes(VectorOperators.ADD),
                a21.reduceLanes(VectorOperators.ADD),
                a31.reduceLanes(VectorOperators.ADD));
        tail(
                p,
                x,
                xOff + 2 * cols,
                i,
                out,
                o + 2 * rows,
                g,
                a02.reduceLanes(VectorOperators.ADD),
                a12.reduceLanes(VectorOperators.ADD),
                a22.reduceLanes(VectorOperators.ADD),
                a32.reduceLanes(VectorOperators.ADD));
        tail(
                p,
                x,
                xOff + 3 * cols,
                i,
                out,
                o + 3 * rows,
                g,
                a03.reduceLanes(VectorOperators.ADD),
                a13.reduceLanes(VectorOperators.ADD),
                a23.reduceLanes(VectorOperators.ADD),
                a33.reduceLanes(VectorOperators.ADD));
    }

    /** Rows of group g (decoded in {@code panel}) times 2 token row(s) from x[xOff]; results from out[o]. */
    private void kern2(float[] p, float[] x, int xOff, float[] out, int o, int g) {
        int bound = F.loopBound(cols);
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a21 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F);
        FloatVector a31 = FloatVector.zero(F);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector w0 = FloatVector.fromArray(F, p, i);
            FloatVector w1 = FloatVector.fromArray(F, p, 1 * cols + i);
            FloatVector w2 = FloatVector.fromArray(F, p, 2 * cols + i);
            FloatVector w3 = FloatVector.fromArray(F, p, 3 * cols + i);
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            a20 = w2.fma(x0, a20);
            a30 = w3.fma(x0, a30);
            FloatVector x1 = FloatVector.fromArray(F, x, xOff + 1 * cols + i);
            a01 = w0.fma(x1, a01);
            a11 = w1.fma(x1, a11);
            a21 = w2.fma(x1, a21);
            a31 = w3.fma(x1, a31);
        }
        tail(
                p,
                x,
                xOff,
                i,
                out,
                o,
                g,
                a00.reduceLanes(VectorOperators.ADD),
                a10.reduceLanes(VectorOperators.ADD),
                a20.reduceLanes(VectorOperators.ADD),
                a30.reduceLanes(VectorOperators.ADD));
        tail(
                p,
                x,
                xOff + 1 * cols,
                i,
                out,
                o + 1 * rows,
                g,
                a01.reduceLanes(VectorOperators.ADD),
                a11.reduceLanes(VectorOperators.ADD),
                a21.reduceLanes(VectorOperators.ADD),
                a31.reduceLanes(VectorOperators.ADD));
    }

    /** Rows of group g (decoded in {@code panel}) times 1 token row(s) from x[xOff]; results from out[o]. */
    private void kern1(float[] p, float[] x, int xOff, float[] out, int o, int g) {
        int bound = F.loopBound(cols);
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F);
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector w0 = FloatVector.fromArray(F, p, i);
            FloatVector w1 = FloatVector.fromArray(F, p, 1 * cols + i);
            FloatVector w2 = FloatVector.fromArray(F, p, 2 * cols + i);
            FloatVector w3 = FloatVector.fromArray(F, p, 3 * cols + i);
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            a20 = w2.fma(x0, a20);
            a30 = w3.fma(x0, a30);
        }
        tail(
                p,
                x,
                xOff,
                i,
                out,
                o,
                g,
                a00.reduceLanes(VectorOperators.ADD),
                a10.reduceLanes(VectorOperators.ADD),
                a20.reduceLanes(VectorOperators.ADD),
                a30.reduceLanes(VectorOperators.ADD));
    }

    /** Adds the scalar tail (columns [i, cols), when cols is not a multiple of the vector length) and stores. */
    private void tail(
            float[] p, float[] x, int xOff, int i, float[] out, int o, int g, float s0, float s1, float s2, float s3) {
        for (; i < cols; i++) {
            float xv = x[xOff + i];
            s0 += p[i] * xv;
            s1 += p[cols + i] * xv;
            s2 += p[2 * cols + i] * xv;
            s3 += p[3 * cols + i] * xv;
        }
        put(out, o, g, s0, s1, s2, s3);
    }

    /** Stores the four row results of group g for one token, dropping rows past the end (padding). */
    final void put(float[] out, int o, int g, float s0, float s1, float s2, float s3) {
        int r = g * GROUP;
        if (r + 3 < rows) {
            out[o + r] = s0;
            out[o + r + 1] = s1;
            out[o + r + 2] = s2;
            out[o + r + 3] = s3;
            return;
        }
        out[o + r] = s0;
        if (r + 1 < rows) {
            out[o + r + 1] = s1;
        }
        if (r + 2 < rows) {
            out[o + r + 2] = s2;
        }
    }

    static void checkBlocks(int cols) {
        if (cols % WeightFormat.BLOCK != 0) {
            throw new IllegalArgumentException(
                    "cols " + cols + " is not a multiple of the block size " + WeightFormat.BLOCK);
        }
        if (L > 16 || WeightFormat.BLOCK % L != 0) {
            throw new IllegalStateException("float vectors of " + L + " lanes are not supported by the block kernels");
        }
    }
}
