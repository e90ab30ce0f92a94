package io.llamastream.operators.grammar;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One compiled schema over one indexed vocabulary, with the allowed tokens of every grammar state
 * met so far cached by state ({@link JsonMatcher#state}): replies to the same schema pass through
 * the same few states (inside a string the state is the same whatever the text), so after the
 * first reply a step's mask is a cache hit. Shared by the requests that use the schema; safe to use
 * from several threads.
 */
public final class Grammar {
    /** Past this many cached states the cache starts over (bounds memory for deeply varied schemas). */
    private static final int MAX_STATES = 4096;

    private final SchemaNode schema;
    private final VocabularyIndex vocabulary;
    private final Map<Object, TokenClasses> allowed = new ConcurrentHashMap<>();

    public Grammar(SchemaNode schema, VocabularyIndex vocabulary) {
        this.schema = schema;
        this.vocabulary = vocabulary;
    }

    JsonMatcher start() {
        return new JsonMatcher(schema);
    }

    VocabularyIndex vocabulary() {
        return vocabulary;
    }

    /** The tokens the matcher can take next, each with the fewest bytes that finish the document after it. */
    TokenClasses allowedAfter(JsonMatcher matcher) {
        Object state = matcher.state();
        TokenClasses classes = allowed.get(state);
        if (classes == null) {
            classes = vocabulary.allowedAfter(matcher);
            if (allowed.size() >= MAX_STATES) {
                allowed.clear();
            }
            allowed.put(state, classes);
        }
        return classes;
    }

    int cachedStates() {
        return allowed.size();
    }
}
