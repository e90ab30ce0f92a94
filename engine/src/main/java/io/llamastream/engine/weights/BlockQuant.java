package io.llamastream.engine.weights;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The lane operations the Q8/Q4 quantizers share when they quantize straight from bfloat16 bits:
 * widening bf16 to float32 in registers, and rounding to the nearest integer with ties up, which
 * is exactly {@link Math#round(float)} (the scalar quantizers' rounding), so the vector and scalar
 * quantizers store the same bytes. Also the byte transpose that turns a tile quantized across
 * rows (the input-major expert tensors) into the matrices' row-major blocks.
 */
final class BlockQuant {
    private static final VectorSpecies<Float> F = RowKernelMatrix.F;
    private static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * 16));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    private static final FloatVector ZERO = FloatVector.zero(F);
    private static final FloatVector ONE = FloatVector.broadcast(F, 1f);

    private BlockQuant() {}

    /** {@code F.length()} bf16 values at {@code src[off..]} widened to float32 (exact). */
    static FloatVector bf16(short[] src, int off) {
        IntVector wide = (IntVector) ShortVector.fromArray(S, src, off).convertShape(VectorOperators.S2I, I, 0);
        return wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** The largest magnitude among the {@code n} bf16 values at {@code src[off..]} ({@code n} a multiple of the lanes). */
    static float bf16AbsMax(short[] src, int off, int n) {
        FloatVector m = ZERO;
        for (int j = 0; j < n; j += F.length()) {
            m = m.max(bf16(src, off + j).abs());
        }
        return m.reduceLanes(VectorOperators.MAX);
    }

    /** 1.5 * 2^23: adding it rounds any |v| < 2^22 to an integer (ties to even) in the low mantissa bits. */
    private static final float MAGIC = 12582912f;

    private static final int MAGIC_BITS = 0x4B400000;

    /**
     * Math.round of every lane, for |v| < 2^22: round to nearest even by adding {@link #MAGIC}, then
     * step up by one where the exact remainder {@code v - r} is +0.5 (a tie the even rounding took
     * down; Math.round takes ties up). All in float lanes and a reinterpretation: the Vector API's
     * float-to-int conversion is not compiled to one instruction on JDK 17 and costs about 100x.
     */
    static IntVector round(FloatVector v) {
        FloatVector r = v.add(MAGIC).sub(MAGIC);
        FloatVector up = ZERO.blend(ONE, v.sub(r).compare(VectorOperators.EQ, 0.5f));
        return r.add(up).add(MAGIC).reinterpretAsInts().sub(MAGIC_BITS);
    }

    /** The largest-magnitude lanes so far: {@code |v| > |m|} replaces (the first of equal magnitudes wins). */
    static FloatVector firstLargest(FloatVector m, FloatVector v) {
        return m.blend(v, v.abs().compare(VectorOperators.GT, m.abs()));
    }

    /** {@code 1 / d}, and 0 where {@code d} is 0 (the scalar quantizers' {@code d == 0 ? 0 : 1f / d}). */
    static FloatVector inverse(FloatVector d) {
        return ONE.div(d).blend(ZERO, d.compare(VectorOperators.EQ, 0f));
    }

    /**
     * Writes the transpose of the 8 x 8 bytes {@code t[tOff + r * tStride + c]} (r, c < 8) as
     * {@code dst[at[c] + r]}: eight 8-byte loads, three rounds of swapping half-squares inside the
     * longs (4 x 4, then 2 x 2, then 1 x 1 bytes), eight 8-byte stores. A byte-by-byte transpose
     * costs about ten times more per weight.
     */
    static void transpose8x8(byte[] t, int tOff, int tStride, byte[] dst, int[] at, int atOff, int dOff) {
        long x0 = Swar.get(t, tOff);
        long x1 = Swar.get(t, tOff + tStride);
        long x2 = Swar.get(t, tOff + 2 * tStride);
        long x3 = Swar.get(t, tOff + 3 * tStride);
        long x4 = Swar.get(t, tOff + 4 * tStride);
        long x5 = Swar.get(t, tOff + 5 * tStride);
        long x6 = Swar.get(t, tOff + 6 * tStride);
        long x7 = Swar.get(t, tOff + 7 * tStride);
        final long m4 = 0x00000000FFFFFFFFL;
        long u;
        u = ((x0 >>> 32) ^ x4) & m4;
        x0 ^= u << 32;
        x4 ^= u;
        u = ((x1 >>> 32) ^ x5) & m4;
        x1 ^= u << 32;
        x5 ^= u;
        u = ((x2 >>> 32) ^ x6) & m4;
        x2 ^= u << 32;
        x6 ^= u;
        u = ((x3 >>> 32) ^ x7) & m4;
        x3 ^= u << 32;
        x7 ^= u;
        final long m2 = 0x0000FFFF0000FFFFL;
        u = ((x0 >>> 16) ^ x2) & m2;
        x0 ^= u << 16;
        x2 ^= u;
        u = ((x1 >>> 16) ^ x3) & m2;
        x1 ^= u << 16;
        x3 ^= u;
        u = ((x4 >>> 16) ^ x6) & m2;
        x4 ^= u << 16;
        x6 ^= u;
        u = ((x5 >>> 16) ^ x7) & m2;
        x5 ^= u << 16;
        x7 ^= u;
        final long m1 = 0x00FF00FF00FF00FFL;
        u = ((x0 >>> 8) ^ x1) & m1;
        x0 ^= u << 8;
        x1 ^= u;
        u = ((x2 >>> 8) ^ x3) & m1;
        x2 ^= u << 8;
        x3 ^= u;
        u = ((x4 >>> 8) ^ x5) & m1;
        x4 ^= u << 8;
        x5 ^= u;
        u = ((x6 >>> 8) ^ x7) & m1;
        x6 ^= u << 8;
        x7 ^= u;
        Swar.set(dst, at[atOff] + dOff, x0);
        Swar.set(dst, at[atOff + 1] + dOff, x1);
        Swar.set(dst, at[atOff + 2] + dOff, x2);
        Swar.set(dst, at[atOff + 3] + dOff, x3);
        Swar.set(dst, at[atOff + 4] + dOff, x4);
        Swar.set(dst, at[atOff + 5] + dOff, x5);
        Swar.set(dst, at[atOff + 6] + dOff, x6);
        Swar.set(dst, at[atOff + 7] + dOff, x7);
    }
}
