package io.llamastream.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.kafka.testkit.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Images in SQL on the trained demo-vision model, read from a Kafka table: a {@code BYTES} column
 * and an {@code ARRAY<BYTES>} column both get the reference's answer for every grid shape, and an
 * image that does not decode, is over the pixel limit, or is one too many comes back as that
 * row's error with the DataStream job's code.
 */
class ImagesSqlTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = SqlSession.testCluster(1);

    @RegisterExtension
    static final KafkaBroker BROKER = new KafkaBroker();

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path MODEL = Fixtures.model("demo-vision");
    static final Map<String, String> expected = new HashMap<>();
    static final Map<String, Row> single = new HashMap<>();
    static final Map<String, Row> several = new HashMap<>();

    static String row(String id, String question, byte[]... images) {
        ObjectNode o = JSON.createObjectNode().put("id", id).put("question", question);
        if (images.length > 0) {
            o.put("image", Base64.getEncoder().encodeToString(images[0]));
        }
        var array = o.putArray("images");
        for (byte[] image : images) {
            array.add(Base64.getEncoder().encodeToString(image));
        }
        return o.toString();
    }

    @BeforeAll
    static void runTheImages() throws Exception {
        List<String> rows = new ArrayList<>();
        Set<String> grids = new HashSet<>();
        byte[] smallest = null;
        for (JsonNode c : Fixtures.json(MODEL.resolve("golden.json")).get("cases")) {
            if (!grids.add(c.get("aspect_ratios").toString()) && rows.size() >= 4) {
                continue;
            }
            String id = "img-" + rows.size();
            expected.put(id, c.get("expected").asText());
            byte[] image = Files.readAllBytes(MODEL.resolve(c.get("image").asText()));
            smallest = smallest == null || image.length < smallest.length ? image : smallest;
            rows.add(row(id, c.get("question").asText(), image));
        }
        rows.add(row("corrupt", "What is in the image?", "definitely not an image".getBytes(StandardCharsets.UTF_8)));
        rows.add(row("three", "What is in the image?", smallest, smallest, smallest));
        KafkaTopics kafka = new KafkaTopics(BROKER.bootstrapServers());
        kafka.send("images", rows);

        SqlSession sql = SqlSession.onTestCluster(1);
        sql.run(kafka.boundedJsonTable(
                "images", "id STRING, question STRING, image BYTES, images ARRAY<BYTES>", "images"));
        String out = "OUTPUT (text STRING, prompt_tokens INT, error_code STRING, error_message STRING)";
        String with = "'provider' = 'llamastream', 'model.dir' = '" + MODEL + "', 'task' = 'generate', "
                + "'limits.max-images' = '2', 'engine.kv-cache-size' = '128m'";
        sql.run("CREATE MODEL one_image INPUT (question STRING, image BYTES) " + out + " WITH (" + with + ")");
        sql.run("CREATE MODEL many_images INPUT (question STRING, images ARRAY<BYTES>) " + out + " WITH (" + with
                + ", 'limits.max-image-pixels' = '120000')");
        single.putAll(
                sql.rowsById("SELECT * FROM ML_PREDICT(TABLE images, MODEL one_image, DESCRIPTOR(question, image))"));
        several.putAll(sql.rowsById(
                "SELECT * FROM ML_PREDICT(TABLE images, MODEL many_images, DESCRIPTOR(question, images))"));
    }

    @Test
    void aBytesColumnGetsTheReferenceAnswerForEveryGrid() {
        assertTrue(expected.size() >= 5, "cases: " + expected.keySet());
        expected.forEach((id, answer) -> {
            Row r = single.get(id);
            assertNotNull(r, id);
            assertNull(r.getField("error_code"), id + ": " + r.getField("error_message"));
            assertEquals(answer, r.getField("text"), id);
            assertTrue((Integer) r.getField("prompt_tokens") > 144, "the prompt carries the image's patches");
        });
    }

    @Test
    void anArrayColumnOfOneImageGetsTheSameAnswerAsTheBytesColumn() {
        // The array model's pixel limit (120,000) admits the 336x336 and 256x256 cases only.
        expected.forEach((id, answer) -> {
            Row r = several.get(id);
            if (r.getField("error_code") == null) {
                assertEquals(answer, r.getField("text"), id);
            } else {
                assertEquals("IMAGE_TOO_LARGE", r.getField("error_code"), id + ": " + r.getField("error_message"));
            }
        });
        assertTrue(several.values().stream().anyMatch(r -> r.getField("text") != null));
    }

    @Test
    void anImageThatDoesNotDecodeIsThatRowsError() {
        assertEquals("UNDECODABLE_IMAGE", single.get("corrupt").getField("error_code"));
        assertTrue(((String) single.get("corrupt").getField("error_message")).contains("image 0"));
    }

    @Test
    void anImageOverThePixelLimitIsThatRowsError() {
        assertTrue(
                several.values().stream().anyMatch(r -> "IMAGE_TOO_LARGE".equals(r.getField("error_code"))),
                "the 640x360 and 500x300 cases exceed 120,000 pixels");
    }

    @Test
    void moreImagesThanTheLimitIsTooMany() {
        assertEquals("TOO_MANY_IMAGES", several.get("three").getField("error_code"));
        assertNull(single.get("three").getField("error_code"), "the BYTES column carries only the first image");
    }
}
