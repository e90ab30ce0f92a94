package io.llamastream.engine.tokenizer;

/**
 * Decides whether two adjacent parts of a piece may merge, and with what priority. Hugging Face
 * BPE ranks explicit merge pairs; tiktoken ranks the concatenated bytes. Both fit this shape, so one
 * BPE loop serves both formats.
 */
interface MergeRule {
    long NO_MERGE = -1L;

    /**
     * The merge of the part {@code bytes[start, mid)} (token {@code leftId}) with the part
     * {@code bytes[mid, end)} (token {@code rightId}): {@code rank << 32 | mergedId}, lower rank
     * merging first, or {@link #NO_MERGE}.
     */
    long merge(byte[] bytes, int start, int leftId, int mid, int rightId, int end);

    static long pack(int rank, int mergedId) {
        return ((long) rank << 32) | (mergedId & 0xFFFFFFFFL);
    }
}
