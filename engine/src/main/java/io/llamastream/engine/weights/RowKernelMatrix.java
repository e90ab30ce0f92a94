package io.llamastream.engine.weights;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.math.ThreadScratch;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shared driver of the packed formats. Output rows go in groups of {@link #GROUP} (the block
 * formats store a group's blocks interleaved, so a group is one contiguous stream), and threads
 * claim runs of groups from a shared counter ({@link ComputePool#forClaims}, balancing a busy
 * core), across several matrices at once in a decode step ({@link #multiplyOneTokenTogether}). One
 * token: a fused decode-and-dot per group. Up to one vector of tokens: a group is decoded once
 * into a float panel, then register tiles of {@code GROUP rows x 4 tokens} run over it. More
 * tokens (prefill, the shared expert and attention of a batch, the LM head over a batch, the
 * vision tower): the packed path, {@link #multiplyPacked}: activations packed and transposed
 * into tiles of two vectors of tokens, weights decoded once per 12-row block into a padded
 * float panel, a 12 x 2-vector register tile (24 accumulators, no reductions) over column
 * blocks of {@link #K_BLOCK}.
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

    /** The kernel paths, in the order of {@link #path}: one token, few tokens, the decoded panel, packed. */
    static final int PATHS = 4;

    /** One speed watch per kernel path, made on first use. */
    private final KernelSpeedWatch[] watches = new KernelSpeedWatch[PATHS];

    /**
     * Multiplies run per kernel path, full or leading rows (for tests and diagnostics: a plain
     * counter, so callers multiplying the same matrix at once may lose a count).
     */
    private final long[] pathRuns = new long[PATHS];

    @Override
    public final void multiply(float[] x, int tokens, float[] out, ComputePool pool) {
        checkLengths(x, tokens, out);
        long start = System.nanoTime();
        multiplyParallel(x, tokens, out, groups, pool);
        long end = System.nanoTime();
        watch(path(tokens)).record((long) rows * cols * tokens, end - start, end);
    }

    private void checkLengths(float[] x, int tokens, float[] out) {
        if (x.length < tokens * cols || out.length < tokens * rows) {
            throw new IllegalArgumentException("x or out too short for " + tokens + " tokens of " + rows + "x" + cols);
        }
    }

    /** This matrix's speed watch for kernel path {@code path}, made on first use. */
    private KernelSpeedWatch watch(int path) {
        KernelSpeedWatch watch = watches[path];
        if (watch == null) {
            watch = watches[path] = new KernelSpeedWatch(getClass().getSimpleName() + " " + rows + "x" + cols
                    + (path == 0 ? " one-token" : path == 1 ? " few-token" : path == 2 ? " panel" : " packed")
                    + " kernel");
        }
        return watch;
    }

    /** True when every one of {@code matrices} is of these formats and they share a column count. */
    static boolean canRunTogether(WeightMatrix[] matrices) {
        for (WeightMatrix m : matrices) {
            if (!(m instanceof RowKernelMatrix) || m.cols() != matrices[0].cols()) {
                return false;
            }
        }
        return true;
    }

    /**
     * One token row {@code xs[i]} times each of {@code matrices[i]} (see {@link #canRunTogether})
     * into {@code outs[i]}, as one {@link ComputePool#forClaims} over their row groups laid end to
     * end; a claim that spans two matrices runs its part of each. The job is timed in the first
     * matrix's one-token speed watch, with the multiply-adds of all of them.
     */
    static void multiplyOneTokenTogether(WeightMatrix[] matrices, float[][] xs, float[][] outs, ComputePool pool) {
        RowKernelMatrix[] ms = new RowKernelMatrix[matrices.length];
        int[] first = new int[matrices.length + 1];
        long work = 0;
        for (int i = 0; i < ms.length; i++) {
            ms[i] = (RowKernelMatrix) matrices[i];
            ms[i].checkLengths(xs[i], 1, outs[i]);
            ms[i].pathRuns[path(1)]++;
            first[i + 1] = first[i] + ms[i].groups;
            work += (long) ms[i].rows * ms[i].cols;
        }
        long start = System.nanoTime();
        pool.forClaims(first[ms.length], MIN_CLAIM_GROUPS, (long) GROUP * ms[0].cols, (from, to) -> {
            for (int i = 0; i < ms.length; i++) {
                int lo = Math.max(from, first[i]);
                int hi = Math.min(to, first[i + 1]);
                if (lo < hi) {
                    ms[i].oneToken(xs[i], 0, outs[i], 0, lo - first[i], hi - first[i]);
                }
            }
        });
        long end = System.nanoTime();
        ms[0].watch(path(1)).record(work, end - start, end);
    }

    /**
     * {@inheritDoc} The rows are taken in whole row groups (and on the packed path in whole register
     * tiles of {@link #TILE_ROWS}), so rows a little past the limit may be written too. Not timed by
     * the speed watch: a few rows' rate says nothing of the whole matrix's.
     */
    @Override
    public final void multiplyLeadingRows(float[] x, int tokens, float[] out, int rowLimit, ComputePool pool) {
        if (rowLimit < 1 || rowLimit > rows) {
            throw new IllegalArgumentException("row limit " + rowLimit + " outside 1.." + rows);
        }
        if (x.length < tokens * cols || out.length < tokens * rows) {
            throw new IllegalArgumentException("x or out too short for " + tokens + " tokens of " + rows + "x" + cols);
        }
        multiplyParallel(x, tokens, out, (rowLimit + GROUP - 1) / GROUP, pool);
    }

    @Override
    public String kernelKind() {
        return getClass().getSimpleName();
    }

    /** The kernel path a multiply of {@code tokens} rows takes: 0 one token, 1 few, 2 the panel, 3 packed. */
    static int path(int tokens) {
        return tokens == 1 ? 0 : tokens < PANEL_MIN_TOKENS ? 1 : tokens < PACKED_MIN_TOKENS ? 2 : 3;
    }

    /**
     * Token counts whose multiplies together take every kernel path with each of its tile sizes:
     * one token; a few (tiles of 4, 2 and 1); the panel (tiles of 4, 2 and 1 where it reaches that
     * many tokens); packed with a full and a partial last tile (the half tile, the zero padding).
     */
    static int[] pathTokenCounts() {
        int few = Math.min(7, Math.min(PANEL_MIN_TOKENS, PACKED_MIN_TOKENS) - 1);
        int packed = TILE_TOKENS + 1;
        if (PANEL_MIN_TOKENS >= PACKED_MIN_TOKENS) {
            return new int[] {1, few, packed};
        }
        int panel = PACKED_MIN_TOKENS - 1;
        while (panel % 4 != 3 && panel > PANEL_MIN_TOKENS) {
            panel--;
        }
        return new int[] {1, few, panel, packed};
    }

    /** Multiplies that took kernel path {@code path} (see {@link #path}) since this matrix was made. */
    final long pathRuns(int path) {
        return pathRuns[path];
    }

    /** Row groups [0, groupLimit) of {@code out = x @ W.T}, on the pool's threads. */
    private void multiplyParallel(float[] x, int tokens, float[] out, int groupLimit, ComputePool pool) {
        pathRuns[path(tokens)]++;
        if (tokens >= PACKED_MIN_TOKENS) {
            for (int t0 = 0; t0 < tokens; t0 += packTokens()) {
                multiplyPacked(x, t0, Math.min(packTokens(), tokens - t0), out, groupLimit, pool);
            }
            return;
        }
        pool.forClaims(
                groupLimit,
                MIN_CLAIM_GROUPS,
                (long) GROUP * cols * tokens,
                (from, to) -> multiplyGroups(x, tokens, out, from, to));
    }

    /**
     * The fewest row groups in a claim: every claim starts a new stream of weights through the
     * memory prefetchers and costs a contended atomic.
     */
    static final int MIN_CLAIM_GROUPS = 16;

    /**
     * Groups [from, to) of {@code out = x @ W.T} for at most one vector of tokens; runs on one
     * thread. One token: the format's fused decode-and-dot {@link #group1} streams the weights
     * once; a few tokens: {@link #smallBatch}; up to one vector of tokens: each group is decoded
     * into a float panel and register tiles of 4 rows x 4 tokens run over it (dot products along
     * the input dimension; below a full vector of tokens they beat the packed tile, whose lanes
     * are tokens).
     */
    final void multiplyGroups(float[] x, int tokens, float[] out, int from, int to) {
        if (tokens == 1) {
            oneToken(x, 0, out, 0, from, to);
            return;
        }
        if (tokens < PANEL_MIN_TOKENS) {
            smallBatch(x, tokens, out, from, to);
            return;
        }
        float[] panel = PANEL.atLeast(GROUP * cols);
        for (int g = from; g < to; g++) {
            decodeGroup(g, panel, 0, cols);
            panelTiles(panel, x, 0, tokens, out, g);
        }
    }

    /**
     * Token rows [t0, t0 + n), row groups [0, groupLimit), through the packed path. The activations are first packed into
     * tiles of {@link #TILE_TOKENS} token rows, transposed (for each input column the tile's
     * tokens are adjacent, zero-padded), shared by all threads. Threads then claim blocks of
     * {@link #TILE_ROWS} output rows; each block is decoded once into a float panel (the format's
     * {@link #decodeGroup}) and the {@link #tile} micro-kernel runs it against every token tile.
     */
    private void multiplyPacked(float[] x, int t0, int n, float[] out, int groupLimit, ComputePool pool) {
        int tiles = (n + TILE_TOKENS - 1) / TILE_TOKENS;
        float[] xt = PACKED.atLeast(tiles * TILE_TOKENS * cols);
        pool.forRange(tiles, (long) TILE_TOKENS * cols / 8, (from, to) -> {
            for (int j = from; j < to; j++) {
                pack(x, t0, n, xt, j);
            }
        });
        int blocks = (groupLimit + TILE_GROUPS - 1) / TILE_GROUPS;
        int claims = (blocks + CLAIM_BLOCKS - 1) / CLAIM_BLOCKS;
        int parts = Math.min(pool.threads(), claims);
        AtomicInteger next = new AtomicInteger();
        pool.forRange(parts, (long) TILE_ROWS * cols * n * blocks / parts, (from, to) -> {
            float[] panel = PANEL.atLeast(CLAIM_BLOCKS * TILE_ROWS * (cols + PANEL_PAD));
            float[] acc = accumulators();
            for (int c = next.getAndIncrement(); c < claims; c = next.getAndIncrement()) {
                packedBlocks(c * CLAIM_BLOCKS, Math.min(blocks, (c + 1) * CLAIM_BLOCKS), xt, t0, n, out, panel, acc);
            }
        });
    }

    /**
     * Row blocks [b0, b1) (groups from {@code TILE_GROUPS * b0}) against every token tile. The
     * blocks are decoded once into the panel; then, per token tile, the input dimension is taken
     * {@link #K_BLOCK} columns at a time and each column block runs over all the claimed row
     * blocks, so the tile's slice of packed activations stays in L1 while the row blocks' panel
     * slices come from L2. Partial sums wait in {@code acc} between column blocks.
     */
    private void packedBlocks(int b0, int b1, float[] xt, int t0, int n, float[] out, float[] panel, float[] acc) {
        // Padded rows: a stride that is a multiple of 4 KB puts the 12 rows' columns in the same L1
        // sets (measured: 101 against 116 GFLOP/s for the micro-kernel alone at 2048 columns).
        int stride = cols + PANEL_PAD;
        int blockFloats = TILE_ROWS * stride;
        for (int b = b0; b < b1; b++) {
            for (int k = 0; k < TILE_GROUPS; k++) {
                int g = b * TILE_GROUPS + k;
                int off = (b - b0) * blockFloats + k * GROUP * stride;
                if (g < groups) {
                    decodeGroup(g, panel, off, stride);
                } else {
                    Arrays.fill(panel, off, off + GROUP * stride, 0f);
                }
            }
        }
        for (int j = 0; j * TILE_TOKENS < n; j++) {
            int nt = Math.min(TILE_TOKENS, n - j * TILE_TOKENS);
            int xo = j * TILE_TOKENS * cols;
            for (int c0 = 0; c0 < cols; c0 += K_BLOCK) {
                int c1 = Math.min(cols, c0 + K_BLOCK);
                for (int b = b0; b < b1; b++) {
                    int ao = (b - b0) * TILE_ROWS * TILE_TOKENS;
                    if (nt > L) {
                        tile(panel, (b - b0) * blockFloats, stride, c0, c1, xt, xo, acc, ao);
                    } else {
                        halfTile(panel, (b - b0) * blockFloats, stride, c0, c1, xt, xo, acc, ao);
                    }
                }
            }
            // The accumulators hold rows x tokens; out is tokens x rows.
            for (int b = b0; b < b1; b++) {
                int r0 = b * TILE_ROWS;
                int nr = Math.min(TILE_ROWS, rows - r0);
                int ao = (b - b0) * TILE_ROWS * TILE_TOKENS;
                for (int t = 0; t < nt; t++) {
                    int o = (t0 + j * TILE_TOKENS + t) * rows + r0;
                    for (int r = 0; r < nr; r++) {
                        out[o + r] = acc[ao + r * TILE_TOKENS + t];
                    }
                }
            }
        }
    }

    /** Token tile j of rows [t0, t0 + n) of x, transposed: {@code xt[j * TILE_TOKENS * cols + c * TILE_TOKENS + t]}. */
    private void pack(float[] x, int t0, int n, float[] xt, int j) {
        int first = t0 + j * TILE_TOKENS;
        int nt = Math.min(TILE_TOKENS, t0 + n - first);
        int base = j * TILE_TOKENS * cols;
        // Row by row: sequential reads, and the tile's writes (stride TILE_TOKENS) stay in L2.
        for (int t = 0; t < nt; t++) {
            int xi = (first + t) * cols;
            for (int c = 0, o = base + t; c < cols; c++, o += TILE_TOKENS) {
                xt[o] = x[xi + c];
            }
        }
        for (int t = nt; t < TILE_TOKENS; t++) {
            for (int c = 0, o = base + t; c < cols; c++, o += TILE_TOKENS) {
                xt[o] = 0f;
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
                oneToken(x, t2 * cols, out, t2 * rows, g0, g1);
            }
        }
    }

    /** Below this many tokens the format's small tiles run; from it on, the decoded panel. */
    static final int PANEL_MIN_TOKENS = 8;

    /** From this many tokens on (more than one vector of them), the packed path runs. */
    static final int PACKED_MIN_TOKENS = L + 1;

    /** Row groups whose weights are reused across token tiles before moving on (~32-128 KB of weights). */
    static final int CHUNK_GROUPS = 8;

    /** Group g times two token rows from x[xOff] (results at o and o + rows); by default via the panel. */
    void group2(int g, float[] x, int xOff, float[] out, int o) {
        float[] panel = PANEL.atLeast(GROUP * cols);
        decodeGroup(g, panel, 0, cols);
        kern2(panel, x, xOff, out, o, g);
    }

    /** Group g times four token rows from x[xOff] (results at o + k rows); by default via the panel. */
    void group4(int g, float[] x, int xOff, float[] out, int o) {
        float[] panel = PANEL.atLeast(GROUP * cols);
        decodeGroup(g, panel, 0, cols);
        kern4(panel, x, xOff, out, o, g);
    }

    /** Floats of packed activations per pass (4 MB): bounds the buffer; a row block is decoded once per pass. */
    static final int PACK_FLOATS = 1 << 20;

    /** Token rows per pass of the packed path: a multiple of the tile, at least one tile. */
    private int packTokens() {
        return Math.max(TILE_TOKENS, PACK_FLOATS / cols / TILE_TOKENS * TILE_TOKENS);
    }

    /** Token rows per packed activation tile: two vectors, the width of the register tile. */
    static final int TILE_TOKENS = 2 * L;

    /** Row groups per register tile of the packed path (12 rows x 2 vectors: 24 accumulators of 32 registers). */
    static final int TILE_GROUPS = 3;

    static final int TILE_ROWS = TILE_GROUPS * GROUP;

    /** Row blocks a thread claims at a time in the packed path. */
    static final int CLAIM_BLOCKS = 4;

    /** The calling thread's packed-activation buffer (read by the pool's threads during one multiply). */
    private static final ThreadScratch.Floats PACKED = new ThreadScratch.Floats();

    /** Input columns per cache block of the packed path: a tile's slice of packed activations is 32 KB at 512-bit. */
    static final int K_BLOCK = 256;

    /** Floats added to each panel row of the packed path (one cache line), see {@link #packedBlocks}. */
    static final int PANEL_PAD = 16;

    private static final ThreadLocal<float[]> ACC =
            ThreadLocal.withInitial(() -> new float[CLAIM_BLOCKS * TILE_ROWS * TILE_TOKENS]);

    private static float[] accumulators() {
        return ACC.get();
    }

    private static final ThreadScratch.Floats PANEL = new ThreadScratch.Floats();

    /**
     * Groups [from, to) times one token row x[xOff ..] through {@link #group1}; a format whose
     * kernel needs terms of the token alone (computed once for many groups) overrides this.
     */
    void oneToken(float[] x, int xOff, float[] out, int o, int from, int to) {
        for (int g = from; g < to; g++) {
            group1(g, x, xOff, out, o);
        }
    }

    /**
     * Rows 4g..4g+3 times one token row x[xOff ..]; results to out[o + r] for rows r < rows.
     */
    abstract void group1(int g, float[] x, int xOff, float[] out, int o);

    /**
     * Writes rows 4g..4g+3, dequantized (scales applied), to {@code panel[off + k * stride + c]} for
     * k < 4; rows past the end are zeros.
     */
    abstract void decodeGroup(int g, float[] panel, int off, int stride);

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

    /**
     * The micro-kernel: 12 panel rows (from {@code p[po]}, row stride {@code stride}) times one packed
     * token tile (two vectors of tokens) over input columns [c0, c1): 24 accumulators; per column,
     * two activation loads and 12 weight broadcasts feed 24 FMAs. Adds to (from column 0: sets)
     * {@code acc[ao + r * TILE_TOKENS + t]}.
     */
    private static void tile(float[] p, int po, int stride, int c0, int c1, float[] xt, int xo, float[] acc, int ao) {
        FloatVector c0a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao);
        FloatVector c0b = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + L);
        FloatVector c1a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 1 * TILE_TOKENS);
        FloatVector c1b = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 1 * TILE_TOKENS + L);
        FloatVector c2a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 2 * TILE_TOKENS);
        FloatVector c2b = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 2 * TILE_TOKENS + L);
        FloatVector c3a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 3 * TILE_TOKENS);
        FloatVector c3b = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 3 * TILE_TOKENS + L);
        FloatVector c4a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 4 * TILE_TOKENS);
        FloatVector c4b = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 4 * TILE_TOKENS + L);
        FloatVector c5a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 5 * TILE_TOKENS);
        FloatVector c5b = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 5 * TILE_TOKENS + L);
        FloatVector c6a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 6 * TILE_TOKENS);
        FloatVector c6b = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 6 * TILE_TOKENS + L);
        FloatVector c7a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 7 * TILE_TOKENS);
        FloatVector c7b = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 7 * TILE_TOKENS + L);
        FloatVector c8a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 8 * TILE_TOKENS);
        FloatVector c8b = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 8 * TILE_TOKENS + L);
        FloatVector c9a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 9 * TILE_TOKENS);
        FloatVector c9b = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 9 * TILE_TOKENS + L);
        FloatVector c10a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 10 * TILE_TOKENS);
        FloatVector c10b = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 10 * TILE_TOKENS + L);
        FloatVector c11a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 11 * TILE_TOKENS);
        FloatVector c11b = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 11 * TILE_TOKENS + L);
        int p0 = po;
        int p1 = po + 1 * stride;
        int p2 = po + 2 * stride;
        int p3 = po + 3 * stride;
        int p4 = po + 4 * stride;
        int p5 = po + 5 * stride;
        int p6 = po + 6 * stride;
        int p7 = po + 7 * stride;
        int p8 = po + 8 * stride;
        int p9 = po + 9 * stride;
        int p10 = po + 10 * stride;
        int p11 = po + 11 * stride;
        for (int c = c0, xi = xo + c0 * TILE_TOKENS; c < c1; c++, xi += TILE_TOKENS) {
            FloatVector xa = FloatVector.fromArray(F, xt, xi);
            FloatVector xb = FloatVector.fromArray(F, xt, xi + L);
            FloatVector w;
            w = FloatVector.broadcast(F, p[p0 + c]);
            c0a = w.fma(xa, c0a);
            c0b = w.fma(xb, c0b);
            w = FloatVector.broadcast(F, p[p1 + c]);
            c1a = w.fma(xa, c1a);
            c1b = w.fma(xb, c1b);
            w = FloatVector.broadcast(F, p[p2 + c]);
            c2a = w.fma(xa, c2a);
            c2b = w.fma(xb, c2b);
            w = FloatVector.broadcast(F, p[p3 + c]);
            c3a = w.fma(xa, c3a);
            c3b = w.fma(xb, c3b);
            w = FloatVector.broadcast(F, p[p4 + c]);
            c4a = w.fma(xa, c4a);
            c4b = w.fma(xb, c4b);
            w = FloatVector.broadcast(F, p[p5 + c]);
            c5a = w.fma(xa, c5a);
            c5b = w.fma(xb, c5b);
            w = FloatVector.broadcast(F, p[p6 + c]);
            c6a = w.fma(xa, c6a);
            c6b = w.fma(xb, c6b);
            w = FloatVector.broadcast(F, p[p7 + c]);
            c7a = w.fma(xa, c7a);
            c7b = w.fma(xb, c7b);
            w = FloatVector.broadcast(F, p[p8 + c]);
            c8a = w.fma(xa, c8a);
            c8b = w.fma(xb, c8b);
            w = FloatVector.broadcast(F, p[p9 + c]);
            c9a = w.fma(xa, c9a);
            c9b = w.fma(xb, c9b);
            w = FloatVector.broadcast(F, p[p10 + c]);
            c10a = w.fma(xa, c10a);
            c10b = w.fma(xb, c10b);
            w = FloatVector.broadcast(F, p[p11 + c]);
            c11a = w.fma(xa, c11a);
            c11b = w.fma(xb, c11b);
        }
        c0a.intoArray(acc, ao);
        c0b.intoArray(acc, ao + L);
        c1a.intoArray(acc, ao + 1 * TILE_TOKENS);
        c1b.intoArray(acc, ao + 1 * TILE_TOKENS + L);
        c2a.intoArray(acc, ao + 2 * TILE_TOKENS);
        c2b.intoArray(acc, ao + 2 * TILE_TOKENS + L);
        c3a.intoArray(acc, ao + 3 * TILE_TOKENS);
        c3b.intoArray(acc, ao + 3 * TILE_TOKENS + L);
        c4a.intoArray(acc, ao + 4 * TILE_TOKENS);
        c4b.intoArray(acc, ao + 4 * TILE_TOKENS + L);
        c5a.intoArray(acc, ao + 5 * TILE_TOKENS);
        c5b.intoArray(acc, ao + 5 * TILE_TOKENS + L);
        c6a.intoArray(acc, ao + 6 * TILE_TOKENS);
        c6b.intoArray(acc, ao + 6 * TILE_TOKENS + L);
        c7a.intoArray(acc, ao + 7 * TILE_TOKENS);
        c7b.intoArray(acc, ao + 7 * TILE_TOKENS + L);
        c8a.intoArray(acc, ao + 8 * TILE_TOKENS);
        c8b.intoArray(acc, ao + 8 * TILE_TOKENS + L);
        c9a.intoArray(acc, ao + 9 * TILE_TOKENS);
        c9b.intoArray(acc, ao + 9 * TILE_TOKENS + L);
        c10a.intoArray(acc, ao + 10 * TILE_TOKENS);
        c10b.intoArray(acc, ao + 10 * TILE_TOKENS + L);
        c11a.intoArray(acc, ao + 11 * TILE_TOKENS);
        c11b.intoArray(acc, ao + 11 * TILE_TOKENS + L);
    }

    /** {@link #tile} for a last tile of at most one vector of tokens (12 accumulators). */
    private static void halfTile(
            float[] p, int po, int stride, int c0, int c1, float[] xt, int xo, float[] acc, int ao) {
        FloatVector c0a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao);
        FloatVector c1a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 1 * TILE_TOKENS);
        FloatVector c2a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 2 * TILE_TOKENS);
        FloatVector c3a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 3 * TILE_TOKENS);
        FloatVector c4a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 4 * TILE_TOKENS);
        FloatVector c5a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 5 * TILE_TOKENS);
        FloatVector c6a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 6 * TILE_TOKENS);
        FloatVector c7a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 7 * TILE_TOKENS);
        FloatVector c8a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 8 * TILE_TOKENS);
        FloatVector c9a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 9 * TILE_TOKENS);
        FloatVector c10a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 10 * TILE_TOKENS);
        FloatVector c11a = c0 == 0 ? FloatVector.zero(F) : FloatVector.fromArray(F, acc, ao + 11 * TILE_TOKENS);
        int p0 = po;
        int p1 = po + 1 * stride;
        int p2 = po + 2 * stride;
        int p3 = po + 3 * stride;
        int p4 = po + 4 * stride;
        int p5 = po + 5 * stride;
        int p6 = po + 6 * stride;
        int p7 = po + 7 * stride;
        int p8 = po + 8 * stride;
        int p9 = po + 9 * stride;
        int p10 = po + 10 * stride;
        int p11 = po + 11 * stride;
        for (int c = c0, xi = xo + c0 * TILE_TOKENS; c < c1; c++, xi += TILE_TOKENS) {
            FloatVector xa = FloatVector.fromArray(F, xt, xi);
            FloatVector w;
            w = FloatVector.broadcast(F, p[p0 + c]);
            c0a = w.fma(xa, c0a);
            w = FloatVector.broadcast(F, p[p1 + c]);
            c1a = w.fma(xa, c1a);
            w = FloatVector.broadcast(F, p[p2 + c]);
            c2a = w.fma(xa, c2a);
            w = FloatVector.broadcast(F, p[p3 + c]);
            c3a = w.fma(xa, c3a);
            w = FloatVector.broadcast(F, p[p4 + c]);
            c4a = w.fma(xa, c4a);
            w = FloatVector.broadcast(F, p[p5 + c]);
            c5a = w.fma(xa, c5a);
            w = FloatVector.broadcast(F, p[p6 + c]);
            c6a = w.fma(xa, c6a);
            w = FloatVector.broadcast(F, p[p7 + c]);
            c7a = w.fma(xa, c7a);
            w = FloatVector.broadcast(F, p[p8 + c]);
            c8a = w.fma(xa, c8a);
            w = FloatVector.broadcast(F, p[p9 + c]);
            c9a = w.fma(xa, c9a);
            w = FloatVector.broadcast(F, p[p10 + c]);
            c10a = w.fma(xa, c10a);
            w = FloatVector.broadcast(F, p[p11 + c]);
            c11a = w.fma(xa, c11a);
        }
        c0a.intoArray(acc, ao);
        c1a.intoArray(acc, ao + 1 * TILE_TOKENS);
        c2a.intoArray(acc, ao + 2 * TILE_TOKENS);
        c3a.intoArray(acc, ao + 3 * TILE_TOKENS);
        c4a.intoArray(acc, ao + 4 * TILE_TOKENS);
        c5a.intoArray(acc, ao + 5 * TILE_TOKENS);
        c6a.intoArray(acc, ao + 6 * TILE_TOKENS);
        c7a.intoArray(acc, ao + 7 * TILE_TOKENS);
        c8a.intoArray(acc, ao + 8 * TILE_TOKENS);
        c9a.intoArray(acc, ao + 9 * TILE_TOKENS);
        c10a.intoArray(acc, ao + 10 * TILE_TOKENS);
        c11a.intoArray(acc, ao + 11 * TILE_TOKENS);
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
        put(out, o, g, rows, s0, s1, s2, s3);
    }

    /** {@link #put} for a static kernel of a matrix of {@code rows} rows. */
    static void put(float[] out, int o, int g, int rows, float s0, float s1, float s2, float s3) {
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
