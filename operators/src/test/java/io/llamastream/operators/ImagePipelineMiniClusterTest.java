package io.llamastream.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.kafka.DeadLetterEvent;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.kafka.ResultEvent;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
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
import java.util.zip.CRC32;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Image requests through the whole pipeline on the trained demo-vision model: every grid shape
 * gets the reference's answer, and images that do not decode or exceed the pixel limit become
 * dead letters with their own codes.
 */
class ImagePipelineMiniClusterTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path MODEL = TestFixtures.model("demo-vision");
    static final Map<String, String> expected = new HashMap<>();
    static final Map<String, ResultEvent> results = new HashMap<>();
    static final Map<String, DeadLetterEvent> deadLetters = new HashMap<>();

    static String imageEvent(String id, String question, byte[]... images) {
        ObjectNode o =
                JSON.createObjectNode().put("id", id).put("task", "generate").put("text", question);
        var arr = o.putArray("images");
        for (byte[] image : images) {
            arr.addObject().put("base64", Base64.getEncoder().encodeToString(image));
        }
        return o.toString();
    }

    /** A PNG whose header claims 100000 x 100000 pixels (with a valid CRC), and nothing more. */
    static byte[] bombPng() {
        ByteBuffer ihdr = ByteBuffer.allocate(17)
                .put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(100_000)
                .putInt(100_000)
                .put((byte) 8)
                .put((byte) 2)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
        out.writeBytes(ihdr.array());
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }

    @BeforeAll
    static void runPipeline() throws Exception {
        List<String> events = new ArrayList<>();
        Set<String> grids = new HashSet<>();
        for (JsonNode c : TestFixtures.json(MODEL.resolve("golden.json")).get("cases")) {
            String grid = c.get("aspect_ratios").toString();
            // Every grid shape at least once, and a few more cases.
            if (!grids.add(grid) && events.size() >= 6) {
                continue;
            }
            String id = "img-" + events.size();
            expected.put(id, c.get("expected").asText());
            events.add(imageEvent(
                    id,
                    c.get("question").asText(),
                    Files.readAllBytes(MODEL.resolve(c.get("image").asText()))));
        }
        events.add(imageEvent(
                "corrupt", "What is in the image?", "definitely not an image".getBytes(StandardCharsets.UTF_8)));
        events.add(imageEvent("bomb", "What is in the image?", bombPng()));

        List<RawRequest> inputs = new ArrayList<>();
        for (String e : events) {
            inputs.add(new RawRequest("requests", 0, inputs.size(), null, e.getBytes(StandardCharsets.UTF_8)));
        }
        PipelineSettings settings = new PipelineSettings(
                MODEL.toString(),
                null,
                BatchingSettings.defaults(),
                EngineSettings.defaults(),
                new InputLimits(10_000, 4, 4, 1_000_000, 4096),
                0);
        PipelineRun run = PipelineRun.of(inputs, settings, "images");
        run.results().forEach(r -> results.put(r.id(), r));
        run.deadLetters().forEach(d -> deadLetters.put(d.id(), d));
    }

    @Test
    void everyImageGetsTheReferenceAnswer() {
        assertTrue(expected.size() >= 8, "cases: " + expected.keySet());
        for (Map.Entry<String, String> e : expected.entrySet()) {
            ResultEvent r = results.get(e.getKey());
            assertNotNull(r, e.getKey() + " has no result; dead letters: " + deadLetters);
            assertEquals(e.getValue(), r.output(), e.getKey());
            assertTrue(r.usage().promptTokens() > 144, "the prompt carries the image's patches");
        }
    }

    @Test
    void anUndecodableImageIsDeadLetteredAsSuch() {
        DeadLetterEvent d = deadLetters.get("corrupt");
        assertNotNull(d, "no dead letter for the corrupt image; results: " + results.keySet());
        assertEquals(ErrorCode.UNDECODABLE_IMAGE, d.errorCode());
        assertTrue(d.message().contains("image 0"), d.message());
    }

    @Test
    void anImageOverThePixelLimitIsRejectedFromItsHeader() {
        DeadLetterEvent d = deadLetters.get("bomb");
        assertNotNull(d);
        assertEquals(ErrorCode.IMAGE_TOO_LARGE, d.errorCode());
    }

    @Test
    void everyEventYieldsExactlyOneRecord() {
        assertEquals(expected.size() + 2, results.size() + deadLetters.size());
    }
}
