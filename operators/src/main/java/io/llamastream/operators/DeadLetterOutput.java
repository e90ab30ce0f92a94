package io.llamastream.operators;

import io.llamastream.kafka.DeadLetterEvent;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.operators.tasks.ValidRequest;
import org.apache.flink.util.OutputTag;

/**
 * The side output every operator of the pipeline sends its rejected requests to, and the one way
 * they build the entry from a request that got past parsing (original payload, source, id, task).
 */
public final class DeadLetterOutput {
    public static final OutputTag<DeadLetterEvent> TAG = new OutputTag<>("dead-letters") {};

    private DeadLetterOutput() {}

    public static DeadLetterEvent of(ValidRequest r, ErrorCode code, String message) {
        return DeadLetterEvent.of(code, message, r.payload(), r.source(), r.id(), r.task());
    }
}
