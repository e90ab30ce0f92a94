package io.llamastream.kafka;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Fully populated sample events shared by the JSON and schema tests. */
final class SampleEvents {
    private SampleEvents() {}

    static RequestEvent request() {
        ObjectNode schema = JsonNodeFactory.instance.objectNode();
        schema.put("type", "object");
        schema.putObject("properties").putObject("name").put("type", "string");
        RequestParams params = new RequestParams(
                64,
                0.7,
                0.9,
                40,
                1234567890123L,
                "fr",
                List.of("pos", "neg"),
                schema,
                ContextOverflow.TRUNCATE_HEAD,
                1_900_000_000_000L);
        ObjectNode audio = JsonNodeFactory.instance.objectNode().put("base64", "UklGRg==");
        return new RequestEvent(
                "evt-1",
                "moderate",
                "user-42",
                "Est-ce s\u00fbr ? \uD83D\uDE00",
                List.of(new EncodedImage("iVBORw0KGgo="), new EncodedImage("/9j/4AAQ")),
                new Video(List.of(new EncodedImage("AAAA"), new EncodedImage("BBBB")), "AAAAIGZ0eXBpc29t"),
                audio,
                params);
    }

    static ResultEvent result() {
        ObjectNode verdict = JsonNodeFactory.instance.objectNode().put("safe", false);
        verdict.putArray("categories").add("S10");
        return ResultEvent.ok(
                "evt-1",
                "moderate",
                "unsafe\nS10",
                verdict,
                new Usage(812, 790, 4),
                new Timing(3, 40, 22, 71),
                "Llama-Guard-4-12B",
                "user-42");
    }

    static DeadLetterEvent deadLetter() {
        return DeadLetterEvent.of(
                ErrorCode.INVALID_FIELD,
                "field 'images[0].base64' must be a string, got an integer",
                "{\"id\":\"evt-9\",\"task\":\"moderate\",\"images\":[{\"base64\":7}]}".getBytes(),
                new RecordSource("llamastream.requests", 3, 1041L),
                "evt-9",
                "moderate");
    }
}
