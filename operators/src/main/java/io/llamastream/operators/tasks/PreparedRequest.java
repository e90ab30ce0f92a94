package io.llamastream.operators.tasks;

import io.llamastream.engine.sampling.SamplingParams;
import java.io.Serializable;

/**
 * A validated request with its prompt built: the rendered user message (kept as text because a
 * session's later turns re-encode it inside a longer dialog) and the single-turn prompt token ids,
 * already fitted to the context window; {@code maxTokens} is the resolved reply budget and
 * {@code receivedAtMs} when the inference operator first saw it (0 before), for end-to-end timing.
 */
public record PreparedRequest(
        ValidRequest request, String userMessage, int[] promptIds, int maxTokens, boolean truncated, long receivedAtMs)
        implements Serializable {

    public PreparedRequest withReceivedAt(long ms) {
        return new PreparedRequest(request, userMessage, promptIds, maxTokens, truncated, ms);
    }

    /** The same request on another prompt (the single-turn one with a session's earlier turns before it). */
    public PreparedRequest withPromptIds(int[] prompt) {
        return new PreparedRequest(request, userMessage, prompt, maxTokens, truncated, receivedAtMs);
    }

    /** Decoding parameters: the request's own where set, else the task's temperature, no top-k, top-p 1. */
    public SamplingParams sampling(TaskDefinition task) {
        ValidRequest r = request;
        double temperature = r.temperature() >= 0 ? r.temperature() : task.temperature();
        return new SamplingParams(
                temperature, Math.max(0, r.topK()), r.topP() > 0 ? r.topP() : 1.0, 0, r.seed(), maxTokens);
    }
}
