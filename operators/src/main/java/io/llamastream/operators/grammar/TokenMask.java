package io.llamastream.operators.grammar;

import java.util.Arrays;

/**
 * A set of token ids as a bit per id, reused from step to step, that masks a logits row in one
 * pass: runs of 64 disallowed ids are filled with -infinity at once, runs of allowed ids skipped.
 */
final class TokenMask {
    private final long[] words;

    TokenMask(int vocabSize) {
        words = new long[(vocabSize + 63) >>> 6];
    }

    void clear() {
        Arrays.fill(words, 0L);
    }

    void add(int id) {
        words[id >>> 6] |= 1L << id;
    }

    void remove(int id) {
        words[id >>> 6] &= ~(1L << id);
    }

    boolean contains(int id) {
        return id >= 0 && (id >>> 6) < words.length && (words[id >>> 6] & (1L << id)) != 0;
    }

    /** Adds every id of a set built by {@link #bitsOf}. */
    void addAll(long[] bits) {
        for (int i = 0; i < bits.length; i++) {
            words[i] |= bits[i];
        }
    }

    boolean isEmpty() {
        for (long w : words) {
            if (w != 0) {
                return false;
            }
        }
        return true;
    }

    /** Sets {@code logits[offset + id]} to -infinity for every id in [0, vocabSize) not in the set. */
    void applyTo(float[] logits, int offset, int vocabSize) {
        for (int base = 0; base < vocabSize; base += 64) {
            int n = Math.min(64, vocabSize - base);
            long w = (base >>> 6) < words.length ? words[base >>> 6] : 0L;
            if (w == 0) {
                Arrays.fill(logits, offset + base, offset + base + n, Float.NEGATIVE_INFINITY);
            } else if (w != -1L) {
                for (int i = 0; i < n; i++) {
                    if ((w & (1L << i)) == 0) {
                        logits[offset + base + i] = Float.NEGATIVE_INFINITY;
                    }
                }
            }
        }
    }

    /** The bits of a fixed id set over a vocabulary of this size, for {@link #addAll}. */
    static long[] bitsOf(int vocabSize, int[] ids, int count) {
        long[] bits = new long[(vocabSize + 63) >>> 6];
        for (int i = 0; i < count; i++) {
            bits[ids[i] >>> 6] |= 1L << ids[i];
        }
        return bits;
    }
}
