package io.llamastream.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.tokenizer.ChatFormat;
import io.llamastream.engine.tokenizer.ChatMessage;
import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.kafka.DeadLetterEvent;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.kafka.ResultEvent;
import io.llamastream.operators.TestFixtures.GoldenCase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * All 60 demo-tasks golden cases, one bad event per dead-letter code and a two-turn session,
 * run as one bounded job (parallelism 2, so two inference subtasks share one engine) through
 * {@link InferencePipeline#build}; each test checks one behaviour of that run.
 */
class InferencePipelineMiniClusterTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static final ObjectMapper JSON = new ObjectMapper();
    static final List<GoldenCase> CASES = TestFixtures.demoTasksCases();
    static final String TRANSLATE_1 = "Translate the following text to French:\nThe doctor likes the bread.";
    static final String TRANSLATE_2 = "Translate the following text to English:\nLa fille trouve le livre.";
    /**
     * KV budget of 120 pages of 32 positions x 64 floats (the demo model's K or V of one layer): a
     * moderation request needs about 54 pages, a 2000-token reply 166 (five chunked layers hold
     * one 128-token chunk each, the NoPE layer everything), so the engine refuses the latter.
     */
    static final long KV_BYTES = 120L * 32 * 64 * Float.BYTES;

    static List<RawRequest> inputs = new ArrayList<>();
    static Map<String, ResultEvent> results = new HashMap<>();
    static List<ResultEvent> resultList = new ArrayList<>();
    static List<DeadLetterEvent> deadLetters = new ArrayList<>();
    static Map<String, ErrorCode> badEvents = new HashMap<>();

    static RawRequest raw(String json) {
        RawRequest r = new RawRequest("requests", 0, inputs.size(), null, json.getBytes(StandardCharsets.UTF_8));
        inputs.add(r);
        return r;
    }

    static String event(String id, String task, String text, JsonNode params, String session) {
        ObjectNode o = JSON.createObjectNode().put("id", id).put("task", task).put("text", text);
        if (params != null) {
            o.set("params", params);
        }
        if (session != null) {
            o.put("session", session);
        }
        return o.toString();
    }

    static void bad(String id, ErrorCode code, String json) {
        badEvents.put(id, code);
        raw(json);
    }

    @BeforeAll
    static void runPipeline() throws Exception {
        for (GoldenCase c : CASES) {
            raw(event("golden-" + c.index(), c.task(), c.text(), c.params(), null));
        }
        raw(event("turn-1", "generate", TRANSLATE_1, null, "session-a"));
        raw(event("turn-2", "generate", TRANSLATE_2, null, "session-a"));
        String img = "iVBORw0KGgo=";
        bad("not-json", ErrorCode.NOT_JSON, "{not json");
        bad("invalid-field", ErrorCode.INVALID_FIELD, "{\"id\":\"invalid-field\",\"task\":\"generate\",\"text\":7}");
        bad("missing-id", ErrorCode.MISSING_ID, "{\"task\":\"generate\",\"text\":\"hi\"}");
        bad("unknown-task", ErrorCode.UNKNOWN_TASK, event("unknown-task", "summarise", "x", null, null));
        bad("too-long", ErrorCode.TEXT_TOO_LONG, event("too-long", "generate", "a".repeat(60_001), null, null));
        bad(
                "too-many",
                ErrorCode.TOO_MANY_IMAGES,
                "{\"id\":\"too-many\",\"task\":\"generate\",\"text\":\"x\"," + "\"images\":[{\"base64\":\"" + img
                        + "\"},{\"base64\":\"" + img + "\"},{\"base64\":\"" + img + "\"}]}");
        bad(
                "bad-b64",
                ErrorCode.BAD_BASE64,
                "{\"id\":\"bad-b64\",\"task\":\"generate\",\"text\":\"x\","
                        + "\"images\":[{\"base64\":\"%%%not base64\"}]}");
        bad(
                "audio",
                ErrorCode.UNSUPPORTED_MODALITY,
                "{\"id\":\"audio\",\"task\":\"generate\",\"text\":\"x\"," + "\"audio\":{\"base64\":\"AAAA\"}}");
        bad(
                "image-text-model",
                ErrorCode.UNSUPPORTED_MODALITY,
                "{\"id\":\"image-text-model\",\"task\":\"generate\","
                        + "\"text\":\"what is this\",\"images\":[{\"base64\":\"" + img + "\"}]}");
        bad("no-language", ErrorCode.INVALID_FIELD, event("no-language", "translate", "hello", null, null));
        bad(
                "de-language",
                ErrorCode.INVALID_FIELD,
                event(
                        "de-language",
                        "translate",
                        "hello",
                        JSON.createObjectNode().put("target_language", "de"),
                        null));
        bad(
                "one-label",
                ErrorCode.INVALID_FIELD,
                event("one-label", "classify", "ok", JSON.readTree("{\"labels\":[\"positive\"]}"), null));
        bad(
                "bad-schema",
                ErrorCode.INVALID_FIELD,
                event(
                        "bad-schema",
                        "extract",
                        "ok",
                        JSON.readTree("{\"schema\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"null\"}}}}"),
                        null));
        bad(
                "overflow",
                ErrorCode.CONTEXT_OVERFLOW,
                event(
                        "overflow",
                        "translate",
                        "the cat sleeps. ".repeat(3000),
                        JSON.createObjectNode().put("target_language", "fr").put("context_overflow", "reject"),
                        null));
        bad(
                "deadline",
                ErrorCode.DEADLINE_EXCEEDED,
                event("deadline", "generate", "hi", JSON.createObjectNode().put("deadline_ms", 1), null));
        bad(
                "engine-refuses",
                ErrorCode.INFERENCE_FAILED,
                event(
                        "engine-refuses",
                        "generate",
                        "hi",
                        JSON.createObjectNode().put("max_tokens", 2000),
                        null));
        // The duplicate's first copy is answered; the second copy is the dead letter.
        raw(event(
                "dup",
                "classify",
                "The desk lamp is great.",
                JSON.readTree("{\"labels\":[\"positive\",\"negative\"]}"),
                null));
        bad(
                "dup",
                ErrorCode.DUPLICATE_ID,
                event(
                        "dup",
                        "classify",
                        "The desk lamp is great.",
                        JSON.readTree("{\"labels\":[\"positive\",\"negative\"]}"),
                        null));

        PipelineSettings settings = new PipelineSettings(
                TestFixtures.model("demo-tasks").toString(),
                null,
                new BatchingSettings(16, 5, 256),
                new EngineSettings(0, KV_BYTES, 8L << 20, "bf16"),
                new InputLimits(60_000, 2, 4, 1_000_000, 4096),
                0);
        PipelineRun run = PipelineRun.of(inputs, settings, "golden");
        resultList.addAll(run.results());
        run.results().forEach(r -> results.put(r.id(), r));
        deadLetters.addAll(run.deadLetters());
    }

    static Stream<GoldenCase> cases(String task) {
        return CASES.stream().filter(c -> c.task().equals(task));
    }

    static Stream<GoldenCase> moderateCases() {
        return cases("moderate");
    }

    static Stream<GoldenCase> translateCases() {
        return cases("translate");
    }

    static Stream<GoldenCase> classifyCases() {
        return cases("classify");
    }

    static Stream<GoldenCase> extractCases() {
        return cases("extract");
    }

    static ResultEvent result(GoldenCase c) {
        ResultEvent r = results.get("golden-" + c.index());
        assertNotNull(r, c + " has no result; dead letters: " + deadLetters);
        return r;
    }

    @ParameterizedTest
    @MethodSource("moderateCases")
    void moderationVerdictMatchesExpected(GoldenCase c) {
        ResultEvent r = result(c);
        String[] lines = c.expected().split("\n");
        boolean safe = lines[0].equals("safe");
        List<String> categories = lines.length > 1 ? List.of(lines[1].split(",")) : List.of();
        assertEquals(safe, r.result().get("safe").asBoolean());
        List<String> got = new ArrayList<>();
        r.result().get("categories").forEach(n -> got.add(n.asText()));
        assertEquals(categories, got);
        assertEquals(c.expected(), r.output());
        double score = r.result().get("score").asDouble();
        assertTrue(safe ? score < 0.5 : score > 0.5, "score " + score);
    }

    @ParameterizedTest
    @MethodSource("translateCases")
    void translationMatchesExpected(GoldenCase c) {
        ResultEvent r = result(c);
        assertEquals(c.expected(), r.output());
        assertEquals(c.expected(), r.result().get("text").asText());
        assertEquals(
                c.params().get("target_language").asText(),
                r.result().get("target_language").asText());
        assertEquals(c.promptIds().length, r.usage().promptTokens());
        assertEquals(c.greedy().length, r.usage().completionTokens());
    }

    @ParameterizedTest
    @MethodSource("classifyCases")
    void classificationPicksExpectedLabel(GoldenCase c) {
        ResultEvent r = result(c);
        assertEquals(c.expected(), r.result().get("label").asText());
        JsonNode probs = r.result().get("probabilities");
        double sum = 0;
        for (JsonNode label : c.params().get("labels")) {
            double p = probs.get(label.asText()).asDouble();
            sum += p;
            if (!label.asText().equals(c.expected())) {
                assertTrue(p < probs.get(c.expected()).asDouble());
            }
        }
        assertEquals(1.0, sum, 1e-9);
    }

    @ParameterizedTest
    @MethodSource("extractCases")
    void extractionEqualsExpectedJson(GoldenCase c) throws Exception {
        assertEquals(JSON.readTree(c.expected()), result(c).result());
    }

    @Test
    void everyBadEventYieldsItsDeadLetterCode() {
        Map<String, ErrorCode> byId = new HashMap<>();
        for (DeadLetterEvent d : deadLetters) {
            byId.put(
                    d.id() == null ? (d.errorCode() == ErrorCode.NOT_JSON ? "not-json" : "missing-id") : d.id(),
                    d.errorCode());
        }
        assertEquals(badEvents, byId);
        assertTrue(deadLetters.stream().anyMatch(d -> d.message().contains("model demo-tasks has no vision encoder")));
    }

    @Test
    void everyErrorCodeOfThePipelineIsProduced() {
        List<ErrorCode> expected = new ArrayList<>(List.of(ErrorCode.values()));
        // Image decoding needs a vision model: ImagePipelineMiniClusterTest produces these two.
        expected.remove(ErrorCode.UNDECODABLE_IMAGE);
        expected.remove(ErrorCode.IMAGE_TOO_LARGE);
        List<ErrorCode> produced = deadLetters.stream()
                .map(DeadLetterEvent::errorCode)
                .distinct()
                .sorted()
                .toList();
        assertEquals(expected, produced);
    }

    @Test
    void exactlyOneOutputPerInput() {
        assertEquals(inputs.size(), resultList.size() + deadLetters.size());
        List<String> ids = new ArrayList<>();
        resultList.forEach(r -> ids.add(r.id()));
        deadLetters.forEach(d -> ids.add(String.valueOf(d.id())));
        List<String> expected = new ArrayList<>();
        for (RawRequest r : inputs) {
            JsonNode id;
            try {
                id = JSON.readTree(r.value()).get("id");
            } catch (Exception notJson) {
                id = null;
            }
            expected.add(id == null ? "null" : id.asText());
        }
        Collections.sort(ids);
        Collections.sort(expected);
        assertEquals(expected, ids);
    }

    @Test
    void secondTurnPromptHoldsTheFirstTurnAndItsAnswer() {
        ResultEvent first = results.get("turn-1");
        ResultEvent second = results.get("turn-2");
        Tokenizer tokenizer =
                Tokenizer.fromTokenizerJson(TestFixtures.model("demo-tasks").resolve("tokenizer.json"));
        ChatFormat chat = new ChatFormat(tokenizer);
        assertEquals("Le médecin aime le pain.", first.output());
        int single = chat.encodeUserPrompt(null, TRANSLATE_2).length;
        int dialog = chat.encodeDialog(
                        List.of(
                                ChatMessage.user(TRANSLATE_1),
                                ChatMessage.assistant(first.output()),
                                ChatMessage.user(TRANSLATE_2)),
                        true)
                .length;
        assertEquals(
                chat.encodeUserPrompt(null, TRANSLATE_1).length, first.usage().promptTokens());
        assertEquals(dialog, second.usage().promptTokens());
        assertTrue(dialog > single);
        assertEquals("session-a", second.session());
    }

    @Test
    void resultsCarryModelUsageAndTiming() {
        ResultEvent r = results.get("golden-0");
        assertEquals("demo-tasks", r.model());
        assertEquals("ok", r.status());
        assertTrue(r.timingMs().total() >= r.timingMs().decode());
        assertTrue(r.usage().cachedTokens() <= r.usage().promptTokens());
        assertTrue(
                resultList.stream().anyMatch(x -> x.usage().cachedTokens() > 0),
                "moderation prompts share a long prefix: some should hit the prefix cache");
    }
}
