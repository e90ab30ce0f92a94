package io.llamastream.kafka;

/**
 * Topics could not be brought to the shape the job needs: an existing topic has too few partitions,
 * creation failed, or partitions did not get leaders in time. The message names the topic and what
 * to do about it.
 */
public class TopicSetupException extends RuntimeException {
    public TopicSetupException(String message) {
        super(message);
    }

    public TopicSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
