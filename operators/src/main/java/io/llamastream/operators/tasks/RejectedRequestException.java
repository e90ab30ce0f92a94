package io.llamastream.operators.tasks;

import io.llamastream.kafka.ErrorCode;

/** A request the pipeline refuses, with the dead-letter code to report; thrown and caught inside one operator. */
public class RejectedRequestException extends Exception {
    private final ErrorCode code;

    public RejectedRequestException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
