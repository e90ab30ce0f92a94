package io.llamastream.engine.generate;

/**
 * The outcome of one generation: the reply tokens (the stop token included when the model
 * produced one), why it stopped, token counts and the time spent in prefill and decode.
 */
public record Generation(int[] tokens, StopReason stopReason, int promptTokens, int cachedTokens,
                         long prefillNanos, long decodeNanos) {

    /** Reply tokens without a trailing end-of-sequence token. */
    public int[] replyTokens() {
        if (stopReason == StopReason.EOS && tokens.length > 0) {
            return java.util.Arrays.copyOf(tokens, tokens.length - 1);
        }
        return tokens;
    }
}
