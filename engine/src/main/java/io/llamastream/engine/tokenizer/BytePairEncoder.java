package io.llamastream.engine.tokenizer;

import java.util.PriorityQueue;

/**
 * Byte-pair encoding of one pre-token piece: start from one token per byte, then repeatedly join
 * the adjacent pair with the lowest merge rank (leftmost on ties) until no pair may merge. Short
 * pieces use a plain scan (fastest for the usual 2-10 bytes); long ones, such as a run of thousands
 * of letters, use a heap so the cost stays O(n log n) instead of O(n^2). Stateless and thread-safe.
 */
final class BytePairEncoder {
    /** Above this many bytes the quadratic scan loses to the heap. */
    static final int SCAN_LIMIT = 128;

    private final int[] byteIds;
    private final ByteSequenceTable vocab;
    private final MergeRule rule;
    private final boolean wholePieceFirst;

    /**
     * @param byteIds         token id of each single byte, -1 where the vocabulary lacks it (such
     *                        bytes are dropped, as Hugging Face BPE without an unk token does)
     * @param wholePieceFirst emit a piece that is itself a token directly (tiktoken, and Hugging Face
     *                        {@code ignore_merges}) instead of reaching it through merges
     */
    BytePairEncoder(int[] byteIds, ByteSequenceTable vocab, MergeRule rule, boolean wholePieceFirst) {
        this.byteIds = byteIds;
        this.vocab = vocab;
        this.rule = rule;
        this.wholePieceFirst = wholePieceFirst;
    }

    int[] encode(byte[] bytes, int len) {
        if (len == 0) {
            return new int[0];
        }
        if (wholePieceFirst) {
            int id = vocab.get(bytes, 0, len);
            if (id >= 0) {
                return new int[] {id};
            }
        }
        return len <= SCAN_LIMIT ? scan(bytes, len) : heap(bytes, len);
    }

    /** Quadratic reference algorithm; package-visible so tests can compare it with the heap. */
    int[] scan(byte[] bytes, int len) {
        int[] start = new int[len + 1];
        int[] id = new int[len];
        int n = 0;
        for (int i = 0; i < len; i++) {
            int b = byteIds[bytes[i] & 0xFF];
            if (b >= 0) {
                start[n] = i;
                id[n++] = b;
            }
        }
        if (n == 0) {
            return new int[0];
        }
        start[n] = len;
        // merges[i] is the merge of parts i and i+1; kept up to date so each step is one min-scan.
        long[] merges = new long[Math.max(n - 1, 0)];
        for (int i = 0; i + 1 < n; i++) {
            merges[i] = rule.merge(bytes, start[i], id[i], start[i + 1], id[i + 1], start[i + 2]);
        }
        while (n > 1) {
            int best = -1;
            long bestMerge = Long.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                long m = merges[i];
                // Compare ranks only (high half): the id in the low half must not break ties.
                if (m != MergeRule.NO_MERGE && (m >>> 32) < (bestMerge >>> 32)) {
                    best = i;
                    bestMerge = m;
                }
            }
            if (best < 0) {
                break;
            }
            id[best] = (int) bestMerge;
            System.arraycopy(id, best + 2, id, best + 1, n - best - 2);
            System.arraycopy(start, best + 2, start, best + 1, n - best - 1);
            System.arraycopy(merges, best + 1, merges, best, n - best - 2);
            n--;
            if (best > 0) {
                merges[best - 1] =
                        rule.merge(bytes, start[best - 1], id[best - 1], start[best], id[best], start[best + 1]);
            }
            if (best + 1 < n) {
                merges[best] = rule.merge(bytes, start[best], id[best], start[best + 1], id[best + 1], start[best + 2]);
            }
        }
        int[] out = new int[n];
        System.arraycopy(id, 0, out, 0, n);
        return out;
    }

    /** Linked parts plus a heap of candidate merges; stale candidates are re-checked when popped. */
    int[] heap(byte[] bytes, int len) {
        // Nodes are indexed by the byte offset where the part starts; that index orders ties leftmost.
        int[] id = new int[len];
        int[] next = new int[len];
        int[] prev = new int[len];
        boolean[] alive = new boolean[len];
        int first = -1;
        int last = -1;
        for (int i = 0; i < len; i++) {
            int b = byteIds[bytes[i] & 0xFF];
            if (b < 0) {
                continue;
            }
            id[i] = b;
            alive[i] = true;
            prev[i] = last;
            next[i] = -1;
            if (last >= 0) {
                next[last] = i;
            } else {
                first = i;
            }
            last = i;
        }
        if (first < 0) {
            return new int[0];
        }
        PriorityQueue<Long> queue = new PriorityQueue<>();
        for (int i = first; next[i] >= 0; i = next[i]) {
            offer(queue, bytes, len, id, next, i);
        }
        int count = 0;
        for (int i = first; i >= 0; i = next[i]) {
            count++;
        }
        while (!queue.isEmpty()) {
            long entry = queue.poll();
            int rank = (int) (entry >>> 32);
            int left = (int) entry;
            if (!alive[left] || next[left] < 0) {
                continue;
            }
            long m = mergeAt(bytes, len, id, next, left);
            if (m == MergeRule.NO_MERGE || (int) (m >>> 32) != rank) {
                continue; // the pair changed since this candidate was queued
            }
            int right = next[left];
            id[left] = (int) m;
            alive[right] = false;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            count--;
            if (prev[left] >= 0) {
                offer(queue, bytes, len, id, next, prev[left]);
            }
            if (next[left] >= 0) {
                offer(queue, bytes, len, id, next, left);
            }
        }
        int[] out = new int[count];
        int k = 0;
        for (int i = first; i >= 0; i = next[i]) {
            out[k++] = id[i];
        }
        return out;
    }

    private void offer(PriorityQueue<Long> queue, byte[] bytes, int len, int[] id, int[] next, int left) {
        long m = mergeAt(bytes, len, id, next, left);
        if (m != MergeRule.NO_MERGE) {
            queue.add((m & 0xFFFFFFFF00000000L) | left);
        }
    }

    private long mergeAt(byte[] bytes, int len, int[] id, int[] next, int left) {
        int right = next[left];
        int end = next[right] >= 0 ? next[right] : len;
        return rule.merge(bytes, left, id[left], right, id[right], end);
    }
}
