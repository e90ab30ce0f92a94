package io.llamastream.kafka;

import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka {@link Serializer} writing a {@link ResultEvent} as UTF-8 JSON through {@link EventJson};
 * a null event becomes a null value.
 */
public class ResultEventSerializer implements Serializer<ResultEvent> {
    @Override
    public byte[] serialize(String topic, ResultEvent event) {
        return event == null ? null : EventJson.write(event);
    }
}
