package io.llamastream.engine.tokenizer;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Builds a byte-level BPE {@link Tokenizer} from its parts as checkpoints list them: tokens by id
 * written in the ByteLevel alphabet, merges as pairs of such tokens by rank, added tokens by text.
 * Shared by the {@code tokenizer.json} reader and by GGUF's {@code tokenizer.ggml.*} metadata, so
 * both validate the same way; {@code fail} turns a problem into an exception naming the source.
 */
final class ByteLevelVocabulary {
    private final Function<String, RuntimeException> fail;

    ByteLevelVocabulary(Function<String, RuntimeException> fail) {
        this.fail = fail;
    }

    /** Token bytes by id ({@code ids[i]} is the id of {@code tokens.get(i)}); unlisted ids stay null. */
    byte[][] tokenBytes(List<String> tokens, int[] ids) {
        if (tokens.isEmpty()) {
            throw fail.apply("the vocabulary is empty");
        }
        int maxId = -1;
        for (int id : ids) {
            maxId = Math.max(maxId, id);
        }
        byte[][] tokenBytes = new byte[maxId + 1][];
        for (int i = 0; i < ids.length; i++) {
            String token = tokens.get(i);
            byte[] bytes = ByteLevelAlphabet.toBytes(token);
            if (bytes == null || bytes.length == 0) {
                throw fail.apply("vocab token '" + token + "' is not written in the ByteLevel alphabet");
            }
            if (tokenBytes[ids[i]] != null) {
                throw fail.apply("vocab id " + ids[i] + " is used by two tokens");
            }
            tokenBytes[ids[i]] = bytes;
        }
        return tokenBytes;
    }

    PairMergeTable merges(List<String> left, List<String> right, ByteSequenceTable vocab) {
        int count = left.size();
        PairMergeTable table = new PairMergeTable(count);
        for (int rank = 0; rank < count; rank++) {
            int leftId = vocabId(vocab, left.get(rank), rank);
            int rightId = vocabId(vocab, right.get(rank), rank);
            int mergedId = vocabId(vocab, left.get(rank) + right.get(rank), rank);
            table.add(leftId, rightId, rank, mergedId);
        }
        return table;
    }

    private int vocabId(ByteSequenceTable vocab, String token, int rank) {
        byte[] bytes = ByteLevelAlphabet.toBytes(token);
        int id = bytes == null ? -1 : vocab.get(bytes, 0, bytes.length);
        if (id < 0) {
            throw fail.apply("merge #" + rank + " references unknown token '" + token + "'");
        }
        return id;
    }

    ByteSequenceTable index(byte[][] tokenBytes) {
        try {
            return ByteSequenceTable.indexOf(tokenBytes);
        } catch (IllegalArgumentException e) {
            throw fail.apply("vocabulary: " + e.getMessage());
        }
    }

    Tokenizer tokenizer(
            List<String> tokens,
            int[] ids,
            List<String> mergeLeft,
            List<String> mergeRight,
            boolean ignoreMerges,
            Pattern split,
            Map<String, Integer> added) {
        byte[][] tokenBytes = tokenBytes(tokens, ids);
        ByteSequenceTable vocab = index(tokenBytes);
        return new Tokenizer(tokenBytes, vocab, merges(mergeLeft, mergeRight, vocab), ignoreMerges, split, added);
    }
}
