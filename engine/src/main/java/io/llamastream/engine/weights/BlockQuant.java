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
 * quantizers store the same bytes.
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
}
