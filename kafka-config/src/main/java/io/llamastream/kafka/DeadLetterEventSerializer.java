package io.llamastream.kafka;

import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka {@link Serializer} writing a {@link DeadLetterEvent} as UTF-8 JSON through {@link EventJson};
 * a null event becomes a null value.
 */
public class DeadLetterEventSerializer implements Serializer<DeadLetterEvent> {
    @Override
    public byte[] serialize(String topic, DeadLetterEvent event) {
        return event == null ? null : EventJson.write(event);
    }
}
