package io.llamastream.engine.kv;

import io.llamastream.engine.checkpoint.TextModelConfig;
import java.util.ArrayDeque;

/**
 * The KV memory of one engine, handed out in pages: a page holds the keys (or the values) of
 * {@code pagePositions} consecutive positions of one layer. A byte budget bounds how many pages
 * exist; freed pages are reused, so a busy engine allocates nothing in steady state. The
 * scheduler checks {@link #freePages()} before a step, so a step never runs out mid-way.
 */
public final class KvPagePool {
    private final int pagePositions;
    private final int pageFloats;
    private final long capacityPages;
    private final ArrayDeque<float[]> free = new ArrayDeque<>();
    private long inUse;

    public KvPagePool(TextModelConfig config, int pagePositions, long budgetBytes) {
        if (pagePositions < 1) {
            throw new IllegalArgumentException("page size must be >= 1");
        }
        this.pagePositions = pagePositions;
        this.pageFloats = pagePositions * config.numKvHeads() * config.headDim();
        this.capacityPages = Math.max(0, budgetBytes / ((long) pageFloats * Float.BYTES));
    }

    /** A pool without a budget, for single-sequence use (the CLI, tests). */
    public static KvPagePool unbounded(TextModelConfig config) {
        return new KvPagePool(config, pageSizeFor(config, 16), Long.MAX_VALUE);
    }

    /** The largest page size up to {@code preferred} that divides the model's attention chunk. */
    public static int pageSizeFor(TextModelConfig config, int preferred) {
        int chunk = config.attentionChunkSize();
        return chunk == Integer.MAX_VALUE ? preferred : gcd(preferred, chunk);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    public int pagePositions() {
        return pagePositions;
    }

    public long pageBytes() {
        return (long) pageFloats * Float.BYTES;
    }

    public synchronized long capacityPages() {
        return capacityPages;
    }

    public synchronized long freePages() {
        return capacityPages - inUse;
    }

    public synchronized long usedBytes() {
        return inUse * pageBytes();
    }

    synchronized float[] allocate() {
        if (inUse >= capacityPages) {
            throw new IllegalStateException("KV budget exhausted: all " + capacityPages + " pages in use");
        }
        inUse++;
        float[] page = free.poll();
        return page != null ? page : new float[pageFloats];
    }

    synchronized void release(float[] page) {
        inUse--;
        // Keep freed pages for reuse, but never more than the budget could hand out at once.
        if (free.size() < capacityPages && free.size() < 1 << 20) {
            free.push(page);
        }
    }
}
