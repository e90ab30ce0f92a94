package io.llamastream.engine.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Automatic prefix cache: KV blocks of {@code blockSize} positions keyed by the whole token
 * prefix up to the block's end (a chain hash, verified against the block's own tokens and its
 * parent key), shared across requests and sessions and evicted least-recently-used under a byte
 * budget. A request whose prompt starts like an earlier one copies the cached blocks into its
 * cache and prefills only the rest. Thread-safe.
 */
public final class PrefixCache {
    private record Key(long hash) { }

    private record Entry(long parent, int[] tokens, KvSpan block) { }

    private final int blockSize;
    private final long budgetBytes;
    private final LinkedHashMap<Key, Entry> blocks = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;
    private long hitTokens;

    public PrefixCache(int blockSize, long budgetBytes) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("block size must be >= 1");
        }
        this.blockSize = blockSize;
        this.budgetBytes = budgetBytes;
    }

    public int blockSize() {
        return blockSize;
    }

    static long chain(long parent, int[] tokens, int from, int count) {
        long h = parent * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        for (int i = 0; i < count; i++) {
            h = (h ^ tokens[from + i]) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        return h;
    }

    /**
     * Copies the longest cached prefix of {@code prompt} (whole blocks, leaving at least
     * {@code keepLast} tokens uncached so the model still computes the last logits) into the
     * empty {@code cache}; returns the number of positions restored.
     */
    public synchronized int restore(int[] prompt, int keepLast, KvCache cache) {
        if (cache.length() != 0) {
            throw new IllegalArgumentException("restore needs an empty cache");
        }
        int limit = Math.max(0, prompt.length - keepLast) / blockSize;
        List<KvSpan> found = new ArrayList<>();
        long parent = 0;
        for (int b = 0; b < limit; b++) {
            int from = b * blockSize;
            long h = chain(parent, prompt, from, blockSize);
            Entry e = blocks.get(new Key(h));
            if (e == null || e.parent() != parent
                    || !Arrays.equals(e.tokens(), 0, blockSize, prompt, from, from + blockSize)) {
                break;
            }
            found.add(e.block());
            parent = h;
        }
        if (found.isEmpty()) {
            misses++;
            return 0;
        }
        hits++;
        for (KvSpan block : found) {
            cache.append(block);
        }
        hitTokens += (long) found.size() * blockSize;
        return found.size() * blockSize;
    }

    /**
     * Offers the whole blocks of {@code tokens} that end within (written - justWritten, written],
     * exporting them from {@code cache} (which holds {@code written} positions of {@code tokens}).
     */
    public synchronized void offer(int[] tokens, int written, int justWritten, KvCache cache) {
        int firstBlock = (written - justWritten) / blockSize;
        int endBlock = written / blockSize;
        if (endBlock <= firstBlock || budgetBytes <= 0) {
            return;
        }
        long parent = 0;
        for (int b = 0; b < endBlock; b++) {
            int from = b * blockSize;
            long h = chain(parent, tokens, from, blockSize);
            if (b >= firstBlock && !blocks.containsKey(new Key(h))) {
                KvSpan block = cache.export(from, blockSize);
                blocks.put(new Key(h), new Entry(parent, Arrays.copyOfRange(tokens, from, from + blockSize), block));
                bytes += block.bytes();
            }
            parent = h;
        }
        evict();
    }

    private void evict() {
        var it = blocks.entrySet().iterator();
        while (bytes > budgetBytes && it.hasNext()) {
            Map.Entry<Key, Entry> e = it.next();
            bytes -= e.getValue().block().bytes();
            it.remove();
        }
    }

    public synchronized Stats stats() {
        return new Stats(hits, misses, hitTokens, blocks.size(), bytes);
    }

    /** Lookups that restored at least one block, lookups that restored none, and current size. */
    public record Stats(long hits, long misses, long hitTokens, int blocks, long bytes) {
        public double hitRatio() {
            long n = hits + misses;
            return n == 0 ? 0 : (double) hits / n;
        }
    }
}
