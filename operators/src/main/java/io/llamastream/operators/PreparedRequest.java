package io.llamastream.operators;

import java.io.Serializable;

/**
 * A validated request with its prompt built: the rendered user message (kept as text because a
 * session's later turns re-encode it inside a longer dialog) and the single-turn prompt token ids,
 * already fitted to the context window; {@code maxTokens} is the resolved reply budget and
 * {@code receivedAtMs} when the inference operator first saw it (0 before), for end-to-end timing.
 */
public record PreparedRequest(ValidRequest request, String userMessage, int[] promptIds, int maxTokens,
                              boolean truncated, long receivedAtMs) implements Serializable {

    public PreparedRequest withReceivedAt(long ms) {
        return new PreparedRequest(request, userMessage, promptIds, maxTokens, truncated, ms);
    }
}
