package io.llamastream.kafka;

import java.util.Objects;

/**
 * A record that cannot become an event: carries the {@link ErrorCode} to put in the dead-letter
 * entry and a message naming the offending field. When the request's {@code id} and {@code task}
 * could still be read they are attached, so the dead-letter entry can be correlated with it.
 */
public class InvalidEventException extends RuntimeException {
    private final ErrorCode code;
    private final String eventId;
    private final String task;

    public InvalidEventException(ErrorCode code, String message) {
        this(code, message, null, null, null);
    }

    public InvalidEventException(ErrorCode code, String message, Throwable cause) {
        this(code, message, null, null, cause);
    }

    public InvalidEventException(ErrorCode code, String message, String eventId, String task, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.eventId = eventId;
        this.task = task;
    }

    public ErrorCode code() {
        return code;
    }

    /** The request's id if it was readable, else null. */
    public String eventId() {
        return eventId;
    }

    /** The request's task if it was readable, else null. */
    public String task() {
        return task;
    }

    /** A copy that also carries the request's id and task (either may be null). */
    InvalidEventException withEvent(String id, String task) {
        InvalidEventException copy = new InvalidEventException(code, getMessage(), id, task, getCause());
        copy.setStackTrace(getStackTrace());
        return copy;
    }
}
