package io.llamastream.engine.checkpoint;

/**
 * Element types a safetensors file may declare, with their width in bytes. Only the floating
 * types and the integer types used by fixtures and CLI outputs are readable as numbers; anything
 * else is rejected when the header is parsed, so a model with an unknown dtype fails at load.
 */
public enum DType {
    BF16(2),
    F16(2),
    F32(4),
    I32(4),
    I64(8),
    U8(1),
    I8(1),
    I16(2),
    BOOL(1),
    F64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    public boolean isFloating() {
        return this == BF16 || this == F16 || this == F32 || this == F64;
    }

    /** Parses the header spelling, or returns null for a name safetensors does not define. */
    public static DType parse(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
