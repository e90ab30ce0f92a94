package io.llamastream.kafka;

/**
 * Stable reasons a request ends in the dead-letter topic instead of the results topic. The enum
 * constant's name is the wire value ({@code error_code} in a {@link DeadLetterEvent}); never rename
 * or remove a constant, since consumers of the dead-letter topic match on these strings.
 */
public enum ErrorCode {
    NOT_JSON("the record value is not a JSON document"),
    INVALID_FIELD("the record is JSON but a field has the wrong type, value or shape"),
    MISSING_ID("the request has no usable 'id'"),
    UNKNOWN_TASK("the request's 'task' is not one the job supports"),
    TEXT_TOO_LONG("the request's text exceeds the configured limit"),
    TOO_MANY_IMAGES("the request carries more images or video frames than allowed"),
    BAD_BASE64("an image, frame or video is not valid base64"),
    UNDECODABLE_IMAGE("an image or frame decodes from base64 but is not a supported image format"),
    IMAGE_TOO_LARGE("an image or frame exceeds the configured size limit"),
    UNSUPPORTED_MODALITY("the request uses a modality the model does not accept (e.g. audio)"),
    CONTEXT_OVERFLOW("the prompt does not fit the context window and context_overflow is 'reject'"),
    DUPLICATE_ID("a request with the same id was already processed"),
    DEADLINE_EXCEEDED("the request's deadline passed before its result was ready"),
    INFERENCE_FAILED("the model failed while processing the request");

    private final String description;

    ErrorCode(String description) {
        this.description = description;
    }

    /** One line, human-readable meaning of the code. */
    public String description() {
        return description;
    }
}
