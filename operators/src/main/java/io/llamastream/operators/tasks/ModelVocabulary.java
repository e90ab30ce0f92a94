package io.llamastream.operators.tasks;

import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.operators.grammar.Grammar;
import java.util.Arrays;
import java.util.function.Function;
import java.util.function.IntPredicate;

/**
 * What task handlers need from the loaded model: the tokenizer (labels, the moderation verdict's
 * first token, reply text), the end-of-turn id that closes a scored label and a constrained JSON
 * reply, which ids end a sequence, and the JSON grammar for an extraction schema (compiled once
 * per schema text by whoever owns the model, so its token masks are shared across requests).
 */
public record ModelVocabulary(
        Tokenizer tokenizer, int endOfTurn, IntPredicate endOfSequence, Function<String, Grammar> grammars) {

    public static ModelVocabulary of(Llama4Model model, Function<String, Grammar> grammars) {
        return new ModelVocabulary(
                model.tokenizer(), model.promptFormat().endOfTurnId(), model.config()::isEos, grammars);
    }

    /** The grammar for an extraction schema given as JSON text. */
    public Grammar grammar(String schemaJson) {
        return grammars.apply(schemaJson);
    }

    /** A generated reply as text, without the end-of-sequence token it stopped on. */
    public String replyText(int[] tokens) {
        int n = tokens.length > 0 && endOfSequence.test(tokens[tokens.length - 1]) ? tokens.length - 1 : tokens.length;
        return tokenizer.decode(Arrays.copyOf(tokens, n));
    }
}
