package io.llamastream.engine.checkpoint.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.engine.checkpoint.SafetensorsFile;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.Batch;
import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.model.TextModel;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.testing.GreedyReference;
import io.llamastream.engine.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gguf-tiny files as llama.cpp's quantizer wrote them, loaded from the .gguf alone, against
 * the exact meaning of each file (gguf-py dequantization, float64 forward): logits within
 * 1e-3 x max|logit|, greedy tokens identical wherever the reference margin is at least 1e-2.
 */
class GgufTinyModelTest {
    private static final Path DIR = Fixtures.model("gguf-tiny");
    private static final JsonNode GOLDEN = Fixtures.json(DIR.resolve("golden.json"));
    private static final Map<String, Llama4Model> MODELS = new ConcurrentHashMap<>();

    static Llama4Model model(String file) {
        return MODELS.computeIfAbsent(file, f -> Llama4Model.load(DIR.resolve(f), ComputePool.shared()));
    }

    static JsonNode entry(String file) {
        for (JsonNode f : GOLDEN.get("files")) {
            if (f.get("file").asText().equals(file)) {
                return f;
            }
        }
        throw new IllegalArgumentException(file);
    }

    @AfterAll
    static void release() {
        MODELS.clear();
    }

    @ParameterizedTest
    @ValueSource(strings = {"model-Q8_0.gguf", "model-Q4_0.gguf", "model-Q4_K_M.gguf", "model-Q6_K.gguf"})
    void logitsOfEveryCaseMatchTheDequantizedReference(String file) {
        TextModel tm = model(file).textModel();
        try (SafetensorsFile golden = SafetensorsFile.open(DIR.resolve("golden.safetensors"))) {
            for (JsonNode c : entry(file).get("cases")) {
                int[] ids = Fixtures.ints(c.get("input_ids"));
                float[] logits = tm.forward(new Batch().add(tm.newCache(), ids), true);
                float[] expected = golden.readFloats(c.get("logits_tensor").asText());
                assertEquals(expected.length, logits.length);
                float maxAbs = 0;
                float maxDiff = 0;
                for (int i = 0; i < expected.length; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
                    maxDiff = Math.max(maxDiff, Math.abs(expected[i] - logits[i]));
                }
                assertTrue(
                        maxDiff <= 1e-3f * maxAbs,
                        file + " " + c.get("name").asText() + ": max |diff| " + maxDiff + " exceeds 1e-3 x " + maxAbs);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"model-Q8_0.gguf", "model-Q4_0.gguf", "model-Q4_K_M.gguf", "model-Q6_K.gguf"})
    void greedyTokensMatchWhereverTheMarginIsClear(String file) {
        TextModel tm = model(file).textModel();
        int checked = GreedyReference.assertSteps(tm, entry(file).get("cases"), 1e-2, file);
        assertTrue(checked > 10, "only " + checked + " greedy steps had a clear margin");
    }

    @ParameterizedTest
    @ValueSource(strings = {"model-Q8_0.gguf", "model-Q4_K_M.gguf"})
    void theFilesOwnTokenizerGivesTheGoldenIds(String file) {
        Tokenizer tok;
        try (GgufFile gguf = GgufFile.open(DIR.resolve(file))) {
            tok = GgufTokenizer.read(gguf);
        }
        JsonNode cases = Fixtures.json(Fixtures.root().resolve("tokenizer/small-bpe-golden.json"))
                .get("cases");
        for (JsonNode c : cases) {
            assertArrayEquals(
                    Fixtures.ints(c.get("ids")),
                    tok.encode(c.get("text").asText()),
                    c.get("text").asText());
            assertEquals(c.get("decoded").asText(), tok.decode(Fixtures.ints(c.get("ids"))));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"model-Q8_0.gguf", "model-Q4_0.gguf", "model-Q4_K_M.gguf", "model-Q6_K.gguf"})
    void everyTensorTypeOfTheMixIsWhatTheGoldenLists(String file) {
        try (GgufFile gguf = GgufFile.open(DIR.resolve(file))) {
            Map<String, Integer> counts = new TreeMap<>();
            gguf.tensors().values().forEach(t -> counts.merge(t.type().name(), 1, Integer::sum));
            Map<String, Integer> expected = new TreeMap<>();
            entry(file)
                    .get("tensor_types")
                    .fields()
                    .forEachRemaining(e -> expected.put(e.getKey(), e.getValue().asInt()));
            assertEquals(expected, counts);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"model-Q8_0.gguf"})
    void configComesFromTheLlama4Metadata(String file) {
        var c = model(file).config();
        JsonNode hf = GOLDEN.get("config");
        assertEquals(hf.get("hidden_size").asInt(), c.hiddenSize());
        assertEquals(hf.get("num_hidden_layers").asInt(), c.numLayers());
        assertEquals(hf.get("num_key_value_heads").asInt(), c.numKvHeads());
        assertEquals(hf.get("intermediate_size_mlp").asInt(), c.intermediateSizeMlp());
        assertEquals(hf.get("num_local_experts").asInt(), c.numExperts());
        assertTrue(c.useQkNorm());
        assertEquals(Arrays.toString(new boolean[] {true, true, true, false}), Arrays.toString(c.ropeLayers()));
        int[] eos = c.eosTokenIds().clone();
        Arrays.sort(eos);
        assertArrayEquals(Fixtures.ints(hf.get("eos_token_id")), eos);
    }
}
