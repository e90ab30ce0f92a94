package io.llamastream.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.media.ImageDecoder;
import io.llamastream.kafka.EventJson;
import io.llamastream.kafka.ResultEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DemoSampleTest {

    @Test
    void bundledSampleHasTheGoldenCasesSessionsAndBadEvents() throws Exception {
        DemoSample sample = DemoSample.bundled();
        assertEquals(71, sample.size());
        List<DemoSample.Event> events = sample.cycle(71);
        assertEquals(60, events.stream().filter(e -> e.expected() != null).count());
        assertEquals(
                Set.of("NOT_JSON", "MISSING_ID", "UNKNOWN_TASK", "TEXT_TOO_LONG", "BAD_BASE64", "UNSUPPORTED_MODALITY"),
                new HashSet<>(events.stream()
                        .map(DemoSample.Event::expectedError)
                        .filter(x -> x != null)
                        .toList()));
        for (DemoSample.Event e : events) {
            boolean parses = DemoSample.parses(e.value());
            boolean shapeError = "NOT_JSON".equals(e.expectedError()) || "MISSING_ID".equals(e.expectedError());
            assertEquals(!shapeError, parses, "event " + e.id());
        }
        long sessionEvents = events.stream()
                .filter(e -> DemoSample.parses(e.value())
                        && EventJson.readRequest(e.value()).session() != null)
                .count();
        assertEquals(8, sessionEvents, "four two-turn sessions");
        DemoSample.Event tooLong = events.stream()
                .filter(e -> "TEXT_TOO_LONG".equals(e.expectedError()))
                .findFirst()
                .orElseThrow();
        assertTrue(EventJson.readRequest(tooLong.value()).text().length() > 32_768);
        DemoSample.Event picture = events.stream()
                .filter(e -> "image-to-text-model".equals(e.id()))
                .findFirst()
                .orElseThrow();
        byte[] png = Base64.getDecoder()
                .decode(EventJson.readRequest(picture.value()).images().get(0).base64());
        assertEquals(16, new ImageDecoder().decode(png).width(), "a real, decodable image");
    }

    @Test
    void cyclingKeepsIdsAndSessionsUnique() {
        List<DemoSample.Event> events = DemoSample.bundled().cycle(210);
        Set<String> ids = new HashSet<>();
        for (DemoSample.Event e : events) {
            if (e.id() != null) {
                assertTrue(ids.add(e.id()), "duplicate id " + e.id());
                assertEquals(e.id(), EventJson.readRequest(e.value()).id());
            }
        }
        assertEquals(210 - 6, ids.size(), "two id-less events per pass");
        Set<String> sessions = new HashSet<>();
        events.stream()
                .filter(e -> DemoSample.parses(e.value()))
                .map(e -> EventJson.readRequest(e.value()).session())
                .filter(s -> s != null)
                .forEach(sessions::add);
        assertEquals(12, sessions.size());
        assertEquals(25, DemoSample.bundled().cycle(25).size());
    }

    private static ResultEvent result(String output, String resultJson) throws Exception {
        return ResultEvent.ok(
                "x",
                "t",
                output,
                resultJson == null ? null : new ObjectMapper().readTree(resultJson),
                null,
                null,
                "m",
                null);
    }

    @Test
    void answersCompareVerdictsLabelsTextAndParsedJson() throws Exception {
        assertTrue(Answers.matches("moderate", "unsafe\nS1,S11", result("unsafe\nS11,S1", null)));
        assertTrue(Answers.matches(
                "moderate", "unsafe\nS1,S11", result("?", "{\"safe\":false,\"categories\":[\"S11\",\"S1\"]}")));
        assertFalse(Answers.matches("moderate", "unsafe\nS1,S11", result("unsafe\nS1", null)));
        assertFalse(Answers.matches("moderate", "unsafe\nS1", result("safe", null)));
        assertTrue(Answers.matches(
                "translate",
                "Le chien porte une fleur le dimanche.",
                result("Le chien porte une fleur le dimanche.\n", null)));
        assertFalse(Answers.matches(
                "translate", "Le chien porte une fleur le dimanche.", result("Le chien porte une fleur.", null)));
        assertTrue(Answers.matches("classify", "positive", result("Positive", null)));
        assertTrue(Answers.matches("classify", "neutral", result("x", "{\"label\":\"neutral\",\"scores\":{}}")));
        assertFalse(Answers.matches("classify", "neutral", result("negative", null)));
        assertTrue(Answers.matches(
                "extract",
                "{\"product\": \"desk lamp\", \"rating\": 2}",
                result("{\"rating\":2,\"product\":\"desk lamp\"}", null)));
        assertFalse(Answers.matches(
                "extract",
                "{\"product\": \"desk lamp\", \"rating\": 2}",
                result("{\"rating\":3,\"product\":\"desk lamp\"}", null)));
        assertFalse(Answers.matches("extract", "{\"product\": \"laptop\", \"rating\": 2}", result("not json", null)));
    }

    @Test
    void requestsFileLinesAreSentAsIs() throws Exception {
        var f = Files.createTempFile("requests", ".jsonl");
        Files.writeString(f, "{\"id\":\"a\",\"task\":\"classify\",\"text\":\"ok\"}\n\nnot json\n");
        List<DemoSample.Event> events = DemoSample.fromRequestsFile(f);
        assertEquals(2, events.size());
        assertEquals("a", events.get(0).id());
        assertEquals("classify", events.get(0).label());
        assertEquals(DemoSample.INVALID, events.get(1).label());
        assertEquals("not json", new String(events.get(1).value(), StandardCharsets.UTF_8));
        Files.delete(f);
    }
}
