package io.llamastream.engine.tokenizer;

import java.util.HashMap;
import java.util.Map;

/**
 * Finds added (special) tokens written literally in text, before any regex splitting, the way
 * Hugging Face does: the leftmost occurrence wins, and among tokens starting there the longest.
 * A char trie keeps this one pass over the text; texts without the first char of any added token
 * (for Llama 4, {@code <}) are skipped at the cost of one table lookup per char.
 */
final class AddedTokenMatcher {
    /** Where an added token was found: text[start, end) is token {@code id}. */
    record Match(int start, int end, int id) {}

    private static final class Node {
        final Map<Character, Node> children = new HashMap<>(4);
        int id = -1;
    }

    private final Node root = new Node();
    private final boolean[] asciiFirst = new boolean[128];
    private boolean nonAsciiFirst;

    AddedTokenMatcher(Map<String, Integer> tokens) {
        for (Map.Entry<String, Integer> e : tokens.entrySet()) {
            String text = e.getKey();
            if (text.isEmpty()) {
                continue;
            }
            Node node = root;
            for (int i = 0; i < text.length(); i++) {
                node = node.children.computeIfAbsent(text.charAt(i), c -> new Node());
            }
            node.id = e.getValue();
            char c = text.charAt(0);
            if (c < 128) {
                asciiFirst[c] = true;
            } else {
                nonAsciiFirst = true;
            }
        }
    }

    boolean isEmpty() {
        return root.children.isEmpty();
    }

    /** The first added token in {@code text[from, to)}, or null. */
    Match find(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < 128 ? !asciiFirst[c] : !nonAsciiFirst) {
                continue;
            }
            Node node = root;
            int bestEnd = -1;
            int bestId = -1;
            for (int j = i; j < to; j++) {
                node = node.children.get(text.charAt(j));
                if (node == null) {
                    break;
                }
                if (node.id >= 0) {
                    bestEnd = j + 1;
                    bestId = node.id;
                }
            }
            if (bestId >= 0) {
                return new Match(i, bestEnd, bestId);
            }
        }
        return null;
    }
}
