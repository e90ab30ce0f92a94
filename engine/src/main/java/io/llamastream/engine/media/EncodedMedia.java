package io.llamastream.engine.media;

/**
 * What a {@link MediaEncoder} hands the text decoder for one media item: the prompt tokens that
 * stand for it ({@code promptTokens}, to splice where the item occurs) and the embeddings
 * ({@code [rows, textHidden]}) that replace, in order, the embeddings of the
 * {@code placeholderTokenId} tokens inside them (there are exactly {@code rows} of those).
 */
public record EncodedMedia(int[] promptTokens, int placeholderTokenId, float[] embeddings, int rows, int textHidden) {
    public EncodedMedia {
        if (embeddings.length != (long) rows * textHidden) {
            throw new IllegalArgumentException(
                    "embeddings has " + embeddings.length + " floats, expected " + rows + " x " + textHidden);
        }
        int placeholders = 0;
        for (int t : promptTokens) {
            if (t == placeholderTokenId) {
                placeholders++;
            }
        }
        if (placeholders != rows) {
            throw new IllegalArgumentException(placeholders + " placeholder tokens for " + rows + " embedding rows");
        }
    }
}
