package io.llamastream.operators.grammar;

import java.util.Arrays;

/**
 * The vocabulary's token byte strings as a byte trie in preorder, so that the grammar tests a shared
 * prefix once for every token that starts with it and drops a whole subtree at its first rejected
 * byte. Node 0 is the root; the children of node {@code n} are {@code n + 1}, then each
 * {@link #end} of the previous child, while below {@code end(n)}. A node that spells a whole token
 * carries its id ({@link #token}); tokens with identical bytes are chained through {@link #sameBytes}.
 * Arrays only (about 9 bytes a node), built once per vocabulary.
 */
final class VocabularyTrie {
    private final byte[] label;
    private final int[] end;
    private final int[] token;
    private final int[] sameBytes;
    private final int maxDepth;

    VocabularyTrie(TokenBytes vocabulary) {
        int vocab = vocabulary.size();
        Integer[] ids = new Integer[vocab];
        int count = 0;
        for (int id = 0; id < vocab; id++) {
            byte[] b = vocabulary.bytes(id);
            if (b != null && b.length > 0) {
                ids[count++] = id;
            }
        }
        ids = Arrays.copyOf(ids, count);
        Arrays.sort(ids, (a, b) -> Arrays.compareUnsigned(vocabulary.bytes(a), vocabulary.bytes(b)));

        int nodes = 1;
        byte[] previous = new byte[0];
        for (Integer id : ids) {
            byte[] b = vocabulary.bytes(id);
            nodes += b.length - commonPrefix(previous, b);
            previous = b;
        }
        label = new byte[nodes];
        end = new int[nodes];
        token = new int[nodes];
        Arrays.fill(token, -1);
        sameBytes = new int[vocab];
        Arrays.fill(sameBytes, -1);

        maxDepth = Arrays.stream(ids)
                .mapToInt(id -> vocabulary.bytes(id).length)
                .max()
                .orElse(0);
        int[] path = new int[1 + maxDepth];
        int depth = 0; // path[0..depth] are the open nodes, path[0] the root
        int next = 1;
        previous = new byte[0];
        for (Integer id : ids) {
            byte[] b = vocabulary.bytes(id);
            int common = commonPrefix(previous, b);
            while (depth > common) {
                end[path[depth--]] = next;
            }
            for (int i = common; i < b.length; i++) {
                label[next] = b[i];
                path[++depth] = next++;
            }
            int node = path[depth];
            if (token[node] >= 0) {
                sameBytes[id] = token[node];
            }
            token[node] = id;
            previous = b;
        }
        while (depth >= 0) {
            end[path[depth--]] = next;
        }
    }

    private static int commonPrefix(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }

    int nodeCount() {
        return label.length;
    }

    /** The length of the longest token. */
    int maxDepth() {
        return maxDepth;
    }

    /** The byte on the edge into node n (0-255). */
    int label(int node) {
        return label[node] & 0xFF;
    }

    /** One past the last node of n's subtree; n has children exactly when this exceeds n + 1. */
    int end(int node) {
        return end[node];
    }

    /** A token whose bytes are the path to this node, or -1. */
    int token(int node) {
        return token[node];
    }

    /** Another token with the same bytes as this one, or -1. */
    int sameBytes(int id) {
        return sameBytes[id];
    }
}
