package io.llamastream.engine.weights;

import io.llamastream.engine.checkpoint.gguf.BlockDecoder;
import io.llamastream.engine.checkpoint.gguf.GgmlType;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Weights in one of ggml's K-quant formats (Q4_K, Q5_K, Q6_K), kept as the file stores them:
 * row-major super-blocks of 256 values with 6- or 8-bit sub-block scales, so memory equals the
 * file's bytes. One token: a fused kernel per row widens the 4-, 5- or 6-bit values to floats in
 * registers and multiply-adds them against the activations, applying each sub-block's scale
 * once (Q4_K/Q5_K's mins via the sub-block's activation sum). Several tokens: rows are decoded
 * into the shared float panel of {@link RowKernelMatrix} and its register tiles run over it.
 */
public final class KQuantMatrix extends RowKernelMatrix {
    private static final int SUPER = 256;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));

    private final GgmlType type;
    private final byte[] raw;
    private final int rowBytes;
    private final int superBlocks;

    /** Wraps {@code raw}: {@code rows} rows of {@code cols / 256} super-blocks of {@code type}. */
    public KQuantMatrix(GgmlType type, byte[] raw, int rows, int cols) {
        super(rows, cols);
        if (!type.isKQuant()) {
            throw new IllegalArgumentException(type + " is not a K-quant type");
        }
        if (cols % SUPER != 0) {
            throw new IllegalArgumentException("cols " + cols + " is not a multiple of " + SUPER);
        }
        if (L > 32 || 32 % L != 0) {
            throw new IllegalStateException(
                    "float vectors of " + L + " lanes are not supported by the K-quant kernels");
        }
        this.type = type;
        this.superBlocks = cols / SUPER;
        this.rowBytes = superBlocks * type.blockBytes();
        if ((long) rows * rowBytes != raw.length) {
            throw new IllegalArgumentException(raw.length + " bytes for " + rows + "x" + cols + " " + type
                    + ", expected " + (long) rows * rowBytes);
        }
        this.raw = raw;
    }

    public GgmlType type() {
        return type;
    }

    @Override
    public long bytes() {
        return raw.length;
    }

    /** Row r dequantized by the scalar reference decoder (for tests and lookups). */
    public void decodeRow(int r, float[] dst, int off) {
        BlockDecoder.decode(type, raw, r * rowBytes, dst, off, cols);
    }

    @Override
    void group1(int g, float[] x, int xOff, float[] out, int o) {
        int r = g * GROUP;
        float s0 = dot(r, x, xOff);
        float s1 = r + 1 < rows ? dot(r + 1, x, xOff) : 0;
        float s2 = r + 2 < rows ? dot(r + 2, x, xOff) : 0;
        float s3 = r + 3 < rows ? dot(r + 3, x, xOff) : 0;
        put(out, o, g, s0, s1, s2, s3);
    }

    @Override
    void decodeGroup(int g, float[] panel, int off, int stride) {
        for (int k = 0; k < GROUP; k++) {
            int r = g * GROUP + k;
            if (r < rows) {
                decodeRowVectors(r, panel, off + k * stride);
            } else {
                Arrays.fill(panel, off + k * stride, off + k * stride + cols, 0f);
            }
        }
    }

    /** Row r dequantized into {@code dst[off..]} with vector code (the prefill panel); the same values as {@link #decodeRow}. */
    private void decodeRowVectors(int r, float[] dst, int off) {
        int base = r * rowBytes;
        int blockBytes = type.blockBytes();
        for (int sb = 0; sb < superBlocks; sb++) {
            int o = base + sb * blockBytes;
            int y = off + sb * SUPER;
            if (type == GgmlType.Q6_K) {
                float d = BlockDecoder.f16(raw, o + 208);
                for (int n = 0; n < 2; n++) {
                    int ql = o + 64 * n;
                    int qh = o + 128 + 32 * n;
                    int sc = o + 192 + 8 * n;
                    int yb = y + 128 * n;
                    for (int l = 0; l < 32; l += L) {
                        ByteVector lo0 = ByteVector.fromArray(B, raw, ql + l);
                        ByteVector lo1 = ByteVector.fromArray(B, raw, ql + 32 + l);
                        ByteVector h = ByteVector.fromArray(B, raw, qh + l);
                        int is = sc + l / 16;
                        toFloat(lo0.and((byte) 0x0F)
                                        .or(h.and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                                        .sub((byte) 32))
                                .mul(d * raw[is])
                                .intoArray(dst, yb + l);
                        toFloat(lo1.and((byte) 0x0F)
                                        .or(h.lanewise(VectorOperators.LSHR, 2)
                                                .and((byte) 3)
                                                .lanewise(VectorOperators.LSHL, 4))
                                        .sub((byte) 32))
                                .mul(d * raw[is + 2])
                                .intoArray(dst, yb + 32 + l);
                        toFloat(lo0.lanewise(VectorOperators.LSHR, 4)
                                        .or(h.lanewise(VectorOperators.LSHR, 4)
                                                .and((byte) 3)
                                                .lanewise(VectorOperators.LSHL, 4))
                                        .sub((byte) 32))
                                .mul(d * raw[is + 4])
                                .intoArray(dst, yb + 64 + l);
                        toFloat(lo1.lanewise(VectorOperators.LSHR, 4)
                                        .or(h.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4))
                                        .sub((byte) 32))
                                .mul(d * raw[is + 6])
                                .intoArray(dst, yb + 96 + l);
                    }
                }
                continue;
            }
            boolean fifth = type == GgmlType.Q5_K;
            float d = BlockDecoder.f16(raw, o);
            float dmin = BlockDecoder.f16(raw, o + 2);
            int sc = o + 4;
            for (int j = 0; j < 4; j++) {
                int qs = o + (fifth ? 48 : 16) + 32 * j;
                FloatVector d1 = FloatVector.broadcast(F, d * BlockDecoder.scaleK4(raw, sc, 2 * j));
                FloatVector m1 = FloatVector.broadcast(F, dmin * BlockDecoder.minK4(raw, sc, 2 * j));
                FloatVector d2 = FloatVector.broadcast(F, d * BlockDecoder.scaleK4(raw, sc, 2 * j + 1));
                FloatVector m2 = FloatVector.broadcast(F, dmin * BlockDecoder.minK4(raw, sc, 2 * j + 1));
                for (int l = 0; l < 32; l += L) {
                    ByteVector v = ByteVector.fromArray(B, raw, qs + l);
                    ByteVector lo = v.and((byte) 0x0F);
                    ByteVector hi = v.lanewise(VectorOperators.LSHR, 4);
                    if (fifth) {
                        ByteVector h = ByteVector.fromArray(B, raw, o + 16 + l);
                        lo = lo.or(h.lanewise(VectorOperators.LSHR, 2 * j)
                                .and((byte) 1)
                                .lanewise(VectorOperators.LSHL, 4));
                        hi = hi.or(h.lanewise(VectorOperators.LSHR, 2 * j + 1)
                                .and((byte) 1)
                                .lanewise(VectorOperators.LSHL, 4));
                    }
                    toFloat(lo).fma(d1, m1.neg()).intoArray(dst, y + 64 * j + l);
                    toFloat(hi).fma(d2, m2.neg()).intoArray(dst, y + 64 * j + 32 + l);
                }
            }
        }
    }

    private float dot(int r, float[] x, int xOff) {
        int base = r * rowBytes;
        switch (type) {
            case Q4_K:
                return dotQ4K(base, x, xOff, false);
            case Q5_K:
                return dotQ4K(base, x, xOff, true);
            default:
                return dotQ6K(base, x, xOff);
        }
    }

    private static FloatVector toFloat(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
    }

    /** Q4_K, or Q5_K when {@code fifth}: {@code w = d * sc * q - dmin * m} per sub-block of 32. */
    private float dotQ4K(int base, float[] x, int xOff, boolean fifth) {
        int blockBytes = type.blockBytes();
        int qsStart = fifth ? 48 : 16;
        FloatVector acc = FloatVector.zero(F);
        for (int sb = 0; sb < superBlocks; sb++) {
            int o = base + sb * blockBytes;
            float d = BlockDecoder.f16(raw, o);
            float dmin = BlockDecoder.f16(raw, o + 2);
            int sc = o + 4;
            int xb = xOff + sb * SUPER;
            for (int j = 0; j < 4; j++) {
                int qs = o + qsStart + 32 * j;
                FloatVector p1 = FloatVector.zero(F);
                FloatVector p2 = FloatVector.zero(F);
                FloatVector s1 = FloatVector.zero(F);
                FloatVector s2 = FloatVector.zero(F);
                for (int l = 0; l < 32; l += L) {
                    ByteVector v = ByteVector.fromArray(B, raw, qs + l);
                    ByteVector lo = v.and((byte) 0x0F);
                    ByteVector hi = v.lanewise(VectorOperators.LSHR, 4);
                    if (fifth) {
                        ByteVector h = ByteVector.fromArray(B, raw, o + 16 + l);
                        lo = lo.or(h.lanewise(VectorOperators.LSHR, 2 * j)
                                .and((byte) 1)
                                .lanewise(VectorOperators.LSHL, 4));
                        hi = hi.or(h.lanewise(VectorOperators.LSHR, 2 * j + 1)
                                .and((byte) 1)
                                .lanewise(VectorOperators.LSHL, 4));
                    }
                    FloatVector x1 = FloatVector.fromArray(F, x, xb + 64 * j + l);
                    FloatVector x2 = FloatVector.fromArray(F, x, xb + 64 * j + 32 + l);
                    p1 = toFloat(lo).fma(x1, p1);
                    p2 = toFloat(hi).fma(x2, p2);
                    s1 = s1.add(x1);
                    s2 = s2.add(x2);
                }
                acc = p1.fma(FloatVector.broadcast(F, d * BlockDecoder.scaleK4(raw, sc, 2 * j)), acc);
                acc = p2.fma(FloatVector.broadcast(F, d * BlockDecoder.scaleK4(raw, sc, 2 * j + 1)), acc);
                acc = s1.fma(FloatVector.broadcast(F, -dmin * BlockDecoder.minK4(raw, sc, 2 * j)), acc);
                acc = s2.fma(FloatVector.broadcast(F, -dmin * BlockDecoder.minK4(raw, sc, 2 * j + 1)), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** Q6_K: {@code w = d * sc * (q - 32)}, q of 4 low bits in ql and 2 high bits in qh, 16 values per scale. */
    private float dotQ6K(int base, float[] x, int xOff) {
        FloatVector acc = FloatVector.zero(F);
        for (int sb = 0; sb < superBlocks; sb++) {
            int o = base + sb * 210;
            float d = BlockDecoder.f16(raw, o + 208);
            int xb0 = xOff + sb * SUPER;
            for (int n = 0; n < 2; n++) {
                int ql = o + 64 * n;
                int qh = o + 128 + 32 * n;
                int sc = o + 192 + 8 * n;
                int xb = xb0 + 128 * n;
                for (int l = 0; l < 32; l += L) {
                    ByteVector lo0 = ByteVector.fromArray(B, raw, ql + l);
                    ByteVector lo1 = ByteVector.fromArray(B, raw, ql + 32 + l);
                    ByteVector h = ByteVector.fromArray(B, raw, qh + l);
                    ByteVector q1 = lo0.and((byte) 0x0F)
                            .or(h.and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32);
                    ByteVector q2 = lo1.and((byte) 0x0F)
                            .or(h.lanewise(VectorOperators.LSHR, 2)
                                    .and((byte) 3)
                                    .lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32);
                    ByteVector q3 = lo0.lanewise(VectorOperators.LSHR, 4)
                            .or(h.lanewise(VectorOperators.LSHR, 4)
                                    .and((byte) 3)
                                    .lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32);
                    ByteVector q4 = lo1.lanewise(VectorOperators.LSHR, 4)
                            .or(h.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32);
                    int is = sc + l / 16;
                    FloatVector p1 = toFloat(q1).mul(FloatVector.fromArray(F, x, xb + l));
                    FloatVector p2 = toFloat(q2).mul(FloatVector.fromArray(F, x, xb + 32 + l));
                    FloatVector p3 = toFloat(q3).mul(FloatVector.fromArray(F, x, xb + 64 + l));
                    FloatVector p4 = toFloat(q4).mul(FloatVector.fromArray(F, x, xb + 96 + l));
                    acc = p1.fma(FloatVector.broadcast(F, d * raw[is]), acc);
                    acc = p2.fma(FloatVector.broadcast(F, d * raw[is + 2]), acc);
                    acc = p3.fma(FloatVector.broadcast(F, d * raw[is + 4]), acc);
                    acc = p4.fma(FloatVector.broadcast(F, d * raw[is + 6]), acc);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
