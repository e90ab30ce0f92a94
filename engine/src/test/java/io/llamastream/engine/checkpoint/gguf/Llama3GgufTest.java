package io.llamastream.engine.checkpoint.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.engine.checkpoint.Architecture;
import io.llamastream.engine.checkpoint.SafetensorsFile;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.Batch;
import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.model.TextModel;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.testing.GreedyReference;
import io.llamastream.engine.testing.ReferenceTolerance;
import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.engine.weights.WeightFormat;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code llama3-tiny/model-f32.gguf}: the same weights as the HF folder written as llama.cpp's
 * converter writes {@code general.architecture = llama} (q/k rows permuted to adjacent pairs,
 * {@code rope_freqs}, no {@code output.weight}, pre-tokenizer {@code llama-bpe}), against the
 * folder's transformers goldens.
 */
class Llama3GgufTest {
    private static final Path DIR = Fixtures.llama3("llama3-tiny");
    private static final Path FILE = DIR.resolve("model-f32.gguf");
    private static final JsonNode GOLDEN = Fixtures.json(DIR.resolve("golden.json"));

    @Test
    void theFileReadsAsATiedLlama3Model() {
        Llama4Model m = Llama4Model.load(FILE, ComputePool.shared());
        assertEquals(Architecture.LLAMA3, m.config().architecture());
        assertTrue(m.config().tieWordEmbeddings());
        assertEquals(Integer.MAX_VALUE, m.config().attentionChunkSize());
        assertArrayEquals(new int[] {2049, 2057, 2056}, m.config().eosTokenIds());
    }

    @Test
    void logitsOfEveryCaseMatchTheReference() {
        TextModel tm = Llama4Model.load(FILE, ComputePool.shared()).textModel();
        try (SafetensorsFile golden = SafetensorsFile.open(DIR.resolve("golden.safetensors"))) {
            for (JsonNode c : GOLDEN.get("cases")) {
                float[] logits = tm.forward(new Batch().add(tm.newCache(), Fixtures.ints(c.get("input_ids"))), true);
                ReferenceTolerance.assertClose(
                        golden.readFloats(c.get("logits_tensor").asText()),
                        logits,
                        "model-f32.gguf " + c.get("name").asText());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"NATIVE, 0.001", "Q8, 0.001", "Q4, 1.0"})
    void cachedGreedyDecodingPicksTheReferenceTokens(WeightFormat format, double minMargin) {
        TextModel tm = Llama4Model.load(FILE, ComputePool.shared(), format).textModel();
        int checked = GreedyReference.assertSteps(tm, GOLDEN.get("cases"), minMargin, format.toString());
        assertTrue(checked >= 39, "too few steps checked: " + checked);
    }

    @Test
    void theGgufTokenizerGivesEveryTokenizerCaseExactly() {
        Tokenizer t = Llama4Model.load(FILE, ComputePool.shared()).tokenizer();
        for (JsonNode c : GOLDEN.get("tokenizer_cases")) {
            assertArrayEquals(
                    Fixtures.ints(c.get("ids")),
                    t.encode(c.get("text").asText()),
                    c.get("text").asText());
            assertEquals(c.get("decoded").asText(), t.decode(Fixtures.ints(c.get("ids"))));
        }
    }
}
