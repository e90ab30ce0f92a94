package io.llamastream.operators.grammar;

import io.llamastream.engine.tokenizer.Tokenizer;

/**
 * The bytes of every regular token of a vocabulary, looked up once per model rather than per
 * grammar step; special (added) tokens and ids beyond the tokenizer map to null.
 */
public final class TokenBytes {
    private final byte[][] bytes;

    public TokenBytes(Tokenizer tokenizer) {
        bytes = new byte[tokenizer.vocabSize()][];
        for (int id = 0; id < bytes.length; id++) {
            if (!tokenizer.isAddedToken(id)) {
                try {
                    bytes[id] = tokenizer.tokenBytes(id);
                } catch (IllegalArgumentException holeInVocabulary) {
                    bytes[id] = null;
                }
            }
        }
    }

    /** The number of ids, regular or not. */
    public int size() {
        return bytes.length;
    }

    public byte[] bytes(int id) {
        return id >= 0 && id < bytes.length ? bytes[id] : null;
    }
}
