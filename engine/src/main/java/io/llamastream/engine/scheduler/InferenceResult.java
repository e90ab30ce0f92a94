package io.llamastream.engine.scheduler;

import io.llamastream.engine.sampling.StopReason;
import java.util.Arrays;

/**
 * What the {@link Scheduler} returns for a request: generated tokens and stop reason (or, for a
 * scoring request, the continuation's summed log-probability), token counts including those
 * restored from the prefix cache, and nanoseconds spent queued, in prefill and in decode.
 */
public record InferenceResult(
        int[] tokens,
        StopReason stopReason,
        double logProbability,
        int promptTokens,
        int cachedTokens,
        long queueNanos,
        long prefillNanos,
        long decodeNanos) {

    /** Reply tokens without the trailing end-of-sequence token the model stopped on. */
    public int[] replyTokens() {
        if (stopReason == StopReason.EOS && tokens.length > 0) {
            return Arrays.copyOf(tokens, tokens.length - 1);
        }
        return tokens;
    }
}
