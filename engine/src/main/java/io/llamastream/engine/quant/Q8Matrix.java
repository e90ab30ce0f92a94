package io.llamastream.engine.quant;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * 8-bit block weights: each row is split into blocks of 32 along the input dimension, each
 * block stored as 32 signed bytes {@code q} and one float32 scale {@code d} with
 * {@code w = d * q}, {@code d = max|w| / 127} (GGUF Q8_0 with an f32 scale). The kernel widens
 * a block's bytes to floats in registers and multiply-adds them against float activations.
 */
public final class Q8Matrix extends RowKernelMatrix {
    private static final int BLOCK = WeightFormat.BLOCK;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));

    private final byte[] q;
    private final float[] scale;
    private final int blocksPerRow;

    public Q8Matrix(int rows, int cols) {
        super(rows, cols);
        checkBlocks(cols);
        this.q = new byte[Math.multiplyExact(rows, cols)];
        this.blocksPerRow = cols / BLOCK;
        this.scale = new float[rows * blocksPerRow];
    }

    public static Q8Matrix quantize(float[] w, int rows, int cols) {
        Q8Matrix m = new Q8Matrix(rows, cols);
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
            for (int i = 0; i < BLOCK; i++) {
                amax = Math.max(amax, Math.abs(src[s + i]));
            }
            float d = amax / 127f;
            float inv = d == 0 ? 0 : 1f / d;
            int qo = (firstBlock + b) * BLOCK;
            for (int i = 0; i < BLOCK; i++) {
                q[qo + i] = (byte) Math.max(-127, Math.min(127, Math.round(src[s + i] * inv)));
            }
            scale[firstBlock + b] = d;
        }
    }

    public float get(int r, int c) {
        return scale[r * blocksPerRow + c / BLOCK] * q[r * cols + c];
    }

    @Override
    public long bytes() {
        return q.length + (long) scale.length * Float.BYTES;
    }

    private static FloatVector load(byte[] q, int off) {
        return (FloatVector) ByteVector.fromArray(B, q, off).convertShape(VectorOperators.B2F, F, 0);
    }

    @Override
    float dot1(int r, float[] x, int xOff) {
        int qo = r * cols;
        int so = r * blocksPerRow;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int b = 0;
        for (; b + 1 < blocksPerRow; b += 2) {
            a0 = block(qo + b * BLOCK, x, xOff + b * BLOCK).fma(FloatVector.broadcast(F, scale[so + b]), a0);
            a1 = block(qo + (b + 1) * BLOCK, x, xOff + (b + 1) * BLOCK).fma(FloatVector.broadcast(F, scale[so + b + 1]), a1);
        }
        for (; b < blocksPerRow; b++) {
            a0 = block(qo + b * BLOCK, x, xOff + b * BLOCK).fma(FloatVector.broadcast(F, scale[so + b]), a0);
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    /** Unscaled partial dot of one block, as lanes. */
    private FloatVector block(int qo, float[] x, int xo) {
        FloatVector p = load(q, qo).mul(FloatVector.fromArray(F, x, xo));
        for (int j = L; j < BLOCK; j += L) {
            p = load(q, qo + j).fma(FloatVector.fromArray(F, x, xo + j), p);
        }
        return p;
    }

    @Override
    void dot4(int r, float[] x, int xOff, float[] out, int o) {
        int qo = r * cols;
        int so = r * blocksPerRow;
        int x1 = xOff + cols;
        int x2 = x1 + cols;
        int x3 = x2 + cols;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int c = 0; c < cols; c += BLOCK) {
            FloatVector d = FloatVector.broadcast(F, scale[so + c / BLOCK]);
            for (int j = 0; j < BLOCK; j += L) {
                FloatVector wv = load(q, qo + c + j).mul(d);
                a0 = wv.fma(FloatVector.fromArray(F, x, xOff + c + j), a0);
                a1 = wv.fma(FloatVector.fromArray(F, x, x1 + c + j), a1);
                a2 = wv.fma(FloatVector.fromArray(F, x, x2 + c + j), a2);
                a3 = wv.fma(FloatVector.fromArray(F, x, x3 + c + j), a3);
            }
        }
        out[o] = a0.reduceLanes(VectorOperators.ADD);
        out[o + rows] = a1.reduceLanes(VectorOperators.ADD);
        out[o + 2 * rows] = a2.reduceLanes(VectorOperators.ADD);
        out[o + 3 * rows] = a3.reduceLanes(VectorOperators.ADD);
    }
}
