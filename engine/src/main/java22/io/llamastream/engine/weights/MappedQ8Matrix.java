package io.llamastream.engine.weights;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * GGUF Q8_0 weights read where the file has them, in a read-only mapping: each row is
 * {@code cols / 32} blocks of an fp16 scale and 32 int8 values (34 bytes), row after row. Nothing
 * is copied onto the heap, so loading costs only the mapping, and the weights live in the page
 * cache. The kernels read the int8 values straight from the segment, widen them to floats in
 * registers and multiply-add, scaling each block by its fp16 scale: exactly {@link Q8Matrix}'s
 * values for the same blocks, in a different summation order.
 */
final class MappedQ8Matrix extends RowKernelMatrix {
    private static final int BLOCK = WeightFormat.BLOCK;
    /** Bytes of one GGUF Q8_0 block: an fp16 scale and 32 int8 values. */
    static final int BLOCK_BYTES = 2 + BLOCK;

    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    private static final ValueLayout.OfShort FP16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment data;
    private final long rowBytes;
    private final int blocksPerRow;

    /** Wraps {@code data}: {@code rows} rows of {@code cols / 32} Q8_0 blocks. */
    MappedQ8Matrix(MemorySegment data, int rows, int cols) {
        super(rows, cols);
        checkBlocks(cols);
        this.blocksPerRow = cols / BLOCK;
        this.rowBytes = (long) blocksPerRow * BLOCK_BYTES;
        if (rows * rowBytes != data.byteSize()) {
            throw new IllegalArgumentException(
                    data.byteSize() + " bytes for " + rows + "x" + cols + " Q8_0, expected " + rows * rowBytes);
        }
        this.data = data;
    }

    /** The mapped bytes: the matrix's share of the page cache, not of the heap. */
    @Override
    public long bytes() {
        return data.byteSize();
    }

    @Override
    public String kernelKind() {
        return "MappedQ8Matrix";
    }

    /** Block b's scale: the fp16 at the start of the block at byte {@code at}. */
    private float scale(long at) {
        return Float.float16ToFloat(data.get(FP16, at));
    }

    private FloatVector load(long at) {
        return (FloatVector) ByteVector.fromMemorySegment(B, data, at, ByteOrder.LITTLE_ENDIAN)
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
        long r0 = r * rowBytes;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int b = 0; b < blocksPerRow; b++) {
            long at = r0 + (long) b * BLOCK_BYTES;
            int xb = xOff + b * BLOCK;
            FloatVector p0 = FloatVector.zero(F);
            FloatVector p1 = FloatVector.zero(F);
            FloatVector p2 = FloatVector.zero(F);
            FloatVector p3 = FloatVector.zero(F);
            for (int j = 0; j < BLOCK; j += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xb + j);
                p0 = load(at + 2 + j).fma(xv, p0);
                p1 = load(at + rowBytes + 2 + j).fma(xv, p1);
                p2 = load(at + 2 * rowBytes + 2 + j).fma(xv, p2);
                p3 = load(at + 3 * rowBytes + 2 + j).fma(xv, p3);
            }
            a0 = p0.fma(FloatVector.broadcast(F, scale(at)), a0);
            a1 = p1.fma(FloatVector.broadcast(F, scale(at + rowBytes)), a1);
            a2 = p2.fma(FloatVector.broadcast(F, scale(at + 2 * rowBytes)), a2);
            a3 = p3.fma(FloatVector.broadcast(F, scale(at + 3 * rowBytes)), a3);
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
            long at = r * rowBytes + (long) b * BLOCK_BYTES;
            FloatVector p = FloatVector.zero(F);
            for (int j = 0; j < BLOCK; j += L) {
                p = load(at + 2 + j).fma(FloatVector.fromArray(F, x, xOff + b * BLOCK + j), p);
            }
            a = p.fma(FloatVector.broadcast(F, scale(at)), a);
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
                long at = r * rowBytes + (long) b * BLOCK_BYTES;
                FloatVector d = FloatVector.broadcast(F, scale(at));
                for (int j = 0; j < BLOCK; j += L) {
                    load(at + 2 + j).mul(d).intoArray(panel, po + b * BLOCK + j);
                }
            }
        }
    }
}
