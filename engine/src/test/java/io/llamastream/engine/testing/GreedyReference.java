package io.llamastream.engine.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.model.Batch;
import io.llamastream.engine.model.TextModel;
import io.llamastream.engine.sampling.Sampler;

/**
 * A model's cached greedy decoding held against a golden file's cases: each case's
 * {@code input_ids} are fed (cases without {@code greedy} steps are skipped), then the reference tokens one at a time, and at every step whose
 * reference margin is at least {@code minMargin} the model's argmax must be the reference token.
 */
public final class GreedyReference {
    private GreedyReference() {}

    /** Asserts every step with a margin of at least {@code minMargin}; returns how many were checked. */
    public static int assertSteps(TextModel model, Iterable<JsonNode> cases, double minMargin, String label) {
        int vocab = model.config().vocabSize();
        int checked = 0;
        for (JsonNode c : cases) {
            if (!c.has("greedy")) {
                continue;
            }
            KvCache cache = model.newCache();
            float[] logits = model.forward(new Batch().add(cache, Fixtures.ints(c.get("input_ids"))), false);
            for (JsonNode step : c.get("greedy")) {
                int expected = step.get("token").asInt();
                if (step.get("margin").asDouble() >= minMargin) {
                    assertEquals(
                            expected,
                            Sampler.argmax(logits, 0, vocab),
                            label + " " + c.get("name").asText() + " at position " + cache.length());
                    checked++;
                }
                logits = model.forward(new Batch().add(cache, new int[] {expected}), false);
            }
        }
        return checked;
    }
}
