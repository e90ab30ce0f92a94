package io.llamastream.engine.math;

/**
 * The one bfloat16 conversion of the engine: bf16 is the upper half of a float32's bits. Weights are
 * read from it and the image preprocessor rounds through it, because the reference casts pixel values
 * to bf16 before the encoder.
 */
public final class Bf16 {
    private Bf16() {}

    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** The float32 value rounded to the nearest bfloat16 (ties to even), kept as float32. */
    public static float round(float f) {
        return toFloat(fromFloat(f));
    }

    /** Round to nearest even; NaN stays NaN, infinities stay infinite. Exact for floats that came from bf16. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
