package io.llamastream.kafka;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What to do when a prompt is longer than the model's context window: reject the request
 * ({@link ErrorCode#CONTEXT_OVERFLOW}), drop tokens from the start, or drop tokens from the end.
 * The wire values are {@code reject}, {@code truncate_head} and {@code truncate_tail}.
 */
public enum ContextOverflow {
    REJECT("reject"),
    TRUNCATE_HEAD("truncate_head"),
    TRUNCATE_TAIL("truncate_tail");

    private final String wire;

    ContextOverflow(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wireValue() {
        return wire;
    }

    /** The constant for a wire value, or null if there is none. */
    @JsonCreator
    public static ContextOverflow fromWire(String value) {
        for (ContextOverflow c : values()) {
            if (c.wire.equals(value)) {
                return c;
            }
        }
        return null;
    }
}
