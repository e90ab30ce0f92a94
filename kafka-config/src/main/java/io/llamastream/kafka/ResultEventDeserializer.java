package io.llamastream.kafka;

import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka {@link Deserializer} reading a {@link ResultEvent} through {@link EventJson}; a null value
 * (tombstone) becomes null, anything unreadable throws {@link InvalidEventException}.
 */
public class ResultEventDeserializer implements Deserializer<ResultEvent> {
    @Override
    public ResultEvent deserialize(String topic, byte[] data) {
        return data == null ? null : EventJson.readResult(data);
    }
}
