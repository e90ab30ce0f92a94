package io.llamastream.job;

import io.llamastream.kafka.DeadLetterEvent;
import io.llamastream.kafka.EventJson;
import io.llamastream.kafka.ResultEvent;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Kafka record serializers of the two outputs: JSON values (EventJson), keyed by request id. */
final class EventSerializers {

    private EventSerializers() {}

    static KafkaRecordSerializationSchema<ResultEvent> results(String topic) {
        return (event, context, timestamp) ->
                new ProducerRecord<>(topic, null, timestamp, key(event.id()), EventJson.write(event));
    }

    /** Dead letters are keyed by id when the request had one, else unkeyed. */
    static KafkaRecordSerializationSchema<DeadLetterEvent> deadLetters(String topic) {
        return (event, context, timestamp) ->
                new ProducerRecord<>(topic, null, timestamp, key(event.id()), EventJson.write(event));
    }

    private static byte[] key(String id) {
        return id == null ? null : id.getBytes(StandardCharsets.UTF_8);
    }
}
