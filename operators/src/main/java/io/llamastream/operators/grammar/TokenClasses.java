package io.llamastream.operators.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The tokens one grammar state allows, each with the fewest bytes that finish the document after
 * it, so that one cached value serves every remaining token budget. Large classes are shared
 * vocabulary-wide bit sets with one common minimum (the tokens that stay inside a string); the rest
 * are listed one by one, sorted by their minimum so a budget cuts the list at a prefix.
 */
final class TokenClasses {
    private final long[][] sets;
    private final int[] setMinRemaining;
    private final int[] ids;
    private final int[] idMinRemaining;

    private TokenClasses(long[][] sets, int[] setMinRemaining, int[] ids, int[] idMinRemaining) {
        this.sets = sets;
        this.setMinRemaining = setMinRemaining;
        this.ids = ids;
        this.idMinRemaining = idMinRemaining;
    }

    /** Adds to the mask every token after which the document can still be finished in {@code budget} bytes. */
    void addAllowed(int budget, TokenMask mask) {
        for (int i = 0; i < sets.length; i++) {
            if (setMinRemaining[i] <= budget) {
                mask.addAll(sets[i]);
            }
        }
        for (int i = 0; i < ids.length && idMinRemaining[i] <= budget; i++) {
            mask.add(ids[i]);
        }
    }

    /** Collects the classes of one state during a vocabulary walk. */
    static final class Builder {
        private final List<long[]> sets = new ArrayList<>();
        private final List<Integer> setMinRemaining = new ArrayList<>();
        private int[] ids = new int[64];
        private int[] minRemaining = new int[64];
        private int count;

        void addSet(long[] bits, int min) {
            sets.add(bits);
            setMinRemaining.add(min);
        }

        void add(int id, int min) {
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, count * 2);
                minRemaining = Arrays.copyOf(minRemaining, count * 2);
            }
            ids[count] = id;
            minRemaining[count++] = min;
        }

        TokenClasses build() {
            long[] keyed = new long[count];
            for (int i = 0; i < count; i++) {
                keyed[i] = ((long) minRemaining[i] << 32) | ids[i];
            }
            Arrays.sort(keyed);
            int[] sortedIds = new int[count];
            int[] sortedMin = new int[count];
            for (int i = 0; i < count; i++) {
                sortedIds[i] = (int) keyed[i];
                sortedMin[i] = (int) (keyed[i] >>> 32);
            }
            return new TokenClasses(
                    sets.toArray(long[][]::new),
                    setMinRemaining.stream().mapToInt(Integer::intValue).toArray(),
                    sortedIds,
                    sortedMin);
        }
    }
}
