package io.llamastream.engine.tokenizer;

import java.util.Arrays;

/**
 * Hugging Face BPE merges: the ranked list of token pairs that may be joined. A token can be
 * reachable by one pair only, so the rule is keyed by the pair of ids, not by the joined bytes.
 * Stored in primitive open addressing because o200k has 446k merges and boxed maps would cost
 * tens of megabytes.
 */
final class PairMergeTable implements MergeRule {
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final long[] packed;
    private final int mask;
    private int size;

    PairMergeTable(int expectedMerges) {
        int capacity = Integer.highestOneBit(Math.max(4, expectedMerges * 2 + 1)) << 1;
        keys = new long[capacity];
        packed = new long[capacity];
        Arrays.fill(keys, EMPTY);
        mask = capacity - 1;
    }

    /** Adds a merge; returns false (and keeps the first, lower rank) if the pair was already present. */
    boolean add(int leftId, int rightId, int rank, int mergedId) {
        if (size * 2 >= keys.length) {
            throw new IllegalStateException("more merges than announced");
        }
        long key = key(leftId, rightId);
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        packed[slot] = MergeRule.pack(rank, mergedId);
        size++;
        return true;
    }

    @Override
    public long merge(byte[] bytes, int start, int leftId, int mid, int rightId, int end) {
        long key = key(leftId, rightId);
        int slot = slot(key);
        long k;
        while ((k = keys[slot]) != EMPTY) {
            if (k == key) {
                return packed[slot];
            }
            slot = (slot + 1) & mask;
        }
        return NO_MERGE;
    }

    private static long key(int leftId, int rightId) {
        return ((long) leftId << 32) | (rightId & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
