package io.llamastream.engine.weights;

import io.llamastream.engine.checkpoint.gguf.BlockDecoder;
import io.llamastream.engine.math.Fp16;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * 8-bit block weights: each row is split into blocks of 32 along the input dimension, each
 * block stored as 32 signed bytes {@code q} and one float32 scale {@code d} with
 * {@code w = d * q}, {@code d = max|w| / 127} (GGUF Q8_0 with an f32 scale). Rows are stored in
 * groups of four with their blocks interleaved (block b of rows 4g..4g+3 are 128 consecutive
 * bytes), so a four-row kernel reads one contiguous stream; scales are interleaved the same way
 * in their own float array. The kernels widen bytes to floats in registers and multiply-add them
 * against float activations (int8 activations with integer dot products measured no faster
 * with the Vector API's widening multiplies, and change numerics).
 *
 * <p>The K-quant repacks ({@link #forQ6_K}, {@link #forQ5_K}: GGUF Q6_K and Q5_K widened to int8
 * at load) use the same layout with finer terms: Q6_K has one scale per half-block of 16
 * ({@code w = d * q}, ggml's {@code d * sc}), Q5_K unsigned values with a min term per block
 * ({@code w = d * q + bias}, {@link MinTerms}). Q6_K's one-token kernel applies a scale per
 * half-block; Q5_K's is Q8_0's, with the min terms added for a claim's rows after its groups. More
 * tokens go through the decoded panel.
 */
public final class Q8Matrix extends RowKernelMatrix {
    private static final int BLOCK = WeightFormat.BLOCK;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    /** One block's 32 int8 values as one 256-bit vector (a copy in one load and one store). */
    private static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;
    /** Bytes of one GGUF Q8_0 block: an fp16 scale and 32 int8 values. */
    static final int Q8_0_BYTES = 2 + BLOCK;

    /** Half a block: the span of one Q6_K scale. */
    private static final int HALF = BLOCK / 2;

    /** Bytes of one GGUF Q6_K super-block: 128 of low nibbles, 64 of high bit pairs, 16 int8 scales, fp16 d. */
    private static final int Q6_K_BYTES = 210;
    /** Bytes of one GGUF Q5_K super-block: fp16 d and dmin, 12 bytes of scales and mins, 32 of fifth bits, 128 of nibbles. */
    private static final int Q5_K_BYTES = 176;

    private final byte[] q;
    /** Per block, or per half-block when {@code halves == 2}; in slot order. */
    private final float[] scale;
    /** Q5_K's min terms ({@code w = d * q + bias}), or null. */
    private final MinTerms mins;
    /** Scales per block: 1, or 2 (one per half-block of 16, Q6_K). */
    private final int halves;

    private final int blocksPerRow;

    public Q8Matrix(int rows, int cols) {
        this(rows, cols, 1, false);
    }

    private Q8Matrix(int rows, int cols, int halves, boolean mins) {
        super(rows, cols);
        checkBlocks(cols);
        if (halves == 2 && HALF % L != 0) {
            throw new IllegalStateException("float vectors of " + L + " lanes do not divide a half-block");
        }
        this.q = new byte[Math.multiplyExact(groups * GROUP, cols)];
        this.blocksPerRow = cols / BLOCK;
        this.halves = halves;
        this.scale = new float[groups * GROUP * blocksPerRow * halves];
        this.mins = mins ? new MinTerms(rows, blocksPerRow, "Q5_K") : null;
    }

    /** An empty matrix with one scale per half-block, for {@link #setRowsQ6_K}. */
    public static Q8Matrix forQ6_K(int rows, int cols) {
        return new Q8Matrix(rows, cols, 2, false);
    }

    /** An empty matrix with per-block additive terms, for {@link #setRowsQ5_K}. */
    public static Q8Matrix forQ5_K(int rows, int cols) {
        return new Q8Matrix(rows, cols, 1, true);
    }

    @Override
    public String kernelKind() {
        return halves == 2 ? "Q8Matrix (Q6_K half-block scales)" : mins != null ? "Q8Matrix (Q5_K mins)" : "Q8Matrix";
    }

    /** Whether this holds a K-quant repack (half-block scales or additive terms). */
    private boolean kquant() {
        return halves == 2 || mins != null;
    }

    public static Q8Matrix quantize(float[] w, int rows, int cols) {
        Q8Matrix m = new Q8Matrix(rows, cols);
        m.setRows(0, w, 0, rows);
        return m;
    }

    /** Quantizes {@code n} rows of float32 weights from {@code src[srcOff]} into rows firstRow.. . */
    public void setRows(int firstRow, float[] src, int srcOff, int n) {
        for (int i = 0; i < n; i++) {
            int r = firstRow + i;
            for (int b = 0; b < blocksPerRow; b++) {
                int s = srcOff + i * cols + b * BLOCK;
                float amax = 0;
                for (int k = 0; k < BLOCK; k++) {
                    amax = Math.max(amax, Math.abs(src[s + k]));
                }
                float d = amax / 127f;
                float inv = d == 0 ? 0 : 1f / d;
                int slot = slot(r, b);
                int qo = slot * BLOCK;
                for (int k = 0; k < BLOCK; k++) {
                    q[qo + k] = (byte) Math.max(-127, Math.min(127, Math.round(src[s + k] * inv)));
                }
                scale[slot] = d;
            }
        }
    }

    /**
     * Quantizes {@code n} rows of bfloat16 weights ({@code src[srcOff..]}, row-major) into rows
     * firstRow.. straight from the bf16 bits with vector code, with no float32 copy: the same
     * bytes and scales as {@link #setRows} of the widened floats (the rounding is Math.round's,
     * half up, done exactly in lanes).
     */
    public void setRowsBf16(int firstRow, short[] src, int srcOff, int n) {
        for (int i = 0; i < n; i++) {
            int r = firstRow + i;
            for (int b = 0; b < blocksPerRow; b++) {
                setBlockBf16(r, b, src, srcOff + i * cols + b * BLOCK);
            }
        }
    }

    /** Quantizes row r's block b from the 32 bfloat16 values at {@code src[s..]}, as {@link #setRowsBf16} does. */
    public void setBlockBf16(int r, int b, short[] src, int s) {
        float d = BlockQuant.bf16AbsMax(src, s, BLOCK) / 127f;
        float inv = d == 0 ? 0 : 1f / d;
        int slot = slot(r, b);
        int qo = slot * BLOCK;
        for (int j = 0; j < BLOCK; j += L) {
            IntVector v = BlockQuant.round(BlockQuant.bf16(src, s + j).mul(inv))
                    .max(-127)
                    .min(127);
            ((ByteVector) v.convertShape(VectorOperators.I2B, B, 0)).intoArray(q, qo + j);
        }
        scale[slot] = d;
    }

    /**
     * Quantizes every row from the input-major bf16 tensor slice {@code src}: row r's value c is
     * {@code src[off + c * stride + r]} (a stacked expert tensor, stored {@code [in, out]}). The
     * same bytes and scales as {@link #setBlockBf16} of each transposed row, without transposing
     * the bf16 values: one 32 x 32 tile at a time, the abs-max, scale and rounding run across the
     * tile's 32 rows at once (a lane per row, over the 32 input values), and only the int8 result is
     * transposed, in 8 x 8 byte squares. Needs a multiple of 32 rows.
     */
    public void setTransposedBf16(short[] src, int off, int stride) {
        for (int b = 0; b < blocksPerRow; b++) {
            setBlockTransposedBf16(b, src, off + b * BLOCK * stride, stride);
        }
    }

    /**
     * Block b of every row from 32 input-major bf16 rows: row r's value {@code b * 32 + i} is
     * {@code src[off + i * stride + r]} (i < 32), so a loader can read one band of 32 input rows
     * at a time. Same result as {@link #setTransposedBf16} for that block.
     */
    public void setBlockTransposedBf16(int b, short[] src, int off, int stride) {
        if (rows % BLOCK != 0) {
            throw new IllegalArgumentException("rows " + rows + " are not a multiple of " + BLOCK);
        }
        byte[] tile = new byte[BLOCK * BLOCK];
        float[] d = new float[BLOCK];
        int[] at = new int[BLOCK];
        for (int r0 = 0; r0 < rows; r0 += BLOCK) {
            for (int h = 0; h < BLOCK; h += L) {
                int s = off + r0 + h;
                FloatVector m = BlockQuant.bf16(src, s).abs();
                for (int i = 1; i < BLOCK; i++) {
                    m = m.max(BlockQuant.bf16(src, s + i * stride).abs());
                }
                FloatVector dv = m.div(127f);
                FloatVector inv = BlockQuant.inverse(dv);
                dv.intoArray(d, h);
                for (int i = 0; i < BLOCK; i++) {
                    IntVector v = BlockQuant.round(
                                    BlockQuant.bf16(src, s + i * stride).mul(inv))
                            .max(-127)
                            .min(127);
                    ((ByteVector) v.convertShape(VectorOperators.I2B, B, 0)).intoArray(tile, i * BLOCK + h);
                }
            }
            for (int j = 0; j < BLOCK; j++) {
                int slot = slot(r0 + j, b);
                scale[slot] = d[j];
                at[j] = slot * BLOCK;
            }
            for (int i0 = 0; i0 < BLOCK; i0 += 8) {
                for (int j0 = 0; j0 < BLOCK; j0 += 8) {
                    BlockQuant.transpose8x8(tile, i0 * BLOCK + j0, BLOCK, q, at, j0, i0);
                }
            }
        }
    }

    /**
     * Copies {@code n} rows of GGUF Q8_0 blocks (34 bytes each: fp16 scale, 32 int8) from
     * {@code raw[off..]} into rows firstRow..: the int8s exactly, the scale widened to float32.
     */
    public void setRowsQ8_0(int firstRow, byte[] raw, int off, int n) {
        int rowBytes = blocksPerRow * Q8_0_BYTES;
        for (int i = 0; i < n; i++) {
            int r = firstRow + i;
            int o = off + i * rowBytes;
            // Row r's block b sits at slot (group * blocksPerRow + b) * GROUP + r % GROUP: step GROUP slots per block.
            int slot = slot(r, 0);
            for (int b = 0; b < blocksPerRow; b++, o += Q8_0_BYTES, slot += GROUP) {
                ByteVector.fromArray(B32, raw, o + 2).intoArray(q, slot * BLOCK);
                scale[slot] = Fp16.toFloat((short) ((raw[o] & 0xFF) | (raw[o + 1] << 8)));
            }
        }
    }

    /**
     * Repacks {@code n} rows of GGUF Q6_K super-blocks from {@code raw[off..]} into rows
     * firstRow.. of a matrix made by {@link #forQ6_K}: values {@code q - 32} as int8 (6 bits
     * from a low nibble and a high bit pair), one scale {@code d * sc} per 16 (exact in float32,
     * as ggml computes it).
     */
    public void setRowsQ6_K(int firstRow, byte[] raw, int off, int n) {
        if (halves != 2) {
            throw new IllegalStateException("a Q6_K repack needs a matrix made by forQ6_K");
        }
        int supers = blocksPerRow / 8;
        for (int i = 0; i < n; i++) {
            int r = firstRow + i;
            for (int sb = 0; sb < supers; sb++) {
                int o = off + (i * supers + sb) * Q6_K_BYTES;
                float d = BlockDecoder.f16(raw, o + 208);
                for (int u = 0; u < 8; u++) {
                    // Block u of 32: half n = u / 4 of the super-block, values of its k = u % 4th quarter.
                    int half = u / 4;
                    int k = u % 4;
                    int ql = o + 64 * half + 32 * (k % 2);
                    int qh = o + 128 + 32 * half;
                    int slot = slot(r, sb * 8 + u);
                    for (int l = 0; l < BLOCK; l += 8) {
                        long lo = Swar.get(raw, ql + l) >>> (k < 2 ? 0 : 4) & Swar.LOW_NIBBLES;
                        long hi = (Swar.get(raw, qh + l) >>> 2 * k & Swar.BYTES_OF_3) << 4;
                        Swar.set(q, slot * BLOCK + l, Swar.minus32(lo | hi));
                    }
                    scale[2 * slot] = d * raw[o + 192 + 2 * u];
                    scale[2 * slot + 1] = d * raw[o + 192 + 2 * u + 1];
                }
            }
        }
    }

    /**
     * Repacks {@code n} rows of GGUF Q5_K super-blocks from {@code raw[off..]} into rows
     * firstRow.. of a matrix made by {@link #forQ5_K}: unsigned 5-bit values as int8, scale
     * {@code d * sc} (exact, as ggml's) and min {@code m} per block of 32 under the super-block's
     * {@code dmin}.
     */
    public void setRowsQ5_K(int firstRow, byte[] raw, int off, int n) {
        if (mins == null) {
            throw new IllegalStateException("a Q5_K repack needs a matrix made by forQ5_K");
        }
        int supers = blocksPerRow / 8;
        for (int i = 0; i < n; i++) {
            int r = firstRow + i;
            for (int sb = 0; sb < supers; sb++) {
                int o = off + (i * supers + sb) * Q5_K_BYTES;
                float d = BlockDecoder.f16(raw, o);
                mins.setSuper(r, sb, BlockDecoder.f16(raw, o + 2));
                for (int u = 0; u < 8; u++) {
                    int qs = o + 48 + 32 * (u / 2);
                    int slot = slot(r, sb * 8 + u);
                    for (int l = 0; l < BLOCK; l += 8) {
                        long v = Swar.get(raw, qs + l) >>> 4 * (u % 2) & Swar.LOW_NIBBLES;
                        long h = (Swar.get(raw, o + 16 + l) >>> u & Swar.BYTES_OF_1) << 4;
                        Swar.set(q, slot * BLOCK + l, v | h);
                    }
                    scale[slot] = d * BlockDecoder.scaleK4(raw, o + 4, u);
                    mins.set(r, sb * 8 + u, BlockDecoder.minK4(raw, o + 4, u));
                }
            }
        }
    }

    /** Stores row r's block b as given: 32 int8 values at {@code src[off..]} with scale {@code d} (GGUF Q8_0 copied exactly). */
    public void setBlock(int r, int b, float d, byte[] src, int off) {
        int slot = slot(r, b);
        System.arraycopy(src, off, q, slot * BLOCK, BLOCK);
        scale[slot] = d;
    }

    /** Index of row r's block b among all blocks (and its scale), in the interleaved order. */
    private int slot(int r, int b) {
        return ((r / GROUP) * blocksPerRow + b) * GROUP + r % GROUP;
    }

    public float get(int r, int c) {
        int slot = slot(r, c / BLOCK);
        int s = slot * halves + (halves == 2 ? c % BLOCK / HALF : 0);
        float w = scale[s] * q[slot * BLOCK + c % BLOCK];
        return mins == null ? w : w + mins.bias(r, c / BLOCK);
    }

    @Override
    public long bytes() {
        return q.length + (long) scale.length * Float.BYTES + (mins == null ? 0 : mins.bytes());
    }

    private static FloatVector load(byte[] q, int off) {
        return (FloatVector) ByteVector.fromArray(B, q, off).convertShape(VectorOperators.B2F, F, 0);
    }

    /**
     * The one-token kernel. Every form is static over the matrix's arrays, as {@link Q4Matrix}'s
     * is and for the same reason: in an in-process A/B against the instance methods, the static
     * Q8_0 kernel took 4-6% less time and the Q6_K form the same.
     */
    @Override
    void group1(int g, float[] x, int xOff, float[] out, int o) {
        if (mins != null) {
            oneToken(x, xOff, out, o, g, g + 1);
        } else if (halves == 2) {
            group1Q6_K(q, scale, blocksPerRow, rows, g, x, xOff, out, o);
        } else {
            group1(q, scale, blocksPerRow, rows, g, x, xOff, out, o);
        }
    }

    private static void group1(
            byte[] q, float[] scale, int blocksPerRow, int rows, int g, float[] x, int xOff, float[] out, int o) {
        int qg = g * blocksPerRow * GROUP * BLOCK;
        int sg = g * blocksPerRow * GROUP;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int b = 0; b < blocksPerRow; b++) {
            int qb = qg + b * GROUP * BLOCK;
            int xb = xOff + b * BLOCK;
            FloatVector p0 = FloatVector.zero(F);
            FloatVector p1 = FloatVector.zero(F);
            FloatVector p2 = FloatVector.zero(F);
            FloatVector p3 = FloatVector.zero(F);
            for (int j = 0; j < BLOCK; j += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xb + j);
                p0 = load(q, qb + j).fma(xv, p0);
                p1 = load(q, qb + BLOCK + j).fma(xv, p1);
                p2 = load(q, qb + 2 * BLOCK + j).fma(xv, p2);
                p3 = load(q, qb + 3 * BLOCK + j).fma(xv, p3);
            }
            int s = sg + b * GROUP;
            a0 = p0.fma(FloatVector.broadcast(F, scale[s]), a0);
            a1 = p1.fma(FloatVector.broadcast(F, scale[s + 1]), a1);
            a2 = p2.fma(FloatVector.broadcast(F, scale[s + 2]), a2);
            a3 = p3.fma(FloatVector.broadcast(F, scale[s + 3]), a3);
        }
        put(
                out,
                o,
                g,
                rows,
                a0.reduceLanes(VectorOperators.ADD),
                a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD),
                a3.reduceLanes(VectorOperators.ADD));
    }

    /** Q5_K: Q8_0's kernel on each group, then the claim's min terms; the others a group at a time. */
    @Override
    void oneToken(float[] x, int xOff, float[] out, int o, int from, int to) {
        if (mins == null) {
            super.oneToken(x, xOff, out, o, from, to);
            return;
        }
        float[] sums = MinTerms.blockSums(x, xOff, blocksPerRow);
        for (int g = from; g < to; g++) {
            group1(q, scale, blocksPerRow, rows, g, x, xOff, out, o);
        }
        mins.add(from * GROUP, Math.min(to * GROUP, rows), sums, out, o);
    }

    /**
     * {@link #group1} of Q6_K's repack: per half-block, the dot of the raw values scaled by the
     * half-block's scale, with every loop bound a constant. C2 then drops the inner loops: against
     * one kernel for Q6_K and Q5_K whose inner bounds moved with the half-block, a decode step of
     * the Q4_K_M bench model ran 3.8% faster (16 of 16 slices in one JVM, docs/benchmarks.md).
     */
    private static void group1Q6_K(
            byte[] q, float[] scale, int blocksPerRow, int rows, int g, float[] x, int xOff, float[] out, int o) {
        int qg = g * blocksPerRow * GROUP * BLOCK;
        int sg = g * blocksPerRow * GROUP * 2;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int b = 0; b < blocksPerRow; b++) {
            int qb = qg + b * GROUP * BLOCK;
            int xb = xOff + b * BLOCK;
            int s = sg + b * GROUP * 2;
            for (int h = 0; h < 2; h++) {
                FloatVector p0 = FloatVector.zero(F);
                FloatVector p1 = FloatVector.zero(F);
                FloatVector p2 = FloatVector.zero(F);
                FloatVector p3 = FloatVector.zero(F);
                int hq = qb + h * HALF;
                int hx = xb + h * HALF;
                for (int j = 0; j < HALF; j += L) {
                    FloatVector xv = FloatVector.fromArray(F, x, hx + j);
                    p0 = load(q, hq + j).fma(xv, p0);
                    p1 = load(q, hq + BLOCK + j).fma(xv, p1);
                    p2 = load(q, hq + 2 * BLOCK + j).fma(xv, p2);
                    p3 = load(q, hq + 3 * BLOCK + j).fma(xv, p3);
                }
                a0 = p0.fma(FloatVector.broadcast(F, scale[s + h]), a0);
                a1 = p1.fma(FloatVector.broadcast(F, scale[s + 2 + h]), a1);
                a2 = p2.fma(FloatVector.broadcast(F, scale[s + 4 + h]), a2);
                a3 = p3.fma(FloatVector.broadcast(F, scale[s + 6 + h]), a3);
            }
        }
        put(
                out,
                o,
                g,
                rows,
                a0.reduceLanes(VectorOperators.ADD),
                a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD),
                a3.reduceLanes(VectorOperators.ADD));
    }

    /** Fused: each block's four row vectors are widened and scaled once in registers and feed 2 tokens. */
    @Override
    void group2(int g, float[] x, int xOff, float[] out, int o) {
        if (kquant()) {
            super.group2(g, x, xOff, out, o);
            return;
        }
        int qg = g * blocksPerRow * GROUP * BLOCK;
        int sg = g * blocksPerRow * GROUP;
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a21 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F);
        FloatVector a31 = FloatVector.zero(F);
        for (int b = 0; b < blocksPerRow; b++) {
            int qb = qg + b * GROUP * BLOCK;
            int xb = xOff + b * BLOCK;
            int s = sg + b * GROUP;
            FloatVector d0 = FloatVector.broadcast(F, scale[s]);
            FloatVector d1 = FloatVector.broadcast(F, scale[s + 1]);
            FloatVector d2 = FloatVector.broadcast(F, scale[s + 2]);
            FloatVector d3 = FloatVector.broadcast(F, scale[s + 3]);
            for (int j = 0; j < BLOCK; j += L) {
                FloatVector x0 = FloatVector.fromArray(F, x, xb + j);
                FloatVector x1 = FloatVector.fromArray(F, x, xb + 1 * cols + j);
                FloatVector w0 = load(q, qb + j).mul(d0);
                a00 = w0.fma(x0, a00);
                a01 = w0.fma(x1, a01);
                FloatVector w1 = load(q, qb + 1 * BLOCK + j).mul(d1);
                a10 = w1.fma(x0, a10);
                a11 = w1.fma(x1, a11);
                FloatVector w2 = load(q, qb + 2 * BLOCK + j).mul(d2);
                a20 = w2.fma(x0, a20);
                a21 = w2.fma(x1, a21);
                FloatVector w3 = load(q, qb + 3 * BLOCK + j).mul(d3);
                a30 = w3.fma(x0, a30);
                a31 = w3.fma(x1, a31);
            }
        }
        put(
                out,
                o,
                g,
                a00.reduceLanes(VectorOperators.ADD),
                a10.reduceLanes(VectorOperators.ADD),
                a20.reduceLanes(VectorOperators.ADD),
                a30.reduceLanes(VectorOperators.ADD));
        put(
                out,
                o + 1 * rows,
                g,
                a01.reduceLanes(VectorOperators.ADD),
                a11.reduceLanes(VectorOperators.ADD),
                a21.reduceLanes(VectorOperators.ADD),
                a31.reduceLanes(VectorOperators.ADD));
    }

    /** Fused: each block's four row vectors are widened and scaled once in registers and feed 4 tokens. */
    @Override
    void group4(int g, float[] x, int xOff, float[] out, int o) {
        if (kquant()) {
            super.group4(g, x, xOff, out, o);
            return;
        }
        int qg = g * blocksPerRow * GROUP * BLOCK;
        int sg = g * blocksPerRow * GROUP;
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
        for (int b = 0; b < blocksPerRow; b++) {
            int qb = qg + b * GROUP * BLOCK;
            int xb = xOff + b * BLOCK;
            int s = sg + b * GROUP;
            FloatVector d0 = FloatVector.broadcast(F, scale[s]);
            FloatVector d1 = FloatVector.broadcast(F, scale[s + 1]);
            FloatVector d2 = FloatVector.broadcast(F, scale[s + 2]);
            FloatVector d3 = FloatVector.broadcast(F, scale[s + 3]);
            for (int j = 0; j < BLOCK; j += L) {
                FloatVector x0 = FloatVector.fromArray(F, x, xb + j);
                FloatVector x1 = FloatVector.fromArray(F, x, xb + 1 * cols + j);
                FloatVector x2 = FloatVector.fromArray(F, x, xb + 2 * cols + j);
                FloatVector x3 = FloatVector.fromArray(F, x, xb + 3 * cols + j);
                FloatVector w0 = load(q, qb + j).mul(d0);
                a00 = w0.fma(x0, a00);
                a01 = w0.fma(x1, a01);
                a02 = w0.fma(x2, a02);
                a03 = w0.fma(x3, a03);
                FloatVector w1 = load(q, qb + 1 * BLOCK + j).mul(d1);
                a10 = w1.fma(x0, a10);
                a11 = w1.fma(x1, a11);
                a12 = w1.fma(x2, a12);
                a13 = w1.fma(x3, a13);
                FloatVector w2 = load(q, qb + 2 * BLOCK + j).mul(d2);
                a20 = w2.fma(x0, a20);
                a21 = w2.fma(x1, a21);
                a22 = w2.fma(x2, a22);
                a23 = w2.fma(x3, a23);
                FloatVector w3 = load(q, qb + 3 * BLOCK + j).mul(d3);
                a30 = w3.fma(x0, a30);
                a31 = w3.fma(x1, a31);
                a32 = w3.fma(x2, a32);
                a33 = w3.fma(x3, a33);
            }
        }
        put(
                out,
                o,
                g,
                a00.reduceLanes(VectorOperators.ADD),
                a10.reduceLanes(VectorOperators.ADD),
                a20.reduceLanes(VectorOperators.ADD),
                a30.reduceLanes(VectorOperators.ADD));
        put(
                out,
                o + 1 * rows,
                g,
                a01.reduceLanes(VectorOperators.ADD),
                a11.reduceLanes(VectorOperators.ADD),
                a21.reduceLanes(VectorOperators.ADD),
                a31.reduceLanes(VectorOperators.ADD));
        put(
                out,
                o + 2 * rows,
                g,
                a02.reduceLanes(VectorOperators.ADD),
                a12.reduceLanes(VectorOperators.ADD),
                a22.reduceLanes(VectorOperators.ADD),
                a32.reduceLanes(VectorOperators.ADD));
        put(
                out,
                o + 3 * rows,
                g,
                a03.reduceLanes(VectorOperators.ADD),
                a13.reduceLanes(VectorOperators.ADD),
                a23.reduceLanes(VectorOperators.ADD),
                a33.reduceLanes(VectorOperators.ADD));
    }

    @Override
    void decodeGroup(int g, float[] panel, int off, int stride) {
        int qg = g * blocksPerRow * GROUP * BLOCK;
        int sg = g * blocksPerRow * GROUP;
        for (int b = 0; b < blocksPerRow; b++) {
            int qb = qg + b * GROUP * BLOCK;
            int s = sg + b * GROUP;
            for (int k = 0; k < GROUP; k++) {
                int po = off + k * stride + b * BLOCK;
                if (!kquant()) {
                    FloatVector d = FloatVector.broadcast(F, scale[s + k]);
                    for (int j = 0; j < BLOCK; j += L) {
                        load(q, qb + k * BLOCK + j).mul(d).intoArray(panel, po + j);
                    }
                    continue;
                }
                for (int j = 0; j < BLOCK; j += L) {
                    int si = (s + k) * halves + (halves == 2 ? j / HALF : 0);
                    FloatVector d = FloatVector.broadcast(F, scale[si]);
                    FloatVector w = load(q, qb + k * BLOCK + j);
                    // d * q is exact (a 17- or 19-bit scale times a 5- or 6-bit value): one rounding, as ggml's.
                    (mins == null ? w.mul(d) : w.fma(d, FloatVector.broadcast(F, mins.bias(g * GROUP + k, b))))
                            .intoArray(panel, po + j);
                }
            }
        }
    }
}
