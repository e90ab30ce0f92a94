package io.llamastream.operators.grammar;

import io.llamastream.engine.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * A model's vocabulary indexed for the JSON grammar, built once per model: the token bytes, a byte
 * trie over them, and for each state of a string's body the tokens that stay inside the string
 * (as bit sets, by the state they end in) or close it. With these, the tokens a grammar state
 * allows are found without testing all 202,048 tokens of a Llama 4 vocabulary one by one: outside
 * strings the trie walk stops at the first byte the grammar rejects (few tokens start with
 * {@code "} or a digit), inside a string the precomputed sets answer for all but the tokens that
 * contain a closing quote. The result is exactly what feeding every token to a copy of the matcher
 * would give ({@code VocabularyIndexTest} checks that on the real o200k vocabulary).
 */
public final class VocabularyIndex {
    private static final int STRING_STATES = StringFrame.ESCAPE + 1;

    private final TokenBytes bytes;
    private final VocabularyTrie trie;
    /** [from][to]: tokens that take a string body from state {@code from} to {@code to}, or null if none. */
    private final long[][][] stays = new long[STRING_STATES][STRING_STATES][];
    /** [from]: tokens that close the string begun before them (the rest goes to the enclosing value). */
    private final int[][] closes = new int[STRING_STATES][];

    public VocabularyIndex(Tokenizer tokenizer) {
        this(new TokenBytes(tokenizer));
    }

    public VocabularyIndex(TokenBytes bytes) {
        this.bytes = bytes;
        this.trie = new VocabularyTrie(bytes);
        int vocab = bytes.size();
        for (int from = 0; from < STRING_STATES; from++) {
            int[][] byEnd = new int[STRING_STATES][vocab];
            int[] counts = new int[STRING_STATES];
            int[] closing = new int[vocab];
            int closingCount = 0;
            for (int id = 0; id < vocab; id++) {
                byte[] b = bytes.bytes(id);
                if (b == null || b.length == 0) {
                    continue;
                }
                int s = from;
                for (int i = 0; i < b.length && s >= 0; i++) {
                    s = StringFrame.step(s, b[i] & 0xFF);
                }
                if (s >= 0) {
                    byEnd[s][counts[s]++] = id;
                } else if (s == StringFrame.CLOSED) {
                    closing[closingCount++] = id;
                }
            }
            for (int to = 0; to < STRING_STATES; to++) {
                stays[from][to] = counts[to] == 0 ? null : TokenMask.bitsOf(vocab, byEnd[to], counts[to]);
            }
            closes[from] = Arrays.copyOf(closing, closingCount);
        }
    }

    /** The bytes of a token (null for special tokens and unknown ids). */
    public byte[] bytes(int id) {
        return bytes.bytes(id);
    }

    int size() {
        return bytes.size();
    }

    int trieNodes() {
        return trie.nodeCount();
    }

    /** Every regular token the matcher can take next, with the fewest bytes that finish the document after it. */
    TokenClasses allowedAfter(JsonMatcher matcher) {
        TokenClasses.Builder out = new TokenClasses.Builder();
        int s = matcher.stringBodyState();
        if (s >= 0) {
            int below = matcher.minRemaining() - StringFrame.minRemaining(s);
            for (int to = 0; to < STRING_STATES; to++) {
                if (stays[s][to] != null) {
                    out.addSet(stays[s][to], below + StringFrame.minRemaining(to));
                }
            }
            for (int id : closes[s]) {
                JsonMatcher next = matcher.copy();
                if (next.feedAll(bytes.bytes(id))) {
                    out.add(id, next.minRemaining());
                }
            }
        } else {
            walk(0, matcher, new byte[trie.maxDepth()], 0, out);
        }
        return out.build();
    }

    /** Visits the children of {@code node} (path[0..depth) spells it) from the matcher that has taken that path. */
    private void walk(int node, JsonMatcher matcher, byte[] path, int depth, TokenClasses.Builder out) {
        for (int child = node + 1; child < trie.end(node); child = trie.end(child)) {
            JsonMatcher next = matcher.copy();
            int b = trie.label(child);
            if (!next.feed(b)) {
                continue;
            }
            path[depth] = (byte) b;
            int s = next.stringBodyState();
            if (s >= 0) {
                walkString(
                        child,
                        next,
                        depth + 1,
                        s,
                        next.minRemaining() - StringFrame.minRemaining(s),
                        path,
                        depth + 1,
                        out);
            } else {
                addTokens(child, next.minRemaining(), out);
                walk(child, next, path, depth + 1, out);
            }
        }
    }

    /**
     * Below a node where the path entered a string body: follows the string automaton alone (no
     * matcher copies) until a closing quote, where a copy of the matcher at the string's entry
     * replays the string's bytes and the ordinary walk resumes.
     */
    private void walkString(
            int node,
            JsonMatcher atEntry,
            int entryDepth,
            int state,
            int below,
            byte[] path,
            int depth,
            TokenClasses.Builder out) {
        addTokens(node, below + StringFrame.minRemaining(state), out);
        for (int child = node + 1; child < trie.end(node); child = trie.end(child)) {
            int b = trie.label(child);
            int s = StringFrame.step(state, b);
            if (s == StringFrame.REJECTED) {
                continue;
            }
            path[depth] = (byte) b;
            if (s == StringFrame.CLOSED) {
                JsonMatcher closed = atEntry.copy();
                for (int i = entryDepth; i <= depth; i++) {
                    if (!closed.feed(path[i] & 0xFF)) {
                        throw new IllegalStateException("string automaton and matcher disagree");
                    }
                }
                addTokens(child, closed.minRemaining(), out);
                walk(child, closed, path, depth + 1, out);
            } else {
                walkString(child, atEntry, entryDepth, s, below, path, depth + 1, out);
            }
        }
    }

    private void addTokens(int node, int minRemaining, TokenClasses.Builder out) {
        for (int id = trie.token(node); id >= 0; id = trie.sameBytes(id)) {
            out.add(id, minRemaining);
        }
    }
}
