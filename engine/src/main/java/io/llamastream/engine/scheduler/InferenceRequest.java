package io.llamastream.engine.scheduler;

import io.llamastream.engine.sampling.SamplingParams;
import io.llamastream.engine.sampling.TokenListener;

/**
 * One unit of work for the {@link Scheduler}: a prompt (with projected image rows for its image
 * tokens, or null) and either sampling parameters for generation, or a forced continuation whose
 * log-probability is to be scored. {@code processor} (nullable) filters logits during generation.
 */
public record InferenceRequest(
        int[] prompt,
        float[] imageRows,
        SamplingParams params,
        LogitsProcessor processor,
        TokenListener listener,
        int[] scoreContinuation) {

    public InferenceRequest {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        if (listener == null) {
            listener = TokenListener.NONE;
        }
        if (scoreContinuation == null && params == null) {
            throw new IllegalArgumentException("a generation request needs sampling parameters");
        }
    }

    public static InferenceRequest generate(int[] prompt, SamplingParams params) {
        return new InferenceRequest(prompt, null, params, null, null, null);
    }

    /** Scores {@code continuation} after {@code prompt}: the sum of its tokens' log-probabilities. */
    public static InferenceRequest score(int[] prompt, int[] continuation) {
        if (continuation.length == 0) {
            throw new IllegalArgumentException("nothing to score");
        }
        return new InferenceRequest(prompt, null, null, null, null, continuation);
    }

    public boolean isScoring() {
        return scoreContinuation != null;
    }

    public InferenceRequest withProcessor(LogitsProcessor p) {
        return new InferenceRequest(prompt, imageRows, params, p, listener, scoreContinuation);
    }

    public InferenceRequest withListener(TokenListener l) {
        return new InferenceRequest(prompt, imageRows, params, processor, l, scoreContinuation);
    }

    public InferenceRequest withImageRows(float[] rows) {
        return new InferenceRequest(prompt, rows, params, processor, listener, scoreContinuation);
    }
}
