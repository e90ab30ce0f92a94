package io.llamastream.kafka;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON configuration for llamastream events, and the conversions between events and the
 * UTF-8 bytes of Kafka record values. Reading a request separates a value that is not JSON at all
 * ({@link ErrorCode#NOT_JSON}) from JSON of the wrong shape ({@link ErrorCode#INVALID_FIELD},
 * {@link ErrorCode#MISSING_ID}), always by throwing {@link InvalidEventException} with a message that
 * names the field. Null fields are omitted on write; unknown fields are ignored on read. Thread-safe.
 */
public final class EventJson {

    /** Longest JSON string accepted (base64 of a video or large image), in chars. */
    public static final int MAX_STRING_LENGTH = 64 * 1024 * 1024;

    private static final ObjectMapper MAPPER = newObjectMapper();

    private EventJson() {}

    /**
     * A fresh mapper with the event configuration, for code that needs its own (e.g. to register
     * more modules). Prefer the read/write methods here.
     */
    public static ObjectMapper newObjectMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .build();
        mapper.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(MAX_STRING_LENGTH)
                        .build());
        return mapper;
    }

    /** Parses a request record value; throws {@link InvalidEventException} for any rejection. */
    public static RequestEvent readRequest(byte[] value) {
        return RequestParser.parse(readTree(value));
    }

    public static ResultEvent readResult(byte[] value) {
        return readBound(value, ResultEvent.class);
    }

    public static DeadLetterEvent readDeadLetter(byte[] value) {
        return readBound(value, DeadLetterEvent.class);
    }

    public static byte[] write(RequestEvent event) {
        return writeBytes(event);
    }

    public static byte[] write(ResultEvent event) {
        return writeBytes(event);
    }

    public static byte[] write(DeadLetterEvent event) {
        return writeBytes(event);
    }

    /**
     * Parses any record value into a JSON tree: {@link ErrorCode#NOT_JSON} if it is null, empty,
     * malformed or followed by trailing content.
     */
    public static JsonNode readTree(byte[] value) {
        if (value == null) {
            throw new InvalidEventException(ErrorCode.NOT_JSON, "the record has no value (null)");
        }
        if (value.length == 0) {
            throw new InvalidEventException(ErrorCode.NOT_JSON, "the record value is empty");
        }
        try {
            JsonNode tree = MAPPER.readTree(value);
            if (tree == null || tree.isMissingNode()) {
                throw new InvalidEventException(ErrorCode.NOT_JSON, "the record value contains only whitespace");
            }
            return tree;
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(
                    ErrorCode.NOT_JSON, "the record value is not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T readBound(byte[] value, Class<T> type) {
        JsonNode tree = readTree(value);
        if (!tree.isObject()) {
            throw new InvalidEventException(
                    ErrorCode.INVALID_FIELD,
                    type.getSimpleName() + " must be a JSON object, got "
                            + tree.getNodeType().name().toLowerCase());
        }
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (MismatchedInputException e) {
            throw new InvalidEventException(
                    ErrorCode.INVALID_FIELD,
                    "field '" + path(e) + "' has the wrong type: " + e.getOriginalMessage(),
                    e);
        } catch (JsonProcessingException e) {
            Throwable root = e.getCause() != null ? e.getCause() : e;
            throw new InvalidEventException(
                    ErrorCode.INVALID_FIELD, "invalid " + type.getSimpleName() + ": " + root.getMessage(), e);
        }
    }

    private static String path(MismatchedInputException e) {
        StringBuilder path = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static byte[] writeBytes(Object event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot serialize " + event.getClass().getSimpleName(), e);
        }
    }
}
