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
 * 4-bit block weights (GGUF Q4_0 layout with an f32 scale): each block of 32 weights along the
 * input dimension is 16 bytes, byte i holding weight i in its low nibble and weight i + 16 in
 * its high nibble, as {@code q + 8} with {@code q} in [-8, 7], and one float32 scale
 * {@code d = m / -8} where m is the block's value of largest magnitude; {@code w = d * q}.
 * Rows are stored in groups of four with their blocks interleaved (block b of rows 4g..4g+3 are
 * 64 consecutive bytes), scales likewise in their own float array. The kernels widen bytes to
 * int lanes, split nibbles there with a mask and a shift, convert to floats and multiply-add.
 *
 * <p>With mins ({@link #forQ4_K}, GGUF Q4_K repacked at load) the nibbles are unsigned and each
 * block also has a min term ({@link MinTerms}): {@code w = d * q + bias} with
 * {@code bias = -dmin * m}, exactly ggml's value. The one-token kernel takes every nibble unsigned
 * and adds the rest from the token's sum over each block: Q4_0's {@code -8 * d} times that sum
 * within the group kernel, Q4_K's min terms for a claim's rows after its groups.
 */
public final class Q4Matrix extends RowKernelMatrix {
    private static final int BLOCK = WeightFormat.BLOCK;
    private static final int HALF = BLOCK / 2;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Bytes of one GGUF Q4_0 block: an fp16 scale and 16 bytes of nibbles. */
    private static final int Q4_0_BYTES = 2 + HALF;

    /** Bytes of one GGUF Q4_K super-block: fp16 d and dmin, 12 bytes of 6-bit scales and mins, 128 of nibbles. */
    private static final int Q4_K_BYTES = 144;

    private final byte[] q;
    private final float[] scale;
    /** Q4_K's min terms; null for Q4_0 ({@code w = d * (q - 8)}). */
    private final MinTerms mins;

    private final int blocksPerRow;

    public Q4Matrix(int rows, int cols) {
        this(rows, cols, false);
    }

    private Q4Matrix(int rows, int cols, boolean mins) {
        super(rows, cols);
        checkBlocks(cols);
        this.q = new byte[Math.multiplyExact(groups * GROUP, cols) / 2];
        this.blocksPerRow = cols / BLOCK;
        this.scale = new float[groups * GROUP * blocksPerRow];
        this.mins = mins ? new MinTerms(rows, blocksPerRow, "Q4_K") : null;
    }

    /** An empty matrix with per-block mins, for {@link #setRowsQ4_K}. */
    public static Q4Matrix forQ4_K(int rows, int cols) {
        return new Q4Matrix(rows, cols, true);
    }

    @Override
    public String kernelKind() {
        return mins != null ? "Q4Matrix (Q4_K mins)" : "Q4Matrix";
    }

    public static Q4Matrix quantize(float[] w, int rows, int cols) {
        Q4Matrix m = new Q4Matrix(rows, cols);
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
                float max = 0;
                for (int k = 0; k < BLOCK; k++) {
                    float v = src[s + k];
                    if (Math.abs(v) > amax) {
                        amax = Math.abs(v);
                        max = v;
                    }
                }
                float d = max / -8f;
                float inv = d == 0 ? 0 : 1f / d;
                int slot = slot(r, b);
                int qo = slot * HALF;
                for (int k = 0; k < HALF; k++) {
                    int lo = Math.min(15, Math.max(0, Math.round(src[s + k] * inv) + 8));
                    int hi = Math.min(15, Math.max(0, Math.round(src[s + k + HALF] * inv) + 8));
                    q[qo + k] = (byte) (lo | (hi << 4));
                }
                scale[slot] = d;
            }
        }
    }

    /**
     * Quantizes {@code n} rows of bfloat16 weights ({@code src[srcOff..]}, row-major) into rows
     * firstRow.. straight from the bf16 bits with vector code, with no float32 copy: the same
     * nibbles and scales as {@link #setRows} of the widened floats (the scale from the first value
     * of largest magnitude, Math.round's rounding done exactly in lanes).
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
        float amax = BlockQuant.bf16AbsMax(src, s, BLOCK);
        float max = 0;
        for (int j = 0; amax > 0 && j < BLOCK; j += L) {
            int at = BlockQuant.bf16(src, s + j)
                    .abs()
                    .compare(VectorOperators.EQ, amax)
                    .firstTrue();
            if (at < L) {
                max = Float.intBitsToFloat(src[s + j + at] << 16);
                break;
            }
        }
        float d = max / -8f;
        float inv = d == 0 ? 0 : 1f / d;
        int slot = slot(r, b);
        int qo = slot * HALF;
        for (int j = 0; j < HALF; j += L) {
            IntVector lo = nibble(BlockQuant.bf16(src, s + j).mul(inv));
            IntVector hi = nibble(BlockQuant.bf16(src, s + HALF + j).mul(inv));
            ((ByteVector) lo.or(hi.lanewise(VectorOperators.LSHL, 4)).convertShape(VectorOperators.I2B, B, 0))
                    .intoArray(q, qo + j);
        }
        scale[slot] = d;
    }

    /**
     * Quantizes every row from the input-major bf16 tensor slice {@code src}: row r's value c is
     * {@code src[off + c * stride + r]}. The same nibbles and scales as {@link #setBlockBf16} of
     * each transposed row, computed across a 32 x 32 tile's rows at once (a lane per row) and
     * transposed only as packed bytes, as {@link Q8Matrix#setTransposedBf16} does. Needs a multiple
     * of 32 rows.
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
        byte[] tile = new byte[HALF * BLOCK];
        float[] d = new float[BLOCK];
        int[] at = new int[BLOCK];
        FloatVector zero = FloatVector.zero(F);
        for (int r0 = 0; r0 < rows; r0 += BLOCK) {
            for (int h = 0; h < BLOCK; h += L) {
                int s = off + r0 + h;
                FloatVector m = zero;
                for (int i = 0; i < BLOCK; i++) {
                    m = BlockQuant.firstLargest(m, BlockQuant.bf16(src, s + i * stride));
                }
                FloatVector dv = m.div(-8f);
                FloatVector inv = BlockQuant.inverse(dv);
                dv.intoArray(d, h);
                for (int i = 0; i < HALF; i++) {
                    IntVector lo = nibble(BlockQuant.bf16(src, s + i * stride).mul(inv));
                    IntVector hi =
                            nibble(BlockQuant.bf16(src, s + (i + HALF) * stride).mul(inv));
                    ((ByteVector) lo.or(hi.lanewise(VectorOperators.LSHL, 4)).convertShape(VectorOperators.I2B, B, 0))
                            .intoArray(tile, i * BLOCK + h);
                }
            }
            for (int j = 0; j < BLOCK; j++) {
                int slot = slot(r0 + j, b);
                scale[slot] = d[j];
                at[j] = slot * HALF;
            }
            for (int i0 = 0; i0 < HALF; i0 += 8) {
                for (int j0 = 0; j0 < BLOCK; j0 += 8) {
                    BlockQuant.transpose8x8(tile, i0 * BLOCK + j0, BLOCK, q, at, j0, i0);
                }
            }
        }
    }

    private static IntVector nibble(FloatVector scaled) {
        return BlockQuant.round(scaled).add(8).max(0).min(15);
    }

    /**
     * Copies {@code n} rows of GGUF Q4_0 blocks (18 bytes each: fp16 scale, 16 bytes of nibbles)
     * from {@code raw[off..]} into rows firstRow..: the nibbles exactly, the scale widened to float32.
     */
    public void setRowsQ4_0(int firstRow, byte[] raw, int off, int n) {
        for (int i = 0; i < n; i++) {
            int r = firstRow + i;
            int o = off + i * blocksPerRow * Q4_0_BYTES;
            for (int b = 0; b < blocksPerRow; b++, o += Q4_0_BYTES) {
                int slot = slot(r, b);
                System.arraycopy(raw, o + 2, q, slot * HALF, HALF);
                scale[slot] = Fp16.toFloat((short) ((raw[o] & 0xFF) | (raw[o + 1] << 8)));
            }
        }
    }

    /**
     * Repacks {@code n} rows of GGUF Q4_K super-blocks from {@code raw[off..]} into rows
     * firstRow.. of a matrix made by {@link #forQ4_K}: each sub-block of 32 becomes one block
     * with scale {@code d * sc} (exact in float32, as ggml computes it) and min {@code m} under the
     * super-block's {@code -dmin}, its nibbles re-paired from Q4_K's order (sub-blocks 2j and 2j + 1 share
     * bytes) into this layout's (values i and i + 16 share a byte).
     */
    public void setRowsQ4_K(int firstRow, byte[] raw, int off, int n) {
        if (mins == null) {
            throw new IllegalStateException("a Q4_K repack needs a matrix made by forQ4_K");
        }
        int supers = blocksPerRow / 8;
        for (int i = 0; i < n; i++) {
            int r = firstRow + i;
            for (int sb = 0; sb < supers; sb++) {
                int o = off + (i * supers + sb) * Q4_K_BYTES;
                float d = BlockDecoder.f16(raw, o);
                mins.setSuper(r, sb, BlockDecoder.f16(raw, o + 2));
                for (int j = 0; j < 4; j++) {
                    int c = o + 16 + 32 * j;
                    int lo = slot(r, sb * 8 + 2 * j);
                    int hi = slot(r, sb * 8 + 2 * j + 1);
                    // Eight bytes at a time in a long (scalar code: fast from the first call, unlike
                    // vector code before it is compiled, and a load calls it only so often).
                    for (int h = 0; h < HALF; h += 8) {
                        long a = Swar.get(raw, c + h);
                        long b = Swar.get(raw, c + HALF + h);
                        Swar.set(q, lo * HALF + h, (a & Swar.LOW_NIBBLES) | (b & Swar.LOW_NIBBLES) << 4);
                        Swar.set(q, hi * HALF + h, (a >>> 4 & Swar.LOW_NIBBLES) | (b & ~Swar.LOW_NIBBLES));
                    }
                    scale[lo] = d * BlockDecoder.scaleK4(raw, o + 4, 2 * j);
                    mins.set(r, sb * 8 + 2 * j, BlockDecoder.minK4(raw, o + 4, 2 * j));
                    scale[hi] = d * BlockDecoder.scaleK4(raw, o + 4, 2 * j + 1);
                    mins.set(r, sb * 8 + 2 * j + 1, BlockDecoder.minK4(raw, o + 4, 2 * j + 1));
                }
            }
        }
    }

    /**
     * Stores row r's block b as given: 16 bytes of nibbles ({@code q + 8}, weight i low, i + 16
     * high) at {@code src[off..]} with scale {@code d}: GGUF Q4_0's own layout, copied exactly.
     */
    public void setBlock(int r, int b, float d, byte[] src, int off) {
        int slot = slot(r, b);
        System.arraycopy(src, off, q, slot * HALF, HALF);
        scale[slot] = d;
    }

    /** Index of row r's block b among all blocks (and its scale), in the interleaved order. */
    private int slot(int r, int b) {
        return ((r / GROUP) * blocksPerRow + b) * GROUP + r % GROUP;
    }

    public float get(int r, int c) {
        int slot = slot(r, c / BLOCK);
        int i = c % BLOCK;
        int v = q[slot * HALF + (i % HALF)] & 0xFF;
        int nib = i < HALF ? v & 0x0F : v >>> 4;
        return mins == null ? scale[slot] * (nib - 8) : scale[slot] * nib + mins.bias(r, c / BLOCK);
    }

    @Override
    public long bytes() {
        long minBytes = mins == null ? 0 : mins.bytes();
        return q.length + (long) scale.length * Float.BYTES + minBytes;
    }

    /** Bytes widened to int lanes first (cheaper nibble arithmetic; used by the panel decode). */
    private static IntVector wide(ByteVector v) {
        return (IntVector) v.convertShape(VectorOperators.B2I, I, 0);
    }

    private static FloatVector low(IntVector i, int zero) {
        return (FloatVector) i.and(0x0F).sub(zero).convert(VectorOperators.I2F, 0);
    }

    private static FloatVector high(IntVector i, int zero) {
        return (FloatVector)
                i.lanewise(VectorOperators.ASHR, 4).and(0x0F).sub(zero).convert(VectorOperators.I2F, 0);
    }

    @Override
    void oneToken(float[] x, int xOff, float[] out, int o, int from, int to) {
        float[] sums = MinTerms.blockSums(x, xOff, blocksPerRow);
        for (int g = from; g < to; g++) {
            group1(q, scale, mins == null, blocksPerRow, rows, g, x, xOff, out, o, sums);
        }
        if (mins != null) {
            mins.add(from * GROUP, Math.min(to * GROUP, rows), sums, out, o);
        }
    }

    @Override
    void group1(int g, float[] x, int xOff, float[] out, int o) {
        oneToken(x, xOff, out, o, g, g + 1);
    }

    /**
     * The one-token kernel: each row's 16 bytes are widened to int lanes once, where masking and
     * shifting are single instructions, and the nibbles, taken unsigned, go through float FMAs. For
     * Q4_0 ({@code w = d * (q - 8)}, {@code offset8}) what the unsigned nibbles leave out is minus 8
     * times the row's scales dotted with the token's block sums ({@link MinTerms#blockSums}), in a
     * loop of its own after the main one; Q4_K's min terms are added afterwards ({@link MinTerms}).
     * Keep the body small: past C2's node budget the vector helpers are no longer inlined and every
     * vector is boxed, 3-4x slower. Static, with the matrix's arrays as arguments: as an instance
     * method reading them from fields, even copied to locals first, the same loop ran slower on one
     * thread, by 10-20% over eight 5120 x 5120 matrices in one in-process harness and by 1-4% in
     * another (docs/benchmarks.md, session 8).
     */
    private static void group1(
            byte[] q,
            float[] scale,
            boolean offset8,
            int blocksPerRow,
            int rows,
            int g,
            float[] x,
            int xOff,
            float[] out,
            int o,
            float[] sums) {
        int qg = g * blocksPerRow * GROUP * HALF;
        int sg = g * blocksPerRow * GROUP;
        float t0 = 0;
        float t1 = 0;
        float t2 = 0;
        float t3 = 0;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int b = 0; b < blocksPerRow; b++) {
            int qb = qg + b * GROUP * HALF;
            int xb = xOff + b * BLOCK;
            FloatVector p0 = FloatVector.zero(F);
            FloatVector p1 = FloatVector.zero(F);
            FloatVector p2 = FloatVector.zero(F);
            FloatVector p3 = FloatVector.zero(F);
            for (int j = 0; j < HALF; j += L) {
                FloatVector xl = FloatVector.fromArray(F, x, xb + j);
                FloatVector xh = FloatVector.fromArray(F, x, xb + HALF + j);
                IntVector v0 = wide(ByteVector.fromArray(B, q, qb + j));
                IntVector v1 = wide(ByteVector.fromArray(B, q, qb + HALF + j));
                IntVector v2 = wide(ByteVector.fromArray(B, q, qb + 2 * HALF + j));
                IntVector v3 = wide(ByteVector.fromArray(B, q, qb + 3 * HALF + j));
                p0 = highU(v0).fma(xh, lowU(v0).fma(xl, p0));
                p1 = highU(v1).fma(xh, lowU(v1).fma(xl, p1));
                p2 = highU(v2).fma(xh, lowU(v2).fma(xl, p2));
                p3 = highU(v3).fma(xh, lowU(v3).fma(xl, p3));
            }
            int s = sg + b * GROUP;
            a0 = p0.fma(FloatVector.broadcast(F, scale[s]), a0);
            a1 = p1.fma(FloatVector.broadcast(F, scale[s + 1]), a1);
            a2 = p2.fma(FloatVector.broadcast(F, scale[s + 2]), a2);
            a3 = p3.fma(FloatVector.broadcast(F, scale[s + 3]), a3);
        }
        if (offset8) {
            for (int b = 0; b < blocksPerRow; b++) {
                int s = sg + b * GROUP;
                float sum = sums[b];
                t0 += scale[s] * sum;
                t1 += scale[s + 1] * sum;
                t2 += scale[s + 2] * sum;
                t3 += scale[s + 3] * sum;
            }
            t0 *= -8;
            t1 *= -8;
            t2 *= -8;
            t3 *= -8;
        }
        put(
                out,
                o,
                g,
                rows,
                a0.reduceLanes(VectorOperators.ADD) + t0,
                a1.reduceLanes(VectorOperators.ADD) + t1,
                a2.reduceLanes(VectorOperators.ADD) + t2,
                a3.reduceLanes(VectorOperators.ADD) + t3);
    }

    private static FloatVector lowU(IntVector i) {
        return (FloatVector) i.and(0x0F).convert(VectorOperators.I2F, 0);
    }

    private static FloatVector highU(IntVector i) {
        return (FloatVector) i.lanewise(VectorOperators.ASHR, 4).and(0x0F).convert(VectorOperators.I2F, 0);
    }

    @Override
    void decodeGroup(int g, float[] panel, int off, int stride) {
        int qg = g * blocksPerRow * GROUP * HALF;
        int sg = g * blocksPerRow * GROUP;
        for (int b = 0; b < blocksPerRow; b++) {
            int qb = qg + b * GROUP * HALF;
            int s = sg + b * GROUP;
            for (int k = 0; k < GROUP; k++) {
                FloatVector d = FloatVector.broadcast(F, scale[s + k]);
                int po = off + k * stride + b * BLOCK;
                if (mins == null) {
                    for (int j = 0; j < HALF; j += L) {
                        IntVector v = wide(ByteVector.fromArray(B, q, qb + k * HALF + j));
                        low(v, 8).mul(d).intoArray(panel, po + j);
                        high(v, 8).mul(d).intoArray(panel, po + HALF + j);
                    }
                } else {
                    // d * q exact (a 17-bit scale times a 4-bit value), so the fused add rounds once, as ggml's d * q -
                    // m.
                    FloatVector m = FloatVector.broadcast(F, mins.bias(g * GROUP + k, b));
                    for (int j = 0; j < HALF; j += L) {
                        IntVector v = wide(ByteVector.fromArray(B, q, qb + k * HALF + j));
                        lowU(v).fma(d, m).intoArray(panel, po + j);
                        highU(v).fma(d, m).intoArray(panel, po + HALF + j);
                    }
                }
            }
        }
    }
}
