package io.llamastream.engine.checkpoint.gguf;

import java.util.Arrays;

/**
 * One tensor's header entry in a GGUF file: name, dimensions in ggml order ({@code ne[0]} is the
 * contiguous, innermost one), element type, and where its bytes are relative to the start of the
 * file's data section. Validated when the header is read: 1 to 4 dimensions, whole blocks per
 * row, aligned and inside the file.
 */
public record GgufTensor(String name, long[] ne, GgmlType type, long offset, long bytes) {

    /** The dimensions outermost first, as safetensors and PyTorch write shapes ({@code ne} reversed). */
    public long[] shape() {
        long[] s = new long[ne.length];
        for (int i = 0; i < ne.length; i++) {
            s[i] = ne[ne.length - 1 - i];
        }
        return s;
    }

    public long elements() {
        long n = 1;
        for (long d : ne) {
            n *= d;
        }
        return n;
    }

    /** Bytes of one row ({@code ne[0]} values). */
    public long rowBytes() {
        return type.bytes(ne[0]);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape());
    }
}
