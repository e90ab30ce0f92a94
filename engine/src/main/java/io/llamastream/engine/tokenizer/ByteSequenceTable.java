package io.llamastream.engine.tokenizer;

import java.util.Arrays;

/**
 * An immutable open-addressing map from byte sequences to non-negative ints. BPE asks "is this
 * slice of the piece a token?" many times per piece, so lookups take a slice of an existing array
 * and allocate nothing; all keys live in one backing array to keep 200k entries compact.
 */
final class ByteSequenceTable {
    private final byte[] keyBytes;
    private final int[] keyOffset;
    private final int[] keyLength;
    private final int[] values;
    /** entry index + 1, 0 = empty slot. */
    private final int[] slots;

    private final int mask;

    private ByteSequenceTable(byte[] keyBytes, int[] keyOffset, int[] keyLength, int[] values, int[] slots) {
        this.keyBytes = keyBytes;
        this.keyOffset = keyOffset;
        this.keyLength = keyLength;
        this.values = values;
        this.slots = slots;
        this.mask = slots.length - 1;
    }

    /** Builds the table from {@code keys[i] -> i} for every non-null, non-empty key. Keys must be distinct. */
    static ByteSequenceTable indexOf(byte[][] keys) {
        int count = 0;
        long total = 0;
        for (byte[] k : keys) {
            if (k != null && k.length > 0) {
                count++;
                total += k.length;
            }
        }
        byte[] data = new byte[Math.toIntExact(total)];
        int[] offset = new int[count];
        int[] length = new int[count];
        int[] values = new int[count];
        int capacity = Integer.highestOneBit(Math.max(4, count * 2 + 1)) << 1;
        int[] slots = new int[capacity];
        ByteSequenceTable table = new ByteSequenceTable(data, offset, length, values, slots);
        int entry = 0;
        int pos = 0;
        for (int id = 0; id < keys.length; id++) {
            byte[] k = keys[id];
            if (k == null || k.length == 0) {
                continue;
            }
            System.arraycopy(k, 0, data, pos, k.length);
            offset[entry] = pos;
            length[entry] = k.length;
            values[entry] = id;
            pos += k.length;
            int slot = hash(k, 0, k.length) & table.mask;
            while (slots[slot] != 0) {
                if (table.equalsEntry(slots[slot] - 1, k, 0, k.length)) {
                    throw new IllegalArgumentException(
                            "duplicate token bytes for ids " + values[slots[slot] - 1] + " and " + id);
                }
                slot = (slot + 1) & table.mask;
            }
            slots[slot] = entry + 1;
            entry++;
        }
        return table;
    }

    /** The value for {@code bytes[from, from+len)}, or -1 if that sequence is not a key. */
    int get(byte[] bytes, int from, int len) {
        int slot = hash(bytes, from, len) & mask;
        int e;
        while ((e = slots[slot]) != 0) {
            if (equalsEntry(e - 1, bytes, from, len)) {
                return values[e - 1];
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private boolean equalsEntry(int entry, byte[] bytes, int from, int len) {
        if (keyLength[entry] != len) {
            return false;
        }
        int off = keyOffset[entry];
        return Arrays.equals(keyBytes, off, off + len, bytes, from, from + len);
    }

    private static int hash(byte[] bytes, int from, int len) {
        int h = 0x811C9DC5;
        for (int i = from, end = from + len; i < end; i++) {
            h = (h ^ (bytes[i] & 0xFF)) * 0x01000193;
        }
        // FNV's low bits are weak for short keys; mix before masking.
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h;
    }
}
