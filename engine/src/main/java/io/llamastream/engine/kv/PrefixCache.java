package io.llamastream.engine.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Automatic prefix cache: KV pages of {@code pageSize} positions keyed by the whole token
 * prefix up to the page's end (a chain hash, verified against the page's own tokens and its
 * parent key), shared across requests and sessions and evicted least-recently-used under a byte
 * budget. A request whose prompt starts like an earlier one copies the cached pages into its
 * cache and prefills only the rest. Thread-safe.
 */
public final class PrefixCache {
    private record Key(long hash) {}

    private record Entry(long parent, int[] tokens, KvSpan span) {}

    private final int pageSize;
    private final long budgetBytes;
    private final LinkedHashMap<Key, Entry> pages = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;
    private long hitTokens;

    public PrefixCache(int pageSize, long budgetBytes) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be >= 1");
        }
        this.pageSize = pageSize;
        this.budgetBytes = budgetBytes;
    }

    public int pageSize() {
        return pageSize;
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
     * Copies the longest cached prefix of {@code prompt} (whole pages, leaving at least
     * {@code keepLast} tokens uncached so the model still computes the last logits) into the
     * empty {@code cache}; returns the number of positions restored.
     */
    public synchronized int restore(int[] prompt, int keepLast, KvCache cache) {
        if (cache.length() != 0) {
            throw new IllegalArgumentException("restore needs an empty cache");
        }
        int limit = Math.max(0, prompt.length - keepLast) / pageSize;
        List<KvSpan> found = new ArrayList<>();
        long parent = 0;
        for (int b = 0; b < limit; b++) {
            int from = b * pageSize;
            long h = chain(parent, prompt, from, pageSize);
            Entry e = pages.get(new Key(h));
            if (e == null
                    || e.parent() != parent
                    || !Arrays.equals(e.tokens(), 0, pageSize, prompt, from, from + pageSize)) {
                break;
            }
            found.add(e.span());
            parent = h;
        }
        if (found.isEmpty()) {
            misses++;
            return 0;
        }
        hits++;
        for (KvSpan span : found) {
            cache.append(span);
        }
        hitTokens += (long) found.size() * pageSize;
        return found.size() * pageSize;
    }

    /**
     * Offers the whole pages of {@code tokens} that end within (written - justWritten, written],
     * exporting them from {@code cache} (which holds {@code written} positions of {@code tokens}).
     */
    public synchronized void offer(int[] tokens, int written, int justWritten, KvCache cache) {
        int firstPage = (written - justWritten) / pageSize;
        int endPage = written / pageSize;
        if (endPage <= firstPage || budgetBytes <= 0) {
            return;
        }
        long parent = 0;
        for (int b = 0; b < endPage; b++) {
            int from = b * pageSize;
            long h = chain(parent, tokens, from, pageSize);
            if (b >= firstPage && !pages.containsKey(new Key(h))) {
                KvSpan span = cache.export(from, pageSize);
                pages.put(new Key(h), new Entry(parent, Arrays.copyOfRange(tokens, from, from + pageSize), span));
                bytes += span.bytes();
            }
            parent = h;
        }
        evict();
    }

    private void evict() {
        var it = pages.entrySet().iterator();
        while (bytes > budgetBytes && it.hasNext()) {
            Map.Entry<Key, Entry> e = it.next();
            bytes -= e.getValue().span().bytes();
            it.remove();
        }
    }

    public synchronized Stats stats() {
        return new Stats(hits, misses, hitTokens, pages.size(), bytes);
    }

    /** Lookups that restored at least one page, lookups that restored none, and current size. */
    public record Stats(long hits, long misses, long hitTokens, int pages, long bytes) {
        public double hitRatio() {
            long n = hits + misses;
            return n == 0 ? 0 : (double) hits / n;
        }
    }
}
