package io.llamastream.operators;

import java.io.Serializable;

/**
 * What parse-and-validate accepts: maximum text length in characters, images per request,
 * video frames per request, decoded image pixels, and the model context in tokens.
 */
public record InputLimits(
        int maxTextChars, int maxImages, int maxVideoFrames, long maxImagePixels, int maxContextTokens)
        implements Serializable {
    public static InputLimits defaults() {
        return new InputLimits(32_768, 8, 16, 50_000_000L, 8192);
    }
}
