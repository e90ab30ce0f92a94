package io.llamastream.operators.grammar;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.sampling.SamplingParams;
import io.llamastream.engine.scheduler.InferenceRequest;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.engine.scheduler.Scheduler;
import io.llamastream.engine.scheduler.SchedulerConfig;
import io.llamastream.operators.TestFixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A random-weight model sampled at temperature 1 still yields schema-valid JSON under the grammar. */
class GrammarRandomModelTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String SCHEMA = "{\"type\":\"object\",\"properties\":{"
            + "\"name\":{\"type\":\"string\"},"
            + "\"score\":{\"type\":\"number\"},"
            + "\"ok\":{\"type\":\"boolean\"},"
            + "\"tags\":{\"type\":\"array\",\"items\":{\"enum\":[\"red\",\"green\",7]}},"
            + "\"inner\":{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"]}},"
            + "\"required\":[\"name\",\"inner\"]}";

    static Llama4Model model;
    static Scheduler scheduler;

    @BeforeAll
    static void load() {
        model = Llama4Model.load(TestFixtures.model("tiny-scout"));
        scheduler = new Scheduler(model.textModel(), SchedulerConfig.defaults().withKvBudgetBytes(64L << 20));
    }

    @AfterAll
    static void close() {
        scheduler.close();
    }

    @Test
    void sampledRepliesAlwaysParseAndConform() throws Exception {
        JsonNode schemaJson = MAPPER.readTree(SCHEMA);
        SchemaNode schema = JsonSchemaCompiler.compile(schemaJson);
        VocabularyIndex bytes = new VocabularyIndex(model.tokenizer());
        int eot = model.chatFormat().endOfTurnId();
        int[] prompt = model.chatFormat().encodeUserPrompt(null, "Extract the data as JSON.");
        List<CompletableFuture<InferenceResult>> futures = new ArrayList<>();
        List<Integer> budgets = new ArrayList<>();
        for (int seed = 0; seed < 12; seed++) {
            int maxTokens = 30 + seed * 6; // small budgets force the grammar to close early
            budgets.add(maxTokens);
            SamplingParams p = new SamplingParams(1.0, 0, 1.0, 0, seed, maxTokens);
            futures.add(scheduler
                    .submit(InferenceRequest.generate(prompt, p)
                            .withProcessor(new JsonGrammarProcessor(schema, bytes, eot, maxTokens)))
                    .result());
        }
        int distinct = 0;
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            int[] tokens = futures.get(i).get().tokens();
            String text = decodeWithoutEnd(tokens, eot);
            assertTrue(tokens.length <= budgets.get(i));
            JsonNode parsed = MAPPER.readTree(text);
            assertConforms(schemaJson, parsed, "$ in " + text);
            if (!seen.contains(text)) {
                seen.add(text);
                distinct++;
            }
        }
        assertTrue(distinct > 6, "sampling should vary the documents: " + seen);
    }

    private static String decodeWithoutEnd(int[] tokens, int eot) {
        int n = tokens.length > 0 && tokens[tokens.length - 1] == eot ? tokens.length - 1 : tokens.length;
        return model.tokenizer().decode(Arrays.copyOf(tokens, n));
    }

    /** An independent check of the supported subset, so the test does not trust the matcher. */
    static void assertConforms(JsonNode schema, JsonNode v, String where) {
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode e : schema.get("enum")) {
                found |= e.equals(v);
            }
            assertTrue(found, where + ": not in enum: " + v);
            return;
        }
        switch (schema.get("type").asText()) {
            case "object" -> {
                assertTrue(v.isObject(), where + " not an object");
                for (JsonNode r : schema.path("required")) {
                    assertTrue(v.has(r.asText()), where + " lacks " + r.asText());
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode sub = schema.get("properties").get(e.getKey());
                    assertTrue(sub != null, where + " has unknown key " + e.getKey());
                    assertConforms(sub, e.getValue(), where + "." + e.getKey());
                }
            }
            case "array" -> {
                assertTrue(v.isArray(), where + " not an array");
                v.forEach(item -> assertConforms(schema.get("items"), item, where + "[]"));
            }
            case "string" -> assertTrue(v.isTextual(), where + " not a string");
            case "number" -> assertTrue(v.isNumber(), where + " not a number");
            case "integer" -> assertTrue(v.isIntegralNumber(), where + " not an integer");
            case "boolean" -> assertTrue(v.isBoolean(), where + " not a boolean");
            default -> throw new AssertionError(schema);
        }
    }
}
