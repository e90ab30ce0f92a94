package io.llamastream.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.kafka.testkit.KafkaBroker;
import java.nio.file.Files;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rows that cannot be answered come out of {@code ML_PREDICT} with the DataStream job's error code
 * and a message, their result columns null, and the rows after them are still answered: a bad row
 * never fails the job. The rows are read from a Kafka table.
 */
class RowErrorsSqlTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = SqlSession.testCluster(1);

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    static final ObjectMapper JSON = new ObjectMapper();
    static final String MODEL_DIR = Fixtures.model("demo-tasks").toString();
    static final String LONG_SENTENCE =
            "The farmer draws a flower in the evening and the girl draws the house on Sunday, "
                    + "and my mother wants the bread every morning while the doctor reads the newspaper at noon.";
    static final Map<String, Row> translated = new HashMap<>();
    static final Map<String, Row> generated = new HashMap<>();
    static final Map<String, Row> hurried = new HashMap<>();

    @BeforeAll
    static void runTheRows() throws Exception {
        KafkaTopics kafka = new KafkaTopics(BROKER.bootstrapServers());
        String image = Base64.getEncoder()
                .encodeToString(Files.readAllBytes(Fixtures.model("demo-vision").resolve("img00_336x336.png")));
        kafka.send(
                "requests",
                List.of(
                        "{\"id\":\"no-text\"}",
                        "{\"id\":\"blank\",\"input\":\"   \"}",
                        "{\"id\":\"too-long\",\"input\":\"" + "word ".repeat(100) + "\"}",
                        "{\"id\":\"overflow\",\"input\":\"" + LONG_SENTENCE + "\"}",
                        "{\"id\":\"with-image\",\"input\":\"What is in the image?\",\"image\":\"" + image + "\"}",
                        "{\"id\":\"fine\",\"input\":\"The dog carries a flower on Sunday.\"}"));
        SqlSession sql = SqlSession.onTestCluster(1);
        sql.run(kafka.boundedJsonTable("requests", "id STRING, input STRING, image BYTES", "requests"));
        String out = "prompt_tokens INT, completion_tokens INT, error_code STRING, error_message STRING";
        sql.run("CREATE MODEL strict_translator INPUT (input STRING) OUTPUT (text STRING, " + out + ") WITH ("
                + "'provider' = 'llamastream', 'model.dir' = '" + MODEL_DIR + "', 'task' = 'translate', "
                + "'target-language' = 'fr', 'max-tokens' = '32', 'limits.max-text-chars' = '300', "
                + "'limits.max-context-tokens' = '80', 'engine.kv-cache-size' = '64m')");
        sql.run("CREATE MODEL text_only INPUT (input STRING, image BYTES) OUTPUT (text STRING, " + out
                + ") WITH ('provider' = 'llamastream', 'model.dir' = '" + MODEL_DIR + "', 'task' = 'generate', "
                + "'max-tokens' = '8', 'engine.kv-cache-size' = '64m')");
        translated.putAll(
                sql.rowsById("SELECT * FROM ML_PREDICT(TABLE requests, MODEL strict_translator, DESCRIPTOR(input))"));
        generated.putAll(
                sql.rowsById("SELECT * FROM ML_PREDICT(TABLE requests, MODEL text_only, DESCRIPTOR(input, image))"));
        // 64 tokens of a reply cannot come within a millisecond of the row's arrival.
        sql.run("CREATE MODEL hurried_writer INPUT (input STRING) OUTPUT (text STRING, " + out
                + ") WITH ('provider' = 'llamastream', 'model.dir' = '" + MODEL_DIR + "', 'task' = 'generate', "
                + "'max-tokens' = '64', 'deadline' = '1 ms', 'engine.kv-cache-size' = '64m')");
        hurried.putAll(
                sql.rowsById("SELECT * FROM ML_PREDICT(TABLE requests, MODEL hurried_writer, DESCRIPTOR(input))"));
    }

    static void assertError(Map<String, Row> rows, String id, String code, String inMessage) {
        Row r = rows.get(id);
        assertNotNull(r, id + " has no row: " + rows.keySet());
        assertEquals(code, r.getField("error_code"), id + ": " + r.getField("error_message"));
        assertTrue(((String) r.getField("error_message")).contains(inMessage), (String) r.getField("error_message"));
        assertNull(r.getField("text"), "a failed row has no answer");
    }

    @Test
    void aRowWithoutTextIsAnInvalidField() {
        assertError(translated, "no-text", "INVALID_FIELD", "null or blank");
        assertError(translated, "blank", "INVALID_FIELD", "null or blank");
    }

    @Test
    void aTextOverTheCharacterLimitIsTooLong() {
        assertError(translated, "too-long", "TEXT_TOO_LONG", "limit of 300");
    }

    @Test
    void aPromptOverTheContextIsAnOverflowUnderTheRejectPolicy() {
        assertError(translated, "overflow", "CONTEXT_OVERFLOW", "context of 80 tokens");
    }

    @Test
    void anImageForAModelWithoutVisionIsAnUnsupportedModality() {
        assertError(generated, "with-image", "UNSUPPORTED_MODALITY", "no vision encoder");
    }

    @Test
    void aRowWhoseResultMissesTheModelsDeadlineIsDeadlineExceeded() {
        assertError(hurried, "fine", "DEADLINE_EXCEEDED", "deadline of 1 ms passed before the result was ready");
        assertError(hurried, "blank", "INVALID_FIELD", "null or blank");
        assertEquals(6, hurried.size());
    }

    @Test
    void theRowsAfterTheBadOnesAreStillAnswered() {
        Row fine = translated.get("fine");
        assertNull(fine.getField("error_code"), (String) fine.getField("error_message"));
        assertEquals("Le chien porte une fleur le dimanche.", fine.getField("text"));
        assertEquals(6, translated.size());
        assertEquals(6, generated.size());
        assertNull(generated.get("fine").getField("error_code"));
    }
}
