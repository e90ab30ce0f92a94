package io.llamastream.engine.kv;

/**
 * Keys and values of a run of consecutive positions for every layer ({@code [layer][pos * kvWidth]}),
 * as held by the prefix cache and copied into a new sequence's {@link KvCache} on a hit.
 */
public record KvSpan(int positions, float[][] keys, float[][] values) {
    public long bytes() {
        long b = 0;
        for (int l = 0; l < keys.length; l++) {
            b += (long) (keys[l].length + values[l].length) * Float.BYTES;
        }
        return b;
    }
}
