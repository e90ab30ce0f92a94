package io.llamastream.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.kafka.testkit.KafkaBroker;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Llama 3 checkpoint through {@code ML_PREDICT}: rows are prompted through the checkpoint's own
 * chat template, on the date the model's {@code date-string} option names. The golden chat case of
 * {@code llama3-tiny} (one user message, rendered by transformers on 26 Jul 2024) fixes how many
 * prompt tokens that is.
 */
class Llama3SqlTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = SqlSession.testCluster(1);

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    static final String MODEL_DIR = Fixtures.llama3("llama3-tiny").toString();
    static JsonNode golden;
    static Map<String, Row> onTheGoldensDate;
    static Map<String, Row> onALongerDate;

    @BeforeAll
    static void runTheRows() throws Exception {
        golden = Fixtures.json(Fixtures.llama3("llama3-tiny").resolve("golden.json"))
                .get("chat_cases")
                .get(0);
        assertEquals(1, golden.get("messages").size(), "the case is one user message");
        KafkaTopics kafka = new KafkaTopics(BROKER.bootstrapServers());
        String content = golden.get("messages").get(0).get("content").asText();
        kafka.send(
                "requests",
                List.of(new ObjectMapper()
                        .createObjectNode()
                        .put("id", "chat")
                        .put("input", content)
                        .toString()));
        SqlSession sql = SqlSession.onTestCluster(1);
        sql.run(kafka.boundedJsonTable("requests", "id STRING, input STRING", "requests"));
        onTheGoldensDate = sql.rowsById(
                model(sql, "on_golden_date", golden.get("date_string").asText()));
        onALongerDate = sql.rowsById(model(sql, "on_longer_date", "Saturday, 1 January 2000, in the morning"));
    }

    private static String model(SqlSession sql, String name, String date) throws Exception {
        sql.run("CREATE MODEL " + name + " INPUT (input STRING) OUTPUT (text STRING, prompt_tokens INT, "
                + "error_code STRING, error_message STRING) WITH ('provider' = 'llamastream', 'model.dir' = '"
                + MODEL_DIR + "', 'task' = 'generate', 'max-tokens' = '4', 'date-string' = '" + date + "', "
                + "'engine.kv-cache-size' = '64m')");
        return "SELECT * FROM ML_PREDICT(TABLE requests, MODEL " + name + ", DESCRIPTOR(input))";
    }

    @Test
    void aRowIsPromptedThroughTheCheckpointsTemplateOnTheOptionsDate() {
        Row row = onTheGoldensDate.get("chat");
        assertNull(row.getField("error_code"), (String) row.getField("error_message"));
        assertEquals(golden.get("prompt_ids").size(), row.getField("prompt_tokens"));
    }

    @Test
    void anotherDateStringIsRenderedInstead() {
        Row row = onALongerDate.get("chat");
        assertNull(row.getField("error_code"), (String) row.getField("error_message"));
        assertTrue(
                (Integer) row.getField("prompt_tokens")
                        > golden.get("prompt_ids").size(),
                "a longer date renders more prompt tokens: " + row);
    }
}
