package io.llamastream.engine.weights;

import io.llamastream.engine.math.ThreadScratch;
import java.util.List;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The min terms of the K-quants with mins (Q4_K, Q5_K): block b of row r has the additive term
 * {@code -dmin * m}, ggml's {@code -(dmin * m)} to the bit, kept as the file keeps it, the 6-bit
 * {@code m} as a byte per block and {@code -dmin} as a float per row per super-block of 8 blocks,
 * with {@link RowKernelMatrix#L} consecutive rows side by side (one lane per row): 0.375 bits a
 * weight where a float per block took 1, which decode reads for every weight. A one-token kernel
 * takes the weights without them and then adds, for a claim's rows, each row's terms times the
 * token's sums over the blocks ({@link #blockSums}, {@link #add}).
 */
final class MinTerms {
    private static final int L = RowKernelMatrix.L;
    private static final int BLOCK = WeightFormat.BLOCK;
    /** Blocks per super-block: the span of one {@code dmin}. */
    private static final int SUPER = 8;

    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    private static final VectorSpecies<Float> F = RowKernelMatrix.F;

    private final byte[] mins;
    private final float[] superMins;
    private final int blocksPerRow;

    /** Empty terms for {@code rows} rows of {@code blocksPerRow} blocks (whole super-blocks). */
    MinTerms(int rows, int blocksPerRow, String format) {
        if (blocksPerRow % SUPER != 0) {
            throw new IllegalArgumentException(
                    format + " rows of " + blocksPerRow * BLOCK + " are not whole super-blocks of 256");
        }
        int laneRows = Math.multiplyExact((rows + L - 1) / L, L);
        this.mins = new byte[Math.multiplyExact(laneRows, blocksPerRow)];
        this.superMins = new float[laneRows * (blocksPerRow / SUPER)];
        this.blocksPerRow = blocksPerRow;
    }

    /**
     * Adds to {@code arrays} the size of each array these terms take for {@code rows} rows of {@code cols} columns,
     * one entry per array (the mins, then the min scales), as {@link MemoryPlan} counts the collector's rounding
     * per array; they sum to {@link #bytes}.
     */
    static void arrays(List<Long> arrays, long rows, long cols) {
        long laneRows = (rows + L - 1) / L * L;
        arrays.add(laneRows * cols / BLOCK);
        arrays.add(laneRows * cols / (SUPER * BLOCK) * Float.BYTES);
    }

    long bytes() {
        return mins.length + (long) superMins.length * Float.BYTES;
    }

    /** Sets row r's super-block sb's {@code dmin}. */
    void setSuper(int r, int sb, float dmin) {
        superMins[superSlot(r, sb)] = -dmin;
    }

    /** Sets row r's block b's min {@code m} (0..63). */
    void set(int r, int b, int m) {
        mins[slot(r, b)] = (byte) m;
    }

    /** Row r's block b's additive term {@code -dmin * m}, ggml's {@code -(dmin * m)} to the bit. */
    float bias(int r, int b) {
        return superMins[superSlot(r, b / SUPER)] * mins[slot(r, b)];
    }

    private int slot(int r, int b) {
        return ((r / L) * blocksPerRow + b) * L + r % L;
    }

    private int superSlot(int r, int sb) {
        return ((r / L) * (blocksPerRow / SUPER) + sb) * L + r % L;
    }

    /** Each thread's per-token block sums, kept across calls. */
    private static final ThreadScratch.Floats SUMS = new ThreadScratch.Floats();

    /** The token's sum over each block of 32 inputs at {@code x[xOff..]}, in this thread's array. */
    static float[] blockSums(float[] x, int xOff, int blocksPerRow) {
        float[] sums = SUMS.atLeast(blocksPerRow);
        for (int b = 0; b < blocksPerRow; b++) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + b * BLOCK);
            for (int j = L; j < BLOCK; j += L) {
                v = v.add(FloatVector.fromArray(F, x, xOff + b * BLOCK + j));
            }
            sums[b] = v.reduceLanes(VectorOperators.ADD);
        }
        return sums;
    }

    /** Adds rows [from, to)'s min terms for a token with block sums {@code sums} to {@code out[o + r]}. */
    void add(int from, int to, float[] sums, float[] out, int o) {
        add(mins, superMins, blocksPerRow, from, to, sums, out, o);
    }

    /**
     * {@link #add} over the arrays (static, as the kernels are): {@link #L} rows at a time one lane
     * per row, where a row's mins and min scales are vector loads; rows before the first whole run
     * of {@link #L} and after the last one by {@link #term}, which rounds the same way, so no row's
     * result depends on which rows its claim held.
     */
    private static void add(
            byte[] mins, float[] superMins, int blocksPerRow, int from, int to, float[] sums, float[] out, int o) {
        int supers = blocksPerRow / SUPER;
        int r = from;
        for (; r < to && r % L != 0; r++) {
            out[o + r] += term(mins, superMins, blocksPerRow, r, sums);
        }
        for (; r + L <= to; r += L) {
            int m0 = r * blocksPerRow;
            int s0 = r * supers;
            FloatVector acc = FloatVector.zero(F);
            for (int sb = 0; sb < supers; sb++) {
                FloatVector part = FloatVector.zero(F);
                for (int j = 0; j < SUPER; j++) {
                    int b = sb * SUPER + j;
                    FloatVector m = (FloatVector)
                            ByteVector.fromArray(B, mins, m0 + b * L).convertShape(VectorOperators.B2F, F, 0);
                    part = m.fma(FloatVector.broadcast(F, sums[b]), part);
                }
                acc = part.fma(FloatVector.fromArray(F, superMins, s0 + sb * L), acc);
            }
            FloatVector.fromArray(F, out, o + r).add(acc).intoArray(out, o + r);
        }
        for (; r < to; r++) {
            out[o + r] += term(mins, superMins, blocksPerRow, r, sums);
        }
    }

    /** Row r's min term as one lane of {@link #add} computes it, with the same roundings. */
    private static float term(byte[] mins, float[] superMins, int blocksPerRow, int r, float[] sums) {
        int supers = blocksPerRow / SUPER;
        int m0 = (r / L) * blocksPerRow * L + r % L;
        int s0 = (r / L) * supers * L + r % L;
        float acc = 0;
        for (int sb = 0; sb < supers; sb++) {
            float part = 0;
            for (int j = 0; j < SUPER; j++) {
                int b = sb * SUPER + j;
                part = Math.fma(mins[m0 + b * L], sums[b], part);
            }
            acc = Math.fma(part, superMins[s0 + sb * L], acc);
        }
        return acc;
    }
}
