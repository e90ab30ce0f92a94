package io.llamastream.engine.checkpoint.gguf;

/**
 * The tensor element types a GGUF file may declare (ggml's {@code ggml_type} ids), with their
 * block length in elements and block size in bytes, so the byte size of any tensor is known
 * from its header alone. Every id ggml defines is listed, whether or not the engine can compute
 * with it: {@link #decodable()} says which ones the loader accepts, and a file with an id not in
 * this table is refused while its header is read.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    IQ2_XXS(16, 256, 66),
    IQ2_XS(17, 256, 74),
    IQ3_XXS(18, 256, 98),
    IQ1_S(19, 256, 50),
    IQ4_NL(20, 32, 18),
    IQ3_S(21, 256, 110),
    IQ2_S(22, 256, 82),
    IQ4_XS(23, 256, 136),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    IQ1_M(29, 256, 56),
    BF16(30, 1, 2),
    TQ1_0(34, 256, 54),
    TQ2_0(35, 256, 66),
    MXFP4(39, 32, 17);

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final int blockSize;
    private final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** The type with ggml id {@code id}, or null when ggml defines none. */
    public static GgmlType byId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    public int id() {
        return id;
    }

    /** Elements per block (1 for the plain types, 32 or 256 for the quantized ones). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int blockBytes() {
        return blockBytes;
    }

    /** Bytes of {@code elements} values; {@code elements} must be a whole number of blocks. */
    public long bytes(long elements) {
        return Math.multiplyExact(elements / blockSize, (long) blockBytes);
    }

    /** Whether {@link BlockDecoder} can turn this type into floats (and so the loader accept it). */
    public boolean decodable() {
        switch (this) {
            case F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K:
                return true;
            default:
                return false;
        }
    }

    /** The K-quants: super-blocks of 256 with packed sub-block scales. */
    public boolean isKQuant() {
        return this == Q4_K || this == Q5_K || this == Q6_K;
    }
}
