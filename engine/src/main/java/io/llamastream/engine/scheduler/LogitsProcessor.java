package io.llamastream.engine.scheduler;

/**
 * Sees a request's next-token logits before sampling and may change them: constrained decoding
 * masks tokens to -infinity; a probe reads a token's probability. {@code generated} holds the
 * reply tokens chosen so far ({@code count} of them).
 */
@FunctionalInterface
public interface LogitsProcessor {
    void process(float[] logits, int offset, int vocabSize, int[] generated, int count);
}
