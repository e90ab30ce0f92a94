package io.llamastream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestRejectionTest {

    private static InvalidEventException reject(String value) {
        return reject(value.getBytes(StandardCharsets.UTF_8));
    }

    private static InvalidEventException reject(byte[] value) {
        return assertThrows(InvalidEventException.class, () -> EventJson.readRequest(value));
    }

    @Test
    void nullValueIsNotJson() {
        InvalidEventException e = reject((byte[]) null);
        assertEquals(ErrorCode.NOT_JSON, e.code());
        assertEquals("the record has no value (null)", e.getMessage());
    }

    @Test
    void emptyValueIsNotJson() {
        assertEquals(ErrorCode.NOT_JSON, reject(new byte[0]).code());
    }

    @Test
    void whitespaceOnlyValueIsNotJson() {
        assertEquals(ErrorCode.NOT_JSON, reject("  \n ").code());
    }

    @Test
    void plainTextIsNotJson() {
        InvalidEventException e = reject("hello world");
        assertEquals(ErrorCode.NOT_JSON, e.code());
        assertTrue(e.getMessage().startsWith("the record value is not JSON: "), e.getMessage());
    }

    @Test
    void truncatedJsonIsNotJson() {
        assertEquals(ErrorCode.NOT_JSON, reject("{\"id\":\"a\",\"task\":").code());
    }

    @Test
    void trailingGarbageAfterObjectIsNotJson() {
        assertEquals(
                ErrorCode.NOT_JSON,
                reject("{\"id\":\"a\",\"task\":\"generate\"} x").code());
    }

    @Test
    void twoConcatenatedObjectsAreNotJson() {
        assertEquals(
                ErrorCode.NOT_JSON,
                reject("{\"id\":\"a\",\"task\":\"t\"}{\"id\":\"b\",\"task\":\"t\"}")
                        .code());
    }

    @Test
    void jsonArrayIsWrongShapeNotNotJson() {
        InvalidEventException e = reject("[1,2]");
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
        assertEquals("the request must be a JSON object, got an array", e.getMessage());
    }

    @Test
    void missingIdIsMissingId() {
        InvalidEventException e = reject("{\"task\":\"moderate\"}");
        assertEquals(ErrorCode.MISSING_ID, e.code());
        assertEquals("field 'id' is missing", e.getMessage());
        assertNull(e.eventId());
        assertEquals("moderate", e.task());
    }

    @Test
    void nullIdIsMissingId() {
        assertEquals(
                ErrorCode.MISSING_ID,
                reject("{\"id\":null,\"task\":\"moderate\"}").code());
    }

    @Test
    void blankIdIsMissingId() {
        InvalidEventException e = reject("{\"id\":\"  \",\"task\":\"moderate\"}");
        assertEquals(ErrorCode.MISSING_ID, e.code());
        assertEquals("field 'id' must not be blank", e.getMessage());
    }

    @Test
    void numericIdIsInvalidField() {
        InvalidEventException e = reject("{\"id\":42,\"task\":\"moderate\"}");
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
        assertEquals("field 'id' must be a string, got an integer", e.getMessage());
    }

    @Test
    void missingTaskIsInvalidFieldAndKeepsId() {
        InvalidEventException e = reject("{\"id\":\"evt-7\"}");
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
        assertEquals("field 'task' is missing", e.getMessage());
        assertEquals("evt-7", e.eventId());
    }

    @Test
    void nonStringImageBase64NamesTheIndex() {
        InvalidEventException e = reject("{\"id\":\"a\",\"task\":\"t\",\"images\":"
                + "[{\"base64\":\"AA\"},{\"base64\":\"BB\"},{\"base64\":123}]}");
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
        assertEquals("field 'images[2].base64' must be a string, got an integer", e.getMessage());
        assertEquals("a", e.eventId());
        assertEquals("t", e.task());
    }

    @Test
    void imageWithoutBase64IsReported() {
        assertEquals(
                "field 'images[0].base64' is missing",
                reject("{\"id\":\"a\",\"task\":\"t\",\"images\":[{\"url\":\"http://x\"}]}")
                        .getMessage());
    }

    @Test
    void imageAsBareStringIsReported() {
        assertEquals(
                "field 'images[0]' must be an object with a 'base64' string, got a string",
                reject("{\"id\":\"a\",\"task\":\"t\",\"images\":[\"AAAA\"]}").getMessage());
    }

    @Test
    void imagesAsObjectIsReported() {
        assertEquals(
                "field 'images' must be an array, got an object",
                reject("{\"id\":\"a\",\"task\":\"t\",\"images\":{\"base64\":\"AA\"}}")
                        .getMessage());
    }

    @Test
    void badVideoFrameNamesTheNestedPath() {
        assertEquals(
                "field 'video.frames[1].base64' must be a string, got a boolean",
                reject("{\"id\":\"a\",\"task\":\"t\",\"video\":{\"frames\":[{\"base64\":\"A\"},{\"base64\":true}]}}")
                        .getMessage());
    }

    @Test
    void emptyVideoIsReported() {
        assertEquals(
                "field 'video' must have 'frames' or 'base64'",
                reject("{\"id\":\"a\",\"task\":\"t\",\"video\":{}}").getMessage());
    }

    @Test
    void videoMp4MustBeAString() {
        assertEquals(
                "field 'video.base64' must be a string, got an array",
                reject("{\"id\":\"a\",\"task\":\"t\",\"video\":{\"base64\":[]}}")
                        .getMessage());
    }

    @Test
    void paramsMustBeAnObject() {
        assertEquals(
                "field 'params' must be an object, got a string",
                reject("{\"id\":\"a\",\"task\":\"t\",\"params\":\"fast\"}").getMessage());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "\"max_tokens\": 0         | field 'params.max_tokens' must be at least 1, got 0",
                "\"max_tokens\": 12.5      | field 'params.max_tokens' must be an integer, got a number",
                "\"max_tokens\": 3000000000 | field 'params.max_tokens' must be at most 2147483647, got 3000000000",
                "\"temperature\": -0.1     | field 'params.temperature' must be >= 0.0, got -0.1",
                "\"temperature\": \"hot\"  | field 'params.temperature' must be a number, got a string",
                "\"top_p\": 0              | field 'params.top_p' must be in (0.0, 1.0], got 0",
                "\"top_p\": 1.5            | field 'params.top_p' must be in (0.0, 1.0], got 1.5",
                "\"top_k\": -1             | field 'params.top_k' must be at least 0, got -1",
                "\"seed\": 1e3             | field 'params.seed' must be an integer, got a number",
                "\"target_language\": 7    | field 'params.target_language' must be a string, got an integer",
                "\"labels\": \"pos\"       | field 'params.labels' must be an array of strings, got a string",
                "\"labels\": [\"a\", 1]    | field 'params.labels[1]' must be a string, got an integer",
                "\"schema\": \"{}\"        | field 'params.schema' must be a JSON object, got a string",
                "\"context_overflow\": \"drop\" | field 'params.context_overflow' must be one of \"reject\", \"truncate_head\", \"truncate_tail\", got \"drop\"",
                "\"deadline_ms\": -5       | field 'params.deadline_ms' must be at least 0, got -5",
            })
    void badParamIsInvalidFieldWithReadableMessage(String param, String message) {
        InvalidEventException e = reject("{\"id\":\"a\",\"task\":\"t\",\"params\":{" + param + "}}");
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
        assertEquals(message, e.getMessage());
    }

    @Test
    void resultThatIsNotAnObjectIsInvalidField() {
        InvalidEventException e =
                assertThrows(InvalidEventException.class, () -> EventJson.readResult("\"ok\"".getBytes()));
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
    }

    @Test
    void resultWithWrongTypedUsageNamesThePath() {
        InvalidEventException e = assertThrows(
                InvalidEventException.class,
                () -> EventJson.readResult("{\"id\":\"a\",\"usage\":{\"prompt_tokens\":\"many\"}}".getBytes()));
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
        assertTrue(e.getMessage().startsWith("field 'usage.prompt_tokens' has the wrong type"), e.getMessage());
    }
}
