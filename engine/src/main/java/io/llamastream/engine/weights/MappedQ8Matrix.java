package io.llamastream.engine.weights;

import io.llamastream.engine.math.Fp16;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * GGUF Q8_0 weights left where the file has them: a read-only memory mapping of the tensor's
 * rows (each row {@code cols / 32} blocks of an fp16 scale and 32 int8 values, 34 bytes), so
 * loading copies nothing and the weights live in the page cache, outside the Java heap. Only the
 * scales are widened to a float array on the heap (4 bytes per 32 weights); reading them touches
 * every page of the mapping once, which is when the file is paged in (llama.cpp's loader
 * populates its mapping the same way). The kernels read the int8 values straight from the
 * mapping, one row stream each, widen them to floats in registers and multiply-add; the values
 * are exactly {@link Q8Matrix}'s for the same blocks.
 */
public final class MappedQ8Matrix extends RowKernelMatrix {
    private static final int BLOCK = WeightFormat.BLOCK;
    /** Bytes of one GGUF Q8_0 block: an fp16 scale and 32 int8 values. */
    static final int BLOCK_BYTES = 2 + BLOCK;

    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));

    private final ByteBuffer data;
    private final float[] scale;
    private final int blocksPerRow;
    private final int rowBytes;

    /** Wraps {@code data} (from position 0): {@code rows} rows of {@code cols / 32} Q8_0 blocks. */
    public MappedQ8Matrix(ByteBuffer data, int rows, int cols) {
        super(rows, cols);
        checkBlocks(cols);
        this.blocksPerRow = cols / BLOCK;
        this.rowBytes = blocksPerRow * BLOCK_BYTES;
        if ((long) rows * rowBytes != data.remaining()) {
            throw new IllegalArgumentException(
                    data.remaining() + " bytes for " + rows + "x" + cols + " Q8_0, expected " + (long) rows * rowBytes);
        }
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.scale = new float[rows * blocksPerRow];
        for (int i = 0; i < scale.length; i++) {
            scale[i] = Fp16.toFloat(this.data.getShort(i * BLOCK_BYTES));
        }
    }

    public float get(int r, int c) {
        int b = c / BLOCK;
        return scale[r * blocksPerRow + b] * data.get(r * rowBytes + b * BLOCK_BYTES + 2 + c % BLOCK);
    }

    /** Heap bytes (the scales); the int8 values are the mapping's {@link #mappedBytes()}. */
    @Override
    public long bytes() {
        return (long) scale.length * Float.BYTES;
    }

    /** Bytes of the file mapped for this matrix. */
    public long mappedBytes() {
        return data.capacity();
    }

    private FloatVector load(int off) {
        return (FloatVector) ByteVector.fromByteBuffer(B, data, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2F, F, 0);
    }

    @Override
    void group1(int g, float[] x, int xOff, float[] out, int o) {
        int r = g * GROUP;
        if (r + GROUP > rows) {
            float[] s = new float[GROUP];
            for (int k = 0; r + k < rows; k++) {
                s[k] = dot(r + k, x, xOff);
            }
            put(out, o, g, s[0], s[1], s[2], s[3]);
            return;
        }
        int q0 = r * rowBytes + 2;
        int s0 = r * blocksPerRow;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int b = 0; b < blocksPerRow; b++) {
            int qb = q0 + b * BLOCK_BYTES;
            int xb = xOff + b * BLOCK;
            FloatVector p0 = FloatVector.zero(F);
            FloatVector p1 = FloatVector.zero(F);
            FloatVector p2 = FloatVector.zero(F);
            FloatVector p3 = FloatVector.zero(F);
            for (int j = 0; j < BLOCK; j += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xb + j);
                p0 = load(qb + j).fma(xv, p0);
                p1 = load(qb + rowBytes + j).fma(xv, p1);
                p2 = load(qb + 2 * rowBytes + j).fma(xv, p2);
                p3 = load(qb + 3 * rowBytes + j).fma(xv, p3);
            }
            int s = s0 + b;
            a0 = p0.fma(FloatVector.broadcast(F, scale[s]), a0);
            a1 = p1.fma(FloatVector.broadcast(F, scale[s + blocksPerRow]), a1);
            a2 = p2.fma(FloatVector.broadcast(F, scale[s + 2 * blocksPerRow]), a2);
            a3 = p3.fma(FloatVector.broadcast(F, scale[s + 3 * blocksPerRow]), a3);
        }
        put(
                out,
                o,
                g,
                a0.reduceLanes(VectorOperators.ADD),
                a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD),
                a3.reduceLanes(VectorOperators.ADD));
    }

    /** Row r alone times x (the last, partial group). */
    private float dot(int r, float[] x, int xOff) {
        FloatVector a = FloatVector.zero(F);
        for (int b = 0; b < blocksPerRow; b++) {
            int qb = r * rowBytes + b * BLOCK_BYTES + 2;
            FloatVector p = FloatVector.zero(F);
            for (int j = 0; j < BLOCK; j += L) {
                p = load(qb + j).fma(FloatVector.fromArray(F, x, xOff + b * BLOCK + j), p);
            }
            a = p.fma(FloatVector.broadcast(F, scale[r * blocksPerRow + b]), a);
        }
        return a.reduceLanes(VectorOperators.ADD);
    }

    @Override
    void decodeGroup(int g, float[] panel, int off, int stride) {
        for (int k = 0; k < GROUP; k++) {
            int r = g * GROUP + k;
            int po = off + k * stride;
            if (r >= rows) {
                Arrays.fill(panel, po, po + cols, 0f);
                continue;
            }
            for (int b = 0; b < blocksPerRow; b++) {
                FloatVector d = FloatVector.broadcast(F, scale[r * blocksPerRow + b]);
                int qb = r * rowBytes + b * BLOCK_BYTES + 2;
                for (int j = 0; j < BLOCK; j += L) {
                    load(qb + j).mul(d).intoArray(panel, po + b * BLOCK + j);
                }
            }
        }
    }
}
