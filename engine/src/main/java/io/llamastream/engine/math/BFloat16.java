package io.llamastream.engine.math;

/**
 * Rounding of float32 values to the nearest bfloat16 (ties to even), kept as float32. The
 * reference casts pixel values to bfloat16 before the encoder, so we do the same to feed it
 * bit-identical inputs.
 */
public final class BFloat16 {
    private BFloat16() {
    }

    public static float round(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7F800000) == 0x7F800000) {
            return f; // Inf and NaN stay as they are (rounding could turn a NaN into Inf)
        }
        int lsb = (bits >>> 16) & 1;
        bits += 0x7FFF + lsb;
        return Float.intBitsToFloat(bits & 0xFFFF0000);
    }
}
