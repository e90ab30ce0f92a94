package io.llamastream.kafka;

import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka {@link Serializer} writing a {@link RequestEvent} as UTF-8 JSON through {@link EventJson};
 * a null event becomes a null value.
 */
public class RequestEventSerializer implements Serializer<RequestEvent> {
    @Override
    public byte[] serialize(String topic, RequestEvent event) {
        return event == null ? null : EventJson.write(event);
    }
}
