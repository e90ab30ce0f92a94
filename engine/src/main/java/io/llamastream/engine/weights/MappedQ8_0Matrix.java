package io.llamastream.engine.weights;

import io.llamastream.engine.checkpoint.gguf.BlockDecoder;
import io.llamastream.engine.math.ThreadScratch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * GGUF Q8_0 blocks computed where they lie, in a read-only mapping of the file: rows stored one
 * after another, each a run of 34-byte blocks (an fp16 scale {@code d}, then 32 int8 values
 * {@code q}, {@code w = d * q}). Nothing is copied, so a model is ready as soon as its file is
 * mapped; a {@link StagedMatrix} serves this until the same blocks, repacked into a
 * {@link Q8Matrix}, are ready.
 *
 * <p>Every kernel path gives the same bits as a {@link Q8Matrix} repacked from the same blocks:
 * the products {@code d * q} are exact in float32 (an 11-bit scale times a 7-bit value), and
 * each row's sums run in the same order. So swapping one for the other changes no result. One
 * token runs a row at a time ({@link RowMajorMatrix}: a group's four rows in lockstep would read
 * four streams of one row's length, too short for the prefetchers); more tokens decode the
 * blocks into the float panels of the shared driver, each row copied out of the mapping into a
 * per-thread array first: {@code ByteVector.fromByteBuffer} is Java 17's alone (later JDKs load
 * vectors from a {@code MemorySegment}), and array loads compile to the same instructions on every
 * JDK. The one-token kernel is slower than a {@link Q8Matrix}'s (the copy, a scale per 32 values).
 */
public final class MappedQ8_0Matrix extends RowMajorMatrix {
    private static final int BLOCK = WeightFormat.BLOCK;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    private static final int BLOCK_BYTES = Q8Matrix.Q8_0_BYTES;

    /** A row's blocks copied out of the mapping, per thread; grown to the widest row seen. */
    private static final ThreadScratch.Bytes ROW = new ThreadScratch.Bytes();

    private final ByteBuffer blocks;
    private final int blocksPerRow;
    private final int rowBytes;

    /** A matrix over {@code blocks}, which holds exactly {@code rows} rows of GGUF Q8_0 blocks. */
    public MappedQ8_0Matrix(ByteBuffer blocks, int rows, int cols) {
        super(rows, cols);
        checkBlocks(cols);
        this.blocksPerRow = cols / BLOCK;
        this.rowBytes = blocksPerRow * BLOCK_BYTES;
        if (blocks.capacity() != (long) rows * rowBytes) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " Q8_0 matrix takes " + (long) rows * rowBytes
                    + " bytes, not " + blocks.capacity());
        }
        this.blocks = blocks.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The same blocks repacked into a new {@link Q8Matrix}, copied out of the mapping a slice of rows at a time through {@code scratch}. */
    public Q8Matrix repack(byte[] scratch) {
        if (scratch.length < rowBytes) {
            throw new IllegalArgumentException(
                    "scratch of " + scratch.length + " bytes is less than a row of " + rowBytes);
        }
        Q8Matrix m = new Q8Matrix(rows, cols);
        int per = scratch.length / rowBytes;
        for (int r = 0; r < rows; r += per) {
            int n = Math.min(per, rows - r);
            blocks.get(r * rowBytes, scratch, 0, n * rowBytes);
            m.setRowsQ8_0(r, scratch, 0, n);
        }
        return m;
    }

    @Override
    public long bytes() {
        return (long) rows * rowBytes;
    }

    /** Row r's blocks, copied into this thread's array. */
    private byte[] row(int r) {
        byte[] row = ROW.atLeast(rowBytes);
        blocks.get(r * rowBytes, row, 0, rowBytes);
        return row;
    }

    private static FloatVector load(byte[] row, int off) {
        return (FloatVector) ByteVector.fromArray(B, row, off).convertShape(VectorOperators.B2F, F, 0);
    }

    /** Row r times one token row x[xOff ..], summed in {@link Q8Matrix}'s order. */
    @Override
    float dotRow(int r, float[] x, int xOff) {
        byte[] m = row(r);
        int o = 0;
        FloatVector a = FloatVector.zero(F);
        for (int b = 0; b < blocksPerRow; b++, o += BLOCK_BYTES) {
            int xb = xOff + b * BLOCK;
            FloatVector p = FloatVector.zero(F);
            for (int j = 0; j < BLOCK; j += L) {
                p = load(m, o + 2 + j).fma(FloatVector.fromArray(F, x, xb + j), p);
            }
            a = p.fma(FloatVector.broadcast(F, BlockDecoder.f16(m, o)), a);
        }
        return a.reduceLanes(VectorOperators.ADD);
    }

    @Override
    void decodeRow(int r, float[] panel, int po) {
        byte[] m = row(r);
        int o = 0;
        for (int b = 0; b < blocksPerRow; b++, o += BLOCK_BYTES, po += BLOCK) {
            FloatVector d = FloatVector.broadcast(F, BlockDecoder.f16(m, o));
            for (int j = 0; j < BLOCK; j += L) {
                load(m, o + 2 + j).mul(d).intoArray(panel, po + j);
            }
        }
    }
}
