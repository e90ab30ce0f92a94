package io.llamastream.operators.tasks;

import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.operators.grammar.TokenBytes;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * What task handlers need from the loaded model: the tokenizer (labels, the moderation verdict's
 * first token, reply text), the end-of-turn id that closes a scored label and a constrained JSON
 * reply, every token's bytes for the JSON grammar, and which ids end a sequence.
 */
public record ModelVocabulary(Tokenizer tokenizer, int endOfTurn, TokenBytes tokenBytes,
                              IntPredicate endOfSequence) {

    public static ModelVocabulary of(Llama4Model model) {
        return new ModelVocabulary(model.tokenizer(), model.chatFormat().endOfTurnId(),
                new TokenBytes(model.tokenizer()), model.config()::isEos);
    }

    /** A generated reply as text, without the end-of-sequence token it stopped on. */
    public String replyText(int[] tokens) {
        int n = tokens.length > 0 && endOfSequence.test(tokens[tokens.length - 1]) ? tokens.length - 1 : tokens.length;
        return tokenizer.decode(Arrays.copyOf(tokens, n));
    }
}
