package io.llamastream.engine.tokenizer;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the BPE result of recent pre-token pieces. Natural text repeats a small set of words,
 * so most pieces skip BPE entirely. Shared by all threads using one tokenizer; bounded by dropping
 * everything when full, which is crude but cheap and keeps memory predictable (a hot working set
 * refills within a few thousand pieces). Cached arrays are shared and must never be modified.
 */
final class PieceCache {
    private final ConcurrentHashMap<String, int[]> map;
    private final int maxEntries;

    PieceCache(int maxEntries) {
        this.maxEntries = maxEntries;
        this.map = new ConcurrentHashMap<>(Math.min(maxEntries, 1 << 16));
    }

    int[] get(String piece) {
        return map.get(piece);
    }

    void put(String piece, int[] ids) {
        if (map.size() >= maxEntries) {
            map.clear();
        }
        map.put(piece, ids);
    }
}
