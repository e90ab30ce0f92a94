package io.llamastream.operators.postprocess;

/** The model's reply cannot be parsed into the task's result; the request is dead-lettered. */
public class ReplyFormatException extends RuntimeException {
    public ReplyFormatException(String message) {
        super(message);
    }

    public ReplyFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
