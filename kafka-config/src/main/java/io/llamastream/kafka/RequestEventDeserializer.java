package io.llamastream.kafka;

import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka {@link Deserializer} reading a {@link RequestEvent} through
 * {@link EventJson#readRequest(byte[])}: every rejection, including a null value, throws
 * {@link InvalidEventException}. A pipeline that must dead-letter bad records should read raw bytes
 * and call {@code EventJson.readRequest} itself: a throwing deserializer stops the consumer's poll at
 * that record (as a {@code RecordDeserializationException}) until the caller seeks past it.
 */
public class RequestEventDeserializer implements Deserializer<RequestEvent> {
    @Override
    public RequestEvent deserialize(String topic, byte[] data) {
        return EventJson.readRequest(data);
    }
}
