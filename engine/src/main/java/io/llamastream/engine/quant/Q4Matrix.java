package io.llamastream.engine.quant;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * 4-bit block weights (GGUF Q4_0 layout with an f32 scale): each block of 32 weights along the
 * input dimension is 16 bytes, byte i holding weight i in its low nibble and weight i + 16 in
 * its high nibble, as {@code q + 8} with {@code q} in [-8, 7], and one float32 scale
 * {@code d = m / -8} where m is the block's value of largest magnitude; {@code w = d * q}.
 * The kernel splits nibbles with a mask and a shift, widens to floats and multiply-adds.
 */
public final class Q4Matrix extends RowKernelMatrix {
    private static final int BLOCK = WeightFormat.BLOCK;
    private static final int HALF = BLOCK / 2;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));

    private final byte[] q;
    private final float[] scale;
    private final int blocksPerRow;

    public Q4Matrix(int rows, int cols) {
        super(rows, cols);
        checkBlocks(cols);
        this.q = new byte[Math.multiplyExact(rows, cols) / 2];
        this.blocksPerRow = cols / BLOCK;
        this.scale = new float[rows * blocksPerRow];
    }

    public static Q4Matrix quantize(float[] w, int rows, int cols) {
        Q4Matrix m = new Q4Matrix(rows, cols);
        m.setRows(0, w, 0, rows);
        return m;
    }

    /** Quantizes {@code n} rows of float32 weights from {@code src[srcOff]} into rows firstRow.. . */
    public void setRows(int firstRow, float[] src, int srcOff, int n) {
        int blocks = n * blocksPerRow;
        int firstBlock = firstRow * blocksPerRow;
        for (int b = 0; b < blocks; b++) {
            int s = srcOff + b * BLOCK;
            float amax = 0;
            float max = 0;
            for (int i = 0; i < BLOCK; i++) {
                float v = src[s + i];
                if (Math.abs(v) > amax) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8f;
            float inv = d == 0 ? 0 : 1f / d;
            int qo = (firstBlock + b) * HALF;
            for (int i = 0; i < HALF; i++) {
                int lo = Math.min(15, Math.max(0, Math.round(src[s + i] * inv) + 8));
                int hi = Math.min(15, Math.max(0, Math.round(src[s + i + HALF] * inv) + 8));
                q[qo + i] = (byte) (lo | (hi << 4));
            }
            scale[firstBlock + b] = d;
        }
    }

    public float get(int r, int c) {
        int block = r * blocksPerRow + c / BLOCK;
        int i = c % BLOCK;
        int v = q[block * HALF + (i % HALF)] & 0xFF;
        int nib = i < HALF ? v & 0x0F : v >>> 4;
        return scale[block] * (nib - 8);
    }

    @Override
    public long bytes() {
        return q.length + (long) scale.length * Float.BYTES;
    }

    @Override
    float dot1(int r, float[] x, int xOff) {
        int qo = r * (cols / 2);
        int so = r * blocksPerRow;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int b = 0;
        for (; b + 1 < blocksPerRow; b += 2) {
            a0 = block(qo + b * HALF, x, xOff + b * BLOCK).fma(FloatVector.broadcast(F, scale[so + b]), a0);
            a1 = block(qo + (b + 1) * HALF, x, xOff + (b + 1) * BLOCK).fma(FloatVector.broadcast(F, scale[so + b + 1]), a1);
        }
        for (; b < blocksPerRow; b++) {
            a0 = block(qo + b * HALF, x, xOff + b * BLOCK).fma(FloatVector.broadcast(F, scale[so + b]), a0);
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    private static FloatVector low(ByteVector v) {
        return (FloatVector) v.and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0);
    }

    private static FloatVector high(ByteVector v) {
        return (FloatVector) v.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0);
    }

    private FloatVector block(int qo, float[] x, int xo) {
        FloatVector p = FloatVector.zero(F);
        for (int j = 0; j < HALF; j += L) {
            ByteVector v = ByteVector.fromArray(B, q, qo + j);
            p = low(v).fma(FloatVector.fromArray(F, x, xo + j), p);
            p = high(v).fma(FloatVector.fromArray(F, x, xo + HALF + j), p);
        }
        return p;
    }

    @Override
    void dot4(int r, float[] x, int xOff, float[] out, int o) {
        int qo = r * (cols / 2);
        int so = r * blocksPerRow;
        int x1 = xOff + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int c = 0, qb = qo; c < cols; c += BLOCK, qb += HALF) {
            FloatVector d = FloatVector.broadcast(F, scale[so + c / BLOCK]);
            for (int j = 0; j < HALF; j += L) {
                ByteVector v = ByteVector.fromArray(B, q, qb + j);
                FloatVector lo = low(v).mul(d);
                FloatVector hi = high(v).mul(d);
                int cl = c + j;
                int ch = c + HALF + j;
                a0 = hi.fma(FloatVector.fromArray(F, x, xOff + ch), lo.fma(FloatVector.fromArray(F, x, xOff + cl), a0));
                a1 = hi.fma(FloatVector.fromArray(F, x, x1 + ch), lo.fma(FloatVector.fromArray(F, x, x1 + cl), a1));
                a2 = hi.fma(FloatVector.fromArray(F, x, x2 + ch), lo.fma(FloatVector.fromArray(F, x, x2 + cl), a2));
                a3 = hi.fma(FloatVector.fromArray(F, x, x3 + ch), lo.fma(FloatVector.fromArray(F, x, x3 + cl), a3));
            }
        }
        out[o] = a0.reduceLanes(VectorOperators.ADD);
        out[o + rows] = a1.reduceLanes(VectorOperators.ADD);
        out[o + 2 * rows] = a2.reduceLanes(VectorOperators.ADD);
        out[o + 3 * rows] = a3.reduceLanes(VectorOperators.ADD);
    }
}
