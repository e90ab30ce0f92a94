package io.llamastream.engine.checkpoint.gguf;

import io.llamastream.engine.math.Fp16;

/**
 * Scalar dequantization of ggml blocks to float32, written after ggml's reference
 * {@code dequantize_row_*} functions: the exact meaning of every stored value. It is the
 * reference the SIMD kernels are tested against, and the path for tensors that are read rather
 * than multiplied (norms, embeddings rows, the types without a kernel of their own).
 */
public final class BlockDecoder {
    private BlockDecoder() {}

    /**
     * Decodes {@code count} values of {@code type} (a whole number of blocks) stored at
     * {@code src[off..]} into {@code dst[dstOff..]}.
     */
    public static void decode(GgmlType type, byte[] src, int off, float[] dst, int dstOff, int count) {
        if (count % type.blockSize() != 0) {
            throw new IllegalArgumentException(
                    count + " values are not whole " + type + " blocks of " + type.blockSize());
        }
        int blocks = count / type.blockSize();
        for (int b = 0; b < blocks; b++) {
            int s = off + b * type.blockBytes();
            int d = dstOff + b * type.blockSize();
            switch (type) {
                case F32 -> dst[d] = Float.intBitsToFloat(i32(src, s));
                case F16 -> dst[d] = f16(src, s);
                case BF16 -> dst[d] = Float.intBitsToFloat(u16(src, s) << 16);
                case Q8_0 -> q8_0(src, s, dst, d);
                case Q4_0 -> q4_0(src, s, dst, d);
                case Q4_1 -> q4_1(src, s, dst, d);
                case Q5_0 -> q5(src, s, dst, d, false);
                case Q5_1 -> q5(src, s, dst, d, true);
                case Q4_K -> q4_k(src, s, dst, d);
                case Q5_K -> q5_k(src, s, dst, d);
                case Q6_K -> q6_k(src, s, dst, d);
                default -> throw new IllegalArgumentException("no decoder for ggml type " + type);
            }
        }
    }

    static int u16(byte[] b, int o) {
        return (b[o] & 0xFF) | (b[o + 1] & 0xFF) << 8;
    }

    static int i32(byte[] b, int o) {
        return (b[o] & 0xFF) | (b[o + 1] & 0xFF) << 8 | (b[o + 2] & 0xFF) << 16 | (b[o + 3] & 0xFF) << 24;
    }

    /** The little-endian IEEE half at {@code b[o]} as a float. */
    public static float f16(byte[] b, int o) {
        return Fp16.toFloat((short) u16(b, o));
    }

    private static void q8_0(byte[] s, int o, float[] y, int d) {
        float scale = f16(s, o);
        for (int i = 0; i < 32; i++) {
            y[d + i] = scale * s[o + 2 + i];
        }
    }

    private static void q4_0(byte[] s, int o, float[] y, int d) {
        float scale = f16(s, o);
        for (int i = 0; i < 16; i++) {
            int v = s[o + 2 + i] & 0xFF;
            y[d + i] = scale * ((v & 0x0F) - 8);
            y[d + i + 16] = scale * ((v >>> 4) - 8);
        }
    }

    private static void q4_1(byte[] s, int o, float[] y, int d) {
        float scale = f16(s, o);
        float min = f16(s, o + 2);
        for (int i = 0; i < 16; i++) {
            int v = s[o + 4 + i] & 0xFF;
            y[d + i] = scale * (v & 0x0F) + min;
            y[d + i + 16] = scale * (v >>> 4) + min;
        }
    }

    /** Q5_0 ({@code q - 16}) and Q5_1 ({@code d * q + m}): the fifth bits in a 32-bit mask. */
    private static void q5(byte[] s, int o, float[] y, int d, boolean withMin) {
        float scale = f16(s, o);
        float min = withMin ? f16(s, o + 2) : 0;
        int h = o + (withMin ? 4 : 2);
        int qh = i32(s, h);
        int qs = h + 4;
        int offset = withMin ? 0 : 16;
        for (int j = 0; j < 16; j++) {
            int v = s[qs + j] & 0xFF;
            int x0 = ((v & 0x0F) | (((qh >>> j) << 4) & 0x10)) - offset;
            int x1 = ((v >>> 4) | ((qh >>> (j + 12)) & 0x10)) - offset;
            y[d + j] = x0 * scale + min;
            y[d + j + 16] = x1 * scale + min;
        }
    }

    /** The 6-bit scale of Q4_K/Q5_K sub-block {@code j} from the 12 packed bytes at {@code b[q..]}. */
    public static int scaleK4(byte[] b, int q, int j) {
        if (j < 4) {
            return b[q + j] & 63;
        }
        return (b[q + j + 4] & 0x0F) | ((b[q + j - 4] & 0xFF) >>> 6) << 4;
    }

    /** The 6-bit min of Q4_K/Q5_K sub-block {@code j} from the 12 packed bytes at {@code b[q..]}. */
    public static int minK4(byte[] b, int q, int j) {
        if (j < 4) {
            return b[q + j + 4] & 63;
        }
        return ((b[q + j + 4] & 0xFF) >>> 4) | ((b[q + j] & 0xFF) >>> 6) << 4;
    }

    private static void q4_k(byte[] s, int o, float[] y, int d) {
        float scale = f16(s, o);
        float min = f16(s, o + 2);
        int sc = o + 4;
        int qs = o + 16;
        for (int j = 0; j < 4; j++) {
            float d1 = scale * scaleK4(s, sc, 2 * j);
            float m1 = min * minK4(s, sc, 2 * j);
            float d2 = scale * scaleK4(s, sc, 2 * j + 1);
            float m2 = min * minK4(s, sc, 2 * j + 1);
            for (int l = 0; l < 32; l++) {
                int v = s[qs + 32 * j + l] & 0xFF;
                y[d + 64 * j + l] = d1 * (v & 0x0F) - m1;
                y[d + 64 * j + 32 + l] = d2 * (v >>> 4) - m2;
            }
        }
    }

    private static void q5_k(byte[] s, int o, float[] y, int d) {
        float scale = f16(s, o);
        float min = f16(s, o + 2);
        int sc = o + 4;
        int qh = o + 16;
        int qs = o + 48;
        for (int j = 0; j < 4; j++) {
            float d1 = scale * scaleK4(s, sc, 2 * j);
            float m1 = min * minK4(s, sc, 2 * j);
            float d2 = scale * scaleK4(s, sc, 2 * j + 1);
            float m2 = min * minK4(s, sc, 2 * j + 1);
            for (int l = 0; l < 32; l++) {
                int v = s[qs + 32 * j + l] & 0xFF;
                int h = s[qh + l] & 0xFF;
                y[d + 64 * j + l] = d1 * ((v & 0x0F) + (((h >>> (2 * j)) & 1) << 4)) - m1;
                y[d + 64 * j + 32 + l] = d2 * ((v >>> 4) + (((h >>> (2 * j + 1)) & 1) << 4)) - m2;
            }
        }
    }

    private static void q6_k(byte[] s, int o, float[] y, int d) {
        float scale = f16(s, o + 208);
        for (int n = 0; n < 2; n++) {
            int ql = o + 64 * n;
            int qh = o + 128 + 32 * n;
            int sc = o + 192 + 8 * n;
            int yo = d + 128 * n;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int lo0 = s[ql + l] & 0xFF;
                int lo1 = s[ql + l + 32] & 0xFF;
                int h = s[qh + l] & 0xFF;
                int q1 = ((lo0 & 0x0F) | ((h & 3) << 4)) - 32;
                int q2 = ((lo1 & 0x0F) | (((h >>> 2) & 3) << 4)) - 32;
                int q3 = ((lo0 >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                int q4 = ((lo1 >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                y[yo + l] = scale * s[sc + is] * q1;
                y[yo + l + 32] = scale * s[sc + is + 2] * q2;
                y[yo + l + 64] = scale * s[sc + is + 4] * q3;
                y[yo + l + 96] = scale * s[sc + is + 6] * q4;
            }
        }
    }
}
