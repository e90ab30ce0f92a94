package io.llamastream.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.engine.checkpoint.Architecture;
import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.SafetensorsFile;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.sampling.SamplingParams;
import io.llamastream.engine.scheduler.InferenceRequest;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.engine.scheduler.RequestHandle;
import io.llamastream.engine.scheduler.Scheduler;
import io.llamastream.engine.scheduler.SchedulerConfig;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.testing.GreedyReference;
import io.llamastream.engine.testing.ReferenceTolerance;
import io.llamastream.engine.tokenizer.ChatTemplate;
import io.llamastream.engine.weights.WeightFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Llama 3 family on {@code llama3-tiny} (rotate-half RoPE, dense {@code mlp.} layers, tied
 * embeddings, llama3 RoPE scaling crossed by the long cases) against the transformers goldens.
 */
class Llama3ModelTest {
    static final Path DIR = Fixtures.llama3("llama3-tiny");
    static final JsonNode CASES = Fixtures.json(DIR.resolve("golden.json")).get("cases");

    static TextModel load(String configFile, WeightFormat format) {
        try (Checkpoint ck = Checkpoint.open(DIR)) {
            return TextModel.load(ck, TextModelConfig.read(DIR.resolve(configFile)), -1, ComputePool.shared(), format);
        }
    }

    @Test
    void bothConfigDialectsReadAsTheSameLlama3Model() {
        TextModelConfig t5 = TextModelConfig.read(DIR.resolve("config.json"));
        TextModelConfig t4 = TextModelConfig.read(DIR.resolve("config.transformers4.json"));
        assertEquals(Architecture.LLAMA3, t5.architecture());
        assertEquals(t5.rope(), t4.rope());
        assertEquals(32.0, t4.rope().factor());
        assertEquals(64.0, t4.rope().originalMaxPositions());
        assertTrue(t5.tieWordEmbeddings());
        assertEquals(Integer.MAX_VALUE, t5.attentionChunkSize());
        for (int l = 0; l < t5.numLayers(); l++) {
            assertTrue(t5.ropeLayers()[l], "layer " + l + " has RoPE");
            assertTrue(!t5.moeLayers()[l], "layer " + l + " is dense");
        }
        assertEquals(160, t5.intermediateSizeMlp());
    }

    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({
        "config.json, F32",
        "config.transformers4.json, F32",
        "config.json, BF16",
        "config.transformers4.json, BF16"
    })
    void logitsOfEveryCaseMatchTheReference(String configFile, WeightFormat format) {
        TextModel tm = load(configFile, format);
        try (SafetensorsFile golden = SafetensorsFile.open(DIR.resolve("golden.safetensors"))) {
            for (JsonNode c : CASES) {
                float[] logits = tm.forward(new Batch().add(tm.newCache(), Fixtures.ints(c.get("input_ids"))), true);
                ReferenceTolerance.assertClose(
                        golden.readFloats(c.get("logits_tensor").asText()),
                        logits,
                        configFile + " " + format + " " + c.get("name").asText());
            }
        }
    }

    /**
     * Teacher-forced through the KV cache: each step's argmax equals the reference token wherever
     * the reference margin is at least {@code minMargin}.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"F32, 0.001", "BF16, 0.001", "Q8, 0.001", "Q4, 1.0"})
    void cachedGreedyDecodingPicksTheReferenceTokens(WeightFormat format, double minMargin) {
        TextModel model = load("config.json", format);
        int checked = GreedyReference.assertSteps(model, CASES, minMargin, format.toString());
        assertTrue(checked >= 38, "too few steps checked: " + checked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"F32", "Q8"})
    void batchedSchedulerGivesEveryCaseItsReferenceTokens(WeightFormat format) throws Exception {
        TextModel model = load("config.transformers4.json", format);
        try (Scheduler s = new Scheduler(
                model, SchedulerConfig.defaults().withMaxSequences(4).withTokenBudget(64))) {
            List<RequestHandle> handles = new ArrayList<>();
            for (JsonNode c : CASES) {
                handles.add(s.submit(
                        InferenceRequest.generate(Fixtures.ints(c.get("input_ids")), SamplingParams.greedy(10))));
            }
            for (int i = 0; i < handles.size(); i++) {
                InferenceResult r = handles.get(i).result().get(60, TimeUnit.SECONDS);
                assertArrayEquals(Fixtures.ints(CASES.get(i).get("hf_generate")), r.tokens(), format + " case " + i);
            }
        }
    }

    @Test
    void theModelEntryPointLoadsItWithItsChatTemplateAndNoBuiltInLlama4Format() {
        Llama4Model m = Llama4Model.load(DIR, ComputePool.shared(), WeightFormat.BF16);
        assertEquals(Architecture.LLAMA3, m.config().architecture());
        assertTrue(m.promptFormat() instanceof ChatTemplate);
        assertEquals(m.tokenizer().tokenId("<|eot_id|>"), m.promptFormat().endOfTurnId());
        String message =
                assertThrows(IllegalArgumentException.class, m::chatFormat).getMessage();
        assertTrue(message.contains("no chat template") || message.contains("control tokens"), message);
        JsonNode chat =
                Fixtures.json(DIR.resolve("golden.json")).get("chat_cases").get(0);
        int[] prompt = ((ChatTemplate) m.promptFormat())
                .withDate(chat.get("date_string").asText())
                .encodeUserPrompt(
                        null, chat.get("messages").get(0).get("content").asText());
        assertArrayEquals(Fixtures.ints(chat.get("prompt_ids")), prompt);
        InferenceResult r =
                Scheduler.runAlone(m.textModel(), InferenceRequest.generate(prompt, SamplingParams.greedy(3)));
        assertEquals(3, r.tokens().length);
    }

    @Test
    void aRepeatedLongPromptIsServedFromThePrefixCacheWithTheSameTokens() throws Exception {
        TextModel model = load("config.json", WeightFormat.F32);
        JsonNode longest = CASES.get(3);
        int[] prompt = Fixtures.ints(longest.get("input_ids"));
        try (Scheduler s = new Scheduler(model, SchedulerConfig.defaults())) {
            InferenceResult first = s.submit(InferenceRequest.generate(prompt, SamplingParams.greedy(10)))
                    .result()
                    .get(60, TimeUnit.SECONDS);
            InferenceResult second = s.submit(InferenceRequest.generate(prompt, SamplingParams.greedy(10)))
                    .result()
                    .get(60, TimeUnit.SECONDS);
            assertEquals(0, first.cachedTokens());
            assertEquals(128, second.cachedTokens(), "whole 32-token pages of the 130-token prompt");
            assertEquals(1, s.prefixCacheStats().hits());
            assertArrayEquals(Fixtures.ints(longest.get("hf_generate")), first.tokens());
            assertArrayEquals(Fixtures.ints(longest.get("hf_generate")), second.tokens());
        }
    }
}
