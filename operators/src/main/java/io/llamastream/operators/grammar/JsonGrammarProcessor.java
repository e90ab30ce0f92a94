package io.llamastream.operators.grammar;

import io.llamastream.engine.scheduler.LogitsProcessor;

/**
 * Constrained decoding for extraction: before each sampling step, sets to -infinity the logit of
 * every token whose bytes cannot continue a document of the schema, and of every token after which
 * the shortest completion would no longer fit in the remaining {@code max_tokens}; the end-of-turn
 * token is allowed only once the document is complete. Since byte-level vocabularies hold every
 * single byte as a token, a completion of {@code n} bytes always fits in {@code n} tokens, so the
 * reply always parses and conforms, whatever the model's logits. One instance per request: it
 * tracks the reply so far (the scheduler calls it on its own thread, one step at a time).
 */
public final class JsonGrammarProcessor implements LogitsProcessor {
    private final TokenBytes vocabulary;
    private final int endToken;
    private final int maxTokens;
    private JsonMatcher matcher;
    private int consumed;

    public JsonGrammarProcessor(SchemaNode schema, TokenBytes vocabulary, int endToken, int maxTokens) {
        this.vocabulary = vocabulary;
        this.endToken = endToken;
        this.maxTokens = maxTokens;
        this.matcher = new JsonMatcher(schema);
    }

    @Override
    public void process(float[] logits, int offset, int vocabSize, int[] generated, int count) {
        for (; consumed < count; consumed++) {
            byte[] bytes = vocabulary.bytes(generated[consumed]);
            if (bytes != null && !matcher.feedAll(bytes)) {
                // Only reachable if something other than this processor chose the token.
                throw new IllegalStateException("token " + generated[consumed] + " broke the JSON grammar");
            }
        }
        int remainingAfter = maxTokens - count - 1;
        boolean complete = matcher.isComplete();
        boolean any = false;
        for (int id = 0; id < vocabSize; id++) {
            boolean allowed;
            byte[] bytes = vocabulary.bytes(id);
            if (id == endToken) {
                allowed = complete;
            } else if (bytes == null || bytes.length == 0) {
                allowed = false;
            } else {
                JsonMatcher next = matcher.copy();
                allowed = next.feedAll(bytes) && next.minRemaining() <= remainingAfter;
            }
            if (allowed) {
                any = true;
            } else {
                logits[offset + id] = Float.NEGATIVE_INFINITY;
            }
        }
        if (!any) {
            // Cannot happen with a byte-complete vocabulary; never leave the sampler with no choice.
            logits[offset + endToken] = 0f;
        }
    }
}
