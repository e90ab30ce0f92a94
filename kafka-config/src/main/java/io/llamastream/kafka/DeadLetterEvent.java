package io.llamastream.kafka;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A request that could not be turned into a result, written to the dead-letter topic. Carries the
 * {@link ErrorCode}, a human-readable message, where the record came from, and the original record
 * value as text: its first {@value #MAX_PAYLOAD_BYTES} bytes (never splitting a UTF-8 character,
 * invalid UTF-8 replaced by U+FFFD) with {@code payload_truncated} set when bytes were dropped.
 * {@code id} and {@code task} are null when they could not be read from the record.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DeadLetterEvent(
        @JsonProperty("id") String id,
        @JsonProperty("error_code") ErrorCode errorCode,
        @JsonProperty("message") String message,
        @JsonProperty("payload") String payload,
        @JsonProperty("payload_truncated") boolean payloadTruncated,
        @JsonProperty("source") RecordSource source,
        @JsonProperty("task") String task) {

    /** Payloads longer than this many bytes (64 KiB) are truncated. */
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

    public DeadLetterEvent {
        Objects.requireNonNull(errorCode, "errorCode");
        Objects.requireNonNull(message, "message");
    }

    /**
     * The dead-letter entry for a record value ({@code null} for a tombstone) rejected with the given
     * code and message; {@code id} and {@code task} may be null.
     */
    public static DeadLetterEvent of(
            ErrorCode code, String message, byte[] recordValue, RecordSource source, String id, String task) {
        if (recordValue == null) {
            return new DeadLetterEvent(id, code, message, null, false, source, task);
        }
        int length = Math.min(recordValue.length, MAX_PAYLOAD_BYTES);
        if (length < recordValue.length) {
            // Back off to the start of a UTF-8 character: continuation bytes look like 10xxxxxx.
            while (length > 0 && (recordValue[length] & 0xC0) == 0x80) {
                length--;
            }
        }
        return new DeadLetterEvent(
                id, code, message, decodeLenient(recordValue, length), length < recordValue.length, source, task);
    }

    /** The dead-letter entry for a record that {@link EventJson#readRequest(byte[])} rejected. */
    public static DeadLetterEvent of(InvalidEventException rejection, byte[] recordValue, RecordSource source) {
        return of(rejection.code(), rejection.getMessage(), recordValue, source, rejection.eventId(), rejection.task());
    }

    private static String decodeLenient(byte[] bytes, int length) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes, 0, length));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("cannot happen with REPLACE", e);
        }
    }
}
