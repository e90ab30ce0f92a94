package io.llamastream.operators;

import java.io.Serializable;

/**
 * How the TaskManager's shared engine is set up: compute threads (0 = available cores), KV
 * cache budget in bytes, prefix-cache budget in bytes, and the weight format (native, f32, bf16,
 * q8, q4; null for the model's own: a {@code .gguf} file's types as stored, bf16 for a folder).
 */
public record EngineSettings(int threads, long kvCacheBytes, long prefixCacheBytes, String weightFormat)
        implements Serializable {
    public static EngineSettings defaults() {
        return new EngineSettings(0, 1L << 30, 256L << 20, null);
    }
}
