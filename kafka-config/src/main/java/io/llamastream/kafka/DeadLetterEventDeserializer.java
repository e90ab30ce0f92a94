package io.llamastream.kafka;

import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka {@link Deserializer} reading a {@link DeadLetterEvent} through {@link EventJson}; a null value
 * (tombstone) becomes null, anything unreadable throws {@link InvalidEventException}.
 */
public class DeadLetterEventDeserializer implements Deserializer<DeadLetterEvent> {
    @Override
    public DeadLetterEvent deserialize(String topic, byte[] data) {
        return data == null ? null : EventJson.readDeadLetter(data);
    }
}
