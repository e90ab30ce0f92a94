package io.llamastream.engine.media;

/**
 * Why an image could not be turned into pixels. Every failure of {@link ImageDecoder} is one of
 * these, so a caller (a Flink operator routing bad events to a dead-letter topic, say) can branch
 * on {@link #reason()} instead of parsing messages; the message tells the user what to change.
 */
public final class ImageDecodeException extends RuntimeException {
    /** The kinds of failure a caller may want to treat differently. */
    public enum Reason {
        /** The bytes claim a supported format but its content is malformed. */
        CORRUPT,
        /** The data ends before the image does. */
        TRUNCATED,
        /** The header declares more pixels than the configured limit (decompression-bomb guard). */
        TOO_LARGE,
        /** Not one of the supported formats (PNG, JPEG, GIF, BMP, WebP). */
        UNSUPPORTED_FORMAT,
        /** No bytes at all. */
        EMPTY
    }

    private final Reason reason;

    public ImageDecodeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ImageDecodeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
