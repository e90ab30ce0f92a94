package io.llamastream.engine.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code exp} of every lane of a float vector, to about 2 ulp, in plain vector arithmetic: the
 * incubator's {@code lanewise(EXP)} runs lane by lane through {@code Math.exp} wherever the JIT
 * has no intrinsic for it, which made it the whole cost of the softmaxes and of GELU. Range reduction
 * {@code x = n ln2 + r} (|r| <= ln2 / 2, ln2 split in two parts so r is exact), Cephes'
 * degree-7 polynomial for {@code e^r}, and {@code 2^n} built from its exponent bits. Arguments are
 * clamped to [-87, 88], so the result is never infinite, NaN stays NaN and results below
 * {@code e^-87} (1.6e-38) are that bound times e^(x+87) rounded towards the smallest normal.
 */
public final class VectorExp {
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds to an integer held in the low mantissa bits. */
    private static final float ROUND = 12582912f;

    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);

    private VectorExp() {}

    public static FloatVector exp(FloatVector x) {
        x = x.max(-87f).min(88f);
        FloatVector t = x.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(c(-LN2_HI), x);
        r = n.fma(c(-LN2_LO), r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, c(8.3334519073e-3f));
        p = p.fma(r, c(4.1665795894e-2f));
        p = p.fma(r, c(1.6666665459e-1f));
        p = p.fma(r, c(5.0000001201e-1f));
        p = p.fma(r.mul(r), r).add(1f);
        // t's bits are ROUND's plus n; (n + 127) << 23 is the float 2^n.
        FloatVector scale = t.reinterpretAsInts()
                .sub(ROUND_BITS - 127)
                .lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        return p.mul(scale);
    }

    private static FloatVector c(float v) {
        return FloatVector.broadcast(F, v);
    }
}
