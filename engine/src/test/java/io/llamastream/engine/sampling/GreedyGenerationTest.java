package io.llamastream.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.Batch;
import io.llamastream.engine.model.TextModel;
import io.llamastream.engine.scheduler.InferenceRequest;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.engine.scheduler.Scheduler;
import io.llamastream.engine.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GreedyGenerationTest {

    static TextModel load(String name) {
        Path dir = Fixtures.model(name);
        try (Checkpoint ck = Checkpoint.open(dir)) {
            return TextModel.load(ck, TextModelConfig.read(dir.resolve("config.json")), -1, ComputePool.shared());
        }
    }

    /**
     * Teacher-forced: the reference's tokens are fed back one at a time through the KV cache,
     * and the cached step's argmax must equal the reference wherever its margin is not a tie.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-scout", "tiny-maverick", "tiny-scout-sharded"})
    void cachedDecodingPicksTheReferenceTokenAtEveryStep(String name) {
        TextModel model = load(name);
        String goldenModel = name.equals("tiny-scout-sharded") ? "tiny-scout" : name;
        int vocab = model.config().vocabSize();
        int checked = 0;
        for (JsonNode c : Fixtures.json(Fixtures.model(goldenModel).resolve("golden.json"))
                .get("cases")) {
            KvCache cache = model.newCache();
            float[] logits = model.forward(new Batch().add(cache, Fixtures.ints(c.get("input_ids"))), false);
            for (JsonNode step : c.get("greedy")) {
                int expected = step.get("token").asInt();
                if (step.get("margin").asDouble() >= 1e-3) {
                    assertEquals(
                            expected,
                            Sampler.argmax(logits, 0, vocab),
                            name + " " + c.get("name").asText() + " at position " + cache.length());
                    checked++;
                }
                logits = model.forward(new Batch().add(cache, new int[] {expected}), false);
            }
        }
        assertTrue(checked > 20, "too few steps checked: " + checked);
    }

    @Test
    void demoTasksModelReproducesTheReferenceRepliesForAllSixtyCases() {
        TextModel model = load("demo-tasks");
        JsonNode cases = Fixtures.json(Fixtures.model("demo-tasks").resolve("golden.json"))
                .get("cases");
        assertEquals(60, cases.size());
        for (JsonNode c : cases) {
            int[] expected = Fixtures.ints(c.get("greedy"));
            InferenceResult g = Scheduler.runAlone(
                    model, InferenceRequest.generate(Fixtures.ints(c.get("prompt_ids")), SamplingParams.greedy(64)));
            assertArrayEquals(
                    expected,
                    g.tokens(),
                    c.get("task").asText() + ": " + c.get("expected").asText());
            assertEquals(StopReason.EOS, g.stopReason());
        }
    }

    @Test
    void generationStopsAtMaxTokensWithoutEos() {
        TextModel model = load("tiny-scout");
        InferenceResult g =
                Scheduler.runAlone(model, InferenceRequest.generate(new int[] {203}, SamplingParams.greedy(5)));
        assertArrayEquals(new int[] {21, 927, 1284, 205, 298}, g.tokens());
        assertEquals(StopReason.MAX_TOKENS, g.stopReason());
    }
}
