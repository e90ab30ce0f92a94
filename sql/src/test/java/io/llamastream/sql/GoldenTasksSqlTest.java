package io.llamastream.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.kafka.testkit.KafkaBroker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The 60 golden demo-tasks cases, written to Kafka and read back as a Kafka table, through
 * {@code ML_PREDICT} with one model per task: every row gets the reference's answer in the task's
 * typed columns, with the reference's prompt length, and no row carries an error. (The views
 * rename the input's {@code text}: ML_PREDICT would otherwise rename the model's {@code text}.)
 */
class GoldenTasksSqlTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = SqlSession.testCluster(2);

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    static final ObjectMapper JSON = new ObjectMapper();
    static final String MODEL_DIR = Fixtures.model("demo-tasks").toString();
    static final String PREDICT_CONFIG = "MAP['async', 'true', 'max-concurrent-operations', '64', 'timeout', '10 min']";
    static final Map<String, JsonNode> cases = new HashMap<>();
    static final Map<String, Row> rows = new HashMap<>();

    @BeforeAll
    static void runTheCasesThroughSql() throws Exception {
        List<String> events = new ArrayList<>();
        int i = 0;
        for (JsonNode c : Fixtures.json(Fixtures.model("demo-tasks").resolve("golden.json"))
                .get("cases")) {
            String id = "case-" + i++;
            cases.put(id, c);
            ObjectNode e = JSON.createObjectNode()
                    .put("id", id)
                    .put("task", c.get("task").asText())
                    .put("text", c.get("text").asText());
            if (c.get("params").has("target_language")) {
                e.put("target_language", c.get("params").get("target_language").asText());
            }
            events.add(e.toString());
        }
        KafkaTopics kafka = new KafkaTopics(BROKER.bootstrapServers());
        kafka.send("requests", events);

        SqlSession sql = SqlSession.onTestCluster(2);
        sql.run(kafka.boundedJsonTable(
                "requests", "id STRING, task STRING, text STRING, target_language STRING", "requests"));
        String common =
                "'provider' = 'llamastream', 'model.dir' = '" + MODEL_DIR + "', 'engine.kv-cache-size' = '256m'";
        String errors = ", prompt_tokens INT, completion_tokens INT, error_code STRING, error_message STRING";
        sql.run("CREATE MODEL moderator INPUT (text STRING) OUTPUT (safe BOOLEAN, categories ARRAY<STRING>, "
                + "score DOUBLE" + errors + ") WITH (" + common + ", 'task' = 'moderate')");
        for (String lang : List.of("en", "fr")) {
            sql.run("CREATE MODEL translator_" + lang + " INPUT (text STRING) OUTPUT (text STRING" + errors + ") WITH ("
                    + common + ", 'task' = 'translate', 'target-language' = '" + lang + "')");
        }
        sql.run("CREATE MODEL sentiment INPUT (text STRING) OUTPUT (label STRING, "
                + "probabilities MAP<STRING, DOUBLE>" + errors + ") WITH (" + common
                + ", 'task' = 'classify', 'labels' = 'positive;negative;neutral')");
        String schema = "{\"type\":\"object\",\"properties\":{\"product\":{\"type\":\"string\"},"
                + "\"rating\":{\"type\":\"integer\"}},\"required\":[\"product\",\"rating\"]}";
        sql.run("CREATE MODEL extractor INPUT (text STRING) OUTPUT (json STRING" + errors + ") WITH (" + common
                + ", 'task' = 'extract', 'schema' = '" + schema + "')");

        collect(sql, "moderate", "moderator", "");
        collect(sql, "translate", "translator_en", " AND target_language = 'en'");
        collect(sql, "translate", "translator_fr", " AND target_language = 'fr'");
        collect(sql, "classify", "sentiment", "");
        collect(sql, "extract", "extractor", "");
    }

    static void collect(SqlSession sql, String task, String model, String filter) throws Exception {
        String view = model + "_rows";
        sql.run("CREATE TEMPORARY VIEW " + view + " AS SELECT id, text AS input_text FROM requests WHERE task = '"
                + task + "'" + filter);
        rows.putAll(sql.rowsById("SELECT * FROM ML_PREDICT(TABLE " + view + ", MODEL " + model
                + ", DESCRIPTOR(input_text), " + PREDICT_CONFIG + ")"));
    }

    @Test
    void everyCaseComesOutOnceWithoutAnError() {
        assertEquals(60, cases.size());
        assertEquals(cases.keySet(), rows.keySet());
        rows.forEach((id, r) -> assertNull(r.getField("error_code"), id + ": " + r.getField("error_message")));
    }

    @Test
    void moderationVerdictsAreTheReferences() {
        forTask("moderate", (c, r) -> {
            String[] lines = c.get("expected").asText().split("\n");
            assertEquals(lines[0].equals("safe"), r.getField("safe"));
            String[] categories = lines.length > 1 ? lines[1].split(",") : new String[0];
            assertArrayEquals(categories, (String[]) r.getField("categories"));
            double score = (Double) r.getField("score");
            assertTrue(score >= 0 && score <= 1 && (score > 0.5) == lines[0].equals("unsafe"), "score " + score);
        });
    }

    @Test
    void translationsAreTheReferences() {
        forTask("translate", (c, r) -> assertEquals(c.get("expected").asText(), r.getField("text")));
    }

    @Test
    void classificationsAreTheReferencesWithTheirProbabilities() {
        forTask("classify", (c, r) -> {
            assertEquals(c.get("expected").asText(), r.getField("label"));
            @SuppressWarnings("unchecked")
            Map<String, Double> p = (Map<String, Double>) r.getField("probabilities");
            assertEquals(Set.of("positive", "negative", "neutral"), p.keySet());
            assertEquals(
                    1.0, p.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
            assertTrue(p.get(c.get("expected").asText()) > 0.5, p.toString());
            assertEquals(0, r.getField("completion_tokens"), "classification scores labels, it generates nothing");
        });
    }

    @Test
    void extractionsAreTheReferences() {
        forTask("extract", (c, r) -> assertEquals(c.get("expected").asText(), r.getField("json")));
    }

    @Test
    void everyPromptIsTheReferencePrompt() {
        rows.forEach((id, r) -> assertEquals(cases.get(id).get("prompt_ids").size(), r.getField("prompt_tokens"), id));
    }

    static void forTask(String task, BiConsumer<JsonNode, Row> check) {
        int n = 0;
        for (Map.Entry<String, JsonNode> e : cases.entrySet()) {
            if (e.getValue().get("task").asText().equals(task)) {
                Row r = rows.get(e.getKey());
                assertNotNull(r, e.getKey());
                check.accept(e.getValue(), r);
                n++;
            }
        }
        assertEquals(15, n, task + " cases");
    }
}
