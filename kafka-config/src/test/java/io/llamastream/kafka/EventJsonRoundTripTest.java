package io.llamastream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class EventJsonRoundTripTest {

    @Test
    void requestSurvivesWriteThenRead() {
        RequestEvent request = SampleEvents.request();
        assertEquals(request, EventJson.readRequest(EventJson.write(request)));
    }

    @Test
    void resultSurvivesWriteThenRead() {
        ResultEvent result = SampleEvents.result();
        assertEquals(result, EventJson.readResult(EventJson.write(result)));
    }

    @Test
    void deadLetterSurvivesWriteThenRead() {
        DeadLetterEvent deadLetter = SampleEvents.deadLetter();
        assertEquals(deadLetter, EventJson.readDeadLetter(EventJson.write(deadLetter)));
    }

    @Test
    void serdesRoundTripThroughKafkaInterfaces() {
        String topic = "t";
        assertEquals(
                SampleEvents.request(),
                new RequestEventDeserializer()
                        .deserialize(topic, new RequestEventSerializer().serialize(topic, SampleEvents.request())));
        assertEquals(
                SampleEvents.result(),
                new ResultEventDeserializer()
                        .deserialize(topic, new ResultEventSerializer().serialize(topic, SampleEvents.result())));
        assertEquals(
                SampleEvents.deadLetter(),
                new DeadLetterEventDeserializer()
                        .deserialize(
                                topic, new DeadLetterEventSerializer().serialize(topic, SampleEvents.deadLetter())));
    }

    @Test
    void resultUsesSnakeCaseWireNamesAndOmitsNulls() {
        ResultEvent result =
                ResultEvent.ok("evt-2", "generate", "hi", null, new Usage(5, 0, 1), new Timing(1, 2, 3, 7), "m", null);
        JsonNode json = EventJson.readTree(EventJson.write(result));
        assertEquals("ok", json.get("status").asText());
        assertEquals(5, json.at("/usage/prompt_tokens").asInt());
        assertEquals(7, json.at("/timing_ms/total").asInt());
        assertFalse(json.has("result"));
        assertFalse(json.has("session"));
    }

    @Test
    void designDocExampleRequestParses() {
        String json = "{\"id\": \"evt-1\", \"task\": \"moderate\", \"session\": \"user-42\", \"text\": \"hello\","
                + " \"images\": [{\"base64\": \"AAAA\"}], \"video\": {\"frames\": [{\"base64\": \"BBBB\"}]},"
                + " \"params\": {\"max_tokens\": 64, \"temperature\": 0, \"target_language\": \"fr\","
                + " \"labels\": [\"pos\",\"neg\"]}}";
        RequestEvent r = EventJson.readRequest(json.getBytes(StandardCharsets.UTF_8));
        assertEquals("user-42", r.routingKey());
        assertEquals(List.of(new EncodedImage("BBBB")), r.video().frames());
        assertNull(r.video().base64());
        assertEquals(0.0, r.params().temperature());
        assertEquals(64, r.params().maxTokens());
        assertNull(r.params().topK());
    }

    @Test
    void minimalRequestGetsEmptyDefaultsAndRoutesById() {
        RequestEvent r = EventJson.readRequest("{\"id\":\"a\",\"task\":\"generate\",\"extra\":{\"x\":1}}".getBytes());
        assertEquals(List.of(), r.images());
        assertEquals(RequestParams.NONE, r.params());
        assertNull(r.session());
        assertEquals("a", r.routingKey());
    }

    @Test
    void jsonNullFieldsCountAsAbsent() {
        RequestEvent r = EventJson.readRequest(
                "{\"id\":\"a\",\"task\":\"generate\",\"session\":null,\"images\":null,\"params\":{\"seed\":null}}"
                        .getBytes());
        assertNull(r.session());
        assertEquals(List.of(), r.images());
        assertNull(r.params().seed());
    }

    @Test
    void audioIsKeptVerbatimForLaterRejection() {
        RequestEvent r = EventJson.readRequest("{\"id\":\"a\",\"task\":\"generate\",\"audio\":[1,2]}".getBytes());
        assertTrue(r.audio().isArray());
        assertEquals(2, r.audio().size());
    }

    @Test
    void deadLetterTruncatesPayloadToSixtyFourKibWithoutSplittingACharacter() {
        byte[] value = ("x" + "\u00e9".repeat(40_000)).getBytes(StandardCharsets.UTF_8); // 80_001 bytes
        DeadLetterEvent dl =
                DeadLetterEvent.of(ErrorCode.TEXT_TOO_LONG, "too long", value, new RecordSource("t", 0, 0), "a", null);
        assertTrue(dl.payloadTruncated());
        byte[] kept = dl.payload().getBytes(StandardCharsets.UTF_8);
        // 1 + 2k bytes <= 65536 -> 32767 two-byte chars (65535 bytes): the 65536th byte starts a char that is dropped
        assertEquals(65_535, kept.length);
        assertTrue(dl.payload().endsWith("\u00e9"));
        assertFalse(dl.payload().contains("\uFFFD"));
    }

    @Test
    void deadLetterKeepsPayloadOfExactlySixtyFourKib() {
        byte[] value = "a".repeat(DeadLetterEvent.MAX_PAYLOAD_BYTES).getBytes(StandardCharsets.UTF_8);
        DeadLetterEvent dl =
                DeadLetterEvent.of(ErrorCode.NOT_JSON, "m", value, new RecordSource("t", 0, 0), null, null);
        assertFalse(dl.payloadTruncated());
        assertEquals(DeadLetterEvent.MAX_PAYLOAD_BYTES, dl.payload().length());
    }

    @Test
    void deadLetterFromRejectionCarriesCodeIdAndTask() {
        byte[] value = "{\"id\":\"evt-3\",\"task\":\"translate\",\"params\":{\"top_k\":\"5\"}}".getBytes();
        InvalidEventException e =
                Assertions.assertThrows(InvalidEventException.class, () -> EventJson.readRequest(value));
        DeadLetterEvent dl = DeadLetterEvent.of(e, value, new RecordSource("req", 2, 17));
        assertEquals("evt-3", dl.id());
        assertEquals("translate", dl.task());
        assertEquals(ErrorCode.INVALID_FIELD, dl.errorCode());
        assertEquals("field 'params.top_k' must be an integer, got a string", dl.message());
        assertEquals(new String(value), dl.payload());
        assertEquals(17, dl.source().offset());
    }

    @Test
    void tombstoneDeadLetterHasNoPayload() {
        DeadLetterEvent dl = DeadLetterEvent.of(
                ErrorCode.NOT_JSON, "the record has no value (null)", null, new RecordSource("t", 0, 5), null, null);
        assertNull(dl.payload());
        JsonNode json = EventJson.readTree(EventJson.write(dl));
        assertEquals("NOT_JSON", json.get("error_code").asText());
        assertFalse(json.get("payload_truncated").asBoolean());
    }
}
