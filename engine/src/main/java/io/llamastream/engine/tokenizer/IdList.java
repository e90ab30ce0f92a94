package io.llamastream.engine.tokenizer;

import java.util.Arrays;

/** A growable list of token ids without boxing; encoding appends many small runs of ids. */
final class IdList {
    private int[] ids;
    private int size;

    IdList(int initialCapacity) {
        ids = new int[Math.max(4, initialCapacity)];
    }

    void add(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, ids.length * 2);
        }
        ids[size++] = id;
    }

    void addAll(int[] more) {
        if (size + more.length > ids.length) {
            ids = Arrays.copyOf(ids, Math.max(ids.length * 2, size + more.length));
        }
        System.arraycopy(more, 0, ids, size, more.length);
        size += more.length;
    }

    int size() {
        return size;
    }

    int[] toArray() {
        return Arrays.copyOf(ids, size);
    }
}
