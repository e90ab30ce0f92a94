package io.llamastream.engine.decoder;

import io.llamastream.engine.model.TextModelConfig;
import java.util.Arrays;

/**
 * One sequence's keys and values, per layer. Global (NoPE) layers keep every position; local
 * (chunked RoPE) layers keep only the current attention chunk, in slots {@code pos % chunk},
 * because their queries never look across a chunk boundary. {@link #length()} is the number of
 * positions already written, which is also the position of the next token.
 */
public final class KvCache {
    private final int kvWidth;
    private final int chunk;
    private final boolean[] local;
    private final float[][] keys;
    private final float[][] values;
    private int length;

    public KvCache(TextModelConfig config) {
        this.kvWidth = config.numKvHeads() * config.headDim();
        this.chunk = config.attentionChunkSize();
        int layers = config.numLayers();
        this.local = new boolean[layers];
        this.keys = new float[layers][];
        this.values = new float[layers][];
        for (int l = 0; l < layers; l++) {
            local[l] = config.ropeLayers()[l] && chunk != Integer.MAX_VALUE;
            int initial = local[l] ? Math.min(chunk, 64) : 64;
            keys[l] = new float[initial * kvWidth];
            values[l] = new float[initial * kvWidth];
        }
    }

    public int length() {
        return length;
    }

    /** Marks {@code n} more positions as written, after every layer has stored them. */
    void advance(int n) {
        length += n;
    }

    /**
     * Drops everything after the first {@code n} positions. Local layers hold only the current
     * chunk, so {@code n} must not fall in an earlier chunk than the last written position.
     */
    public void truncate(int n) {
        if (n > length || n < 0) {
            throw new IllegalArgumentException("cannot truncate " + length + " positions to " + n);
        }
        boolean anyLocal = false;
        for (boolean l : local) {
            anyLocal |= l;
        }
        if (anyLocal && n > 0 && length > 0 && n / chunk != (length - 1) / chunk) {
            throw new IllegalArgumentException("cannot truncate to " + n + ": chunked layers no longer hold that chunk");
        }
        length = n;
    }

    boolean isLocal(int layer) {
        return local[layer];
    }

    /** First position whose keys layer {@code layer} still holds for a query at {@code pos}. */
    int firstVisible(int layer, int pos) {
        return local[layer] ? pos / chunk * chunk : 0;
    }

    int slot(int layer, int pos) {
        return (local[layer] ? pos % chunk : pos) * kvWidth;
    }

    void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        int needed = (local[layer] ? Math.min(pos + 1, chunk) : pos + 1) * kvWidth;
        if (keys[layer].length < needed) {
            int grown = Math.max(needed, keys[layer].length * 2);
            if (local[layer]) {
                grown = Math.min(grown, chunk * kvWidth);
            }
            keys[layer] = Arrays.copyOf(keys[layer], grown);
            values[layer] = Arrays.copyOf(values[layer], grown);
        }
        int s = slot(layer, pos);
        System.arraycopy(k, kOff, keys[layer], s, kvWidth);
        System.arraycopy(v, vOff, values[layer], s, kvWidth);
    }

    /**
     * Copies positions [from, from+count) of every layer out, for the prefix cache. Local layers
     * must still hold them, i.e. they lie in the chunk of the last written position.
     */
    public KvBlock export(int from, int count) {
        if (from < 0 || from + count > length) {
            throw new IllegalArgumentException("positions " + from + "+" + count + " not written (length " + length + ")");
        }
        float[][] k = new float[keys.length][];
        float[][] v = new float[keys.length][];
        for (int l = 0; l < keys.length; l++) {
            if (local[l] && from < firstVisible(l, length - 1)) {
                throw new IllegalStateException("layer " + l + " no longer holds position " + from);
            }
            k[l] = new float[count * kvWidth];
            v[l] = new float[count * kvWidth];
            for (int i = 0; i < count; i++) {
                System.arraycopy(keys[l], slot(l, from + i), k[l], i * kvWidth, kvWidth);
                System.arraycopy(values[l], slot(l, from + i), v[l], i * kvWidth, kvWidth);
            }
        }
        return new KvBlock(count, k, v);
    }

    /** Appends a block exported from another cache of the same model at this cache's end. */
    public void append(KvBlock block) {
        for (int i = 0; i < block.positions(); i++) {
            for (int l = 0; l < keys.length; l++) {
                store(l, length + i, block.keys()[l], i * kvWidth, block.values()[l], i * kvWidth);
            }
        }
        length += block.positions();
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    /** Bytes held by this cache's arrays. */
    public long bytes() {
        long b = 0;
        for (int l = 0; l < keys.length; l++) {
            b += (long) (keys[l].length + values[l].length) * Float.BYTES;
        }
        return b;
    }
}
