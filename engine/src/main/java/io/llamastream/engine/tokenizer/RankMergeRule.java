package io.llamastream.engine.tokenizer;

/**
 * tiktoken's rule: two adjacent parts merge if their concatenated bytes are a token, with that
 * token's rank as the priority (in tiktoken files the rank is also the id).
 */
final class RankMergeRule implements MergeRule {
    private final ByteSequenceTable ranks;

    RankMergeRule(ByteSequenceTable ranks) {
        this.ranks = ranks;
    }

    @Override
    public long merge(byte[] bytes, int start, int leftId, int mid, int rightId, int end) {
        int rank = ranks.get(bytes, start, end - start);
        return rank < 0 ? NO_MERGE : MergeRule.pack(rank, rank);
    }
}
