package io.llamastream.engine.kv;

import io.llamastream.engine.checkpoint.TextModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * One sequence's keys and values, per layer, in pages from a {@link KvPagePool}. Global (NoPE)
 * layers keep every position; local (chunked RoPE) layers keep only the current attention chunk
 * and hand their pages back when a new chunk starts, because their queries never look across a
 * chunk boundary. {@link #length()} is the number of positions written, which is also the
 * position of the next token.
 */
public final class KvCache {
    private final KvPagePool pool;
    private final int kvWidth;
    private final int chunk;
    private final int pagePositions;
    private final boolean[] local;
    private final List<List<float[]>> keys = new ArrayList<>();
    private final List<List<float[]>> values = new ArrayList<>();
    /** Per layer, the position held at offset 0 of its first page. */
    private final int[] first;

    private int length;

    public KvCache(TextModelConfig config, KvPagePool pool) {
        this.pool = pool;
        this.kvWidth = config.numKvHeads() * config.headDim();
        this.chunk = config.attentionChunkSize();
        this.pagePositions = pool.pagePositions();
        int layers = config.numLayers();
        this.local = new boolean[layers];
        this.first = new int[layers];
        for (int l = 0; l < layers; l++) {
            local[l] = config.ropeLayers()[l] && chunk != Integer.MAX_VALUE;
            keys.add(new ArrayList<>());
            values.add(new ArrayList<>());
        }
        if (chunk != Integer.MAX_VALUE && chunk % pagePositions != 0) {
            throw new IllegalArgumentException(
                    "KV page of " + pagePositions + " positions does not divide the attention chunk " + chunk);
        }
    }

    public int length() {
        return length;
    }

    /** Marks {@code n} more positions as written, after every layer has stored them. */
    public void advance(int n) {
        length += n;
    }

    /**
     * Pages this cache must take from the pool to grow to {@code newLength} positions, counting
     * the pages local layers give back at chunk boundaries on the way (the peak net demand).
     */
    public int pagesToGrow(int newLength) {
        int total = 0;
        for (int l = 0; l < local.length; l++) {
            int held = keys.get(l).size();
            int start = first[l];
            int net = 0;
            int peak = 0;
            for (int pos = length; pos < newLength; pos++) {
                if (local[l] && pos % chunk == 0 && pos > start) {
                    net -= held;
                    held = 0;
                    start = pos;
                }
                if ((pos - start) / pagePositions >= held) {
                    held++;
                    net++;
                    peak = Math.max(peak, net);
                }
            }
            total += 2 * peak;
        }
        return total;
    }

    /**
     * Drops everything after the first {@code n} positions. Local layers hold only the current
     * chunk, so {@code n} must not fall in an earlier chunk than the last written position.
     */
    public void truncate(int n) {
        if (n > length || n < 0) {
            throw new IllegalArgumentException("cannot truncate " + length + " positions to " + n);
        }
        for (int l = 0; l < local.length; l++) {
            if (local[l] && n > 0 && length > 0 && n / chunk != (length - 1) / chunk) {
                throw new IllegalArgumentException(
                        "cannot truncate to " + n + ": chunked layers no longer hold that chunk");
            }
        }
        length = n;
        for (int l = 0; l < local.length; l++) {
            int keep = n <= first[l] ? 0 : (n - first[l] + pagePositions - 1) / pagePositions;
            while (keys.get(l).size() > keep) {
                pool.release(keys.get(l).remove(keys.get(l).size() - 1));
                pool.release(values.get(l).remove(values.get(l).size() - 1));
            }
        }
    }

    /** Returns every page to the pool; the cache is empty afterwards. */
    public void release() {
        for (int l = 0; l < local.length; l++) {
            releaseLayer(l);
            first[l] = 0;
        }
        length = 0;
    }

    private void releaseLayer(int l) {
        keys.get(l).forEach(pool::release);
        values.get(l).forEach(pool::release);
        keys.get(l).clear();
        values.get(l).clear();
    }

    public boolean isLocal(int layer) {
        return local[layer];
    }

    /** First position whose keys layer {@code layer} still holds for a query at {@code pos}. */
    public int firstVisible(int layer, int pos) {
        return local[layer] ? pos / chunk * chunk : 0;
    }

    public void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        if (local[layer] && pos % chunk == 0 && pos > first[layer]) {
            releaseLayer(layer);
            first[layer] = pos;
        }
        int page = (pos - first[layer]) / pagePositions;
        List<float[]> kl = keys.get(layer);
        while (kl.size() <= page) {
            kl.add(pool.allocate());
            values.get(layer).add(pool.allocate());
        }
        int off = (pos - first[layer]) % pagePositions * kvWidth;
        System.arraycopy(k, kOff, kl.get(page), off, kvWidth);
        System.arraycopy(v, vOff, values.get(layer).get(page), off, kvWidth);
    }

    /** The page holding the keys of {@code pos} in {@code layer}. */
    public float[] keyPage(int layer, int pos) {
        return keys.get(layer).get((pos - first[layer]) / pagePositions);
    }

    public float[] valuePage(int layer, int pos) {
        return values.get(layer).get((pos - first[layer]) / pagePositions);
    }

    /** How many positions from {@code pos} on (itself included) lie in the same page of {@code layer}. */
    public int positionsLeftInPage(int layer, int pos) {
        return pagePositions - (pos - first[layer]) % pagePositions;
    }

    /** Offset of {@code pos} within its page. */
    public int pageOffset(int layer, int pos) {
        return (pos - first[layer]) % pagePositions * kvWidth;
    }

    /**
     * Copies positions [from, from+count) of every layer out, for the prefix cache. Local layers
     * must still hold them, i.e. they lie in the chunk of the last written position.
     */
    public KvSpan export(int from, int count) {
        if (from < 0 || from + count > length) {
            throw new IllegalArgumentException(
                    "positions " + from + "+" + count + " not written (length " + length + ")");
        }
        float[][] k = new float[local.length][];
        float[][] v = new float[local.length][];
        for (int l = 0; l < local.length; l++) {
            if (from < first[l]) {
                throw new IllegalStateException("layer " + l + " no longer holds position " + from);
            }
            k[l] = new float[count * kvWidth];
            v[l] = new float[count * kvWidth];
            for (int i = 0; i < count; i++) {
                System.arraycopy(keyPage(l, from + i), pageOffset(l, from + i), k[l], i * kvWidth, kvWidth);
                System.arraycopy(valuePage(l, from + i), pageOffset(l, from + i), v[l], i * kvWidth, kvWidth);
            }
        }
        return new KvSpan(count, k, v);
    }

    /** Appends a span exported from another cache of the same model at this cache's end. */
    public void append(KvSpan kv) {
        for (int i = 0; i < kv.positions(); i++) {
            for (int l = 0; l < local.length; l++) {
                store(l, length + i, kv.keys()[l], i * kvWidth, kv.values()[l], i * kvWidth);
            }
        }
        length += kv.positions();
    }

    /**
     * Bytes one sequence of {@code positions} takes in an unbounded pool (the peak, in whole
     * pages): the KV budget of a command that runs one sequence alone.
     */
    public static long bytesFor(TextModelConfig config, int positions) {
        KvPagePool pool = KvPagePool.unbounded(config);
        return new KvCache(config, pool).pagesToGrow(positions) * pool.pageBytes();
    }

    /** Bytes of the pages this cache holds. */
    public long bytes() {
        long pages = 0;
        for (int l = 0; l < local.length; l++) {
            pages += keys.get(l).size() + values.get(l).size();
        }
        return pages * pool.pageBytes();
    }
}
