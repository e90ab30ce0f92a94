package io.llamastream.engine.math;

/** IEEE 754 half precision (fp16, binary16) conversion: the one the checkpoint readers share. */
public final class Fp16 {
    private Fp16() {}

    /** binary16 bits to float32, exactly (Float.float16ToFloat exists only from Java 20 on). */
    public static float toFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
