package io.llamastream.operators.grammar;

import io.llamastream.engine.scheduler.LogitsProcessor;

/**
 * Constrained decoding for extraction: before each sampling step, sets to -infinity the logit of
 * every token whose bytes cannot continue a document of the schema, and of every token after which
 * the shortest completion would no longer fit in the remaining {@code max_tokens}; the end-of-turn
 * token is allowed only once the document is complete. Since byte-level vocabularies hold every
 * single byte as a token, a completion of {@code n} bytes always fits in {@code n} tokens, so the
 * reply always parses and conforms, whatever the model's logits. The allowed tokens come from the
 * {@link Grammar}'s index and cache rather than a test of every token. One instance per request: it
 * tracks the reply so far (the scheduler calls it on its own thread, one step at a time).
 */
public final class JsonGrammarProcessor implements LogitsProcessor {
    private final Grammar grammar;
    private final int endToken;
    private final int maxTokens;
    private final JsonMatcher matcher;
    private TokenMask mask;
    private int consumed;

    public JsonGrammarProcessor(Grammar grammar, int endToken, int maxTokens) {
        this.grammar = grammar;
        this.endToken = endToken;
        this.maxTokens = maxTokens;
        this.matcher = grammar.start();
    }

    /** A processor with a grammar of its own (nothing cached from other requests). */
    public JsonGrammarProcessor(SchemaNode schema, VocabularyIndex vocabulary, int endToken, int maxTokens) {
        this(new Grammar(schema, vocabulary), endToken, maxTokens);
    }

    @Override
    public void process(float[] logits, int offset, int vocabSize, int[] generated, int count) {
        for (; consumed < count; consumed++) {
            byte[] bytes = grammar.vocabulary().bytes(generated[consumed]);
            if (bytes != null && !matcher.feedAll(bytes)) {
                // Only reachable if something other than this processor chose the token.
                throw new IllegalStateException("token " + generated[consumed] + " broke the JSON grammar");
            }
        }
        if (mask == null) {
            mask = new TokenMask(Math.max(vocabSize, grammar.vocabulary().size()));
        }
        mask.clear();
        grammar.allowedAfter(matcher).addAllowed(maxTokens - count - 1, mask);
        if (endToken >= 0) {
            if (matcher.isComplete()) {
                mask.add(endToken);
            } else {
                mask.remove(endToken);
            }
        }
        if (mask.isEmpty()) {
            // Cannot happen with a byte-complete vocabulary; never leave the sampler with no choice.
            mask.add(endToken);
        }
        mask.applyTo(logits, offset, vocabSize);
    }
}
