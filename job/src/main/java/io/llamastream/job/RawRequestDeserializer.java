package io.llamastream.job;

import io.llamastream.operators.RawRequest;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Keeps each Kafka record as it is: bytes of key and value plus topic, partition and offset, so
 * that parsing happens in the pipeline (where a bad record becomes a dead letter) rather than in
 * the source (where it would fail the job). Never throws and never drops a record, tombstones included.
 */
public final class RawRequestDeserializer implements KafkaRecordDeserializationSchema<RawRequest> {

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRequest> out) {
        out.collect(new RawRequest(record.topic(), record.partition(), record.offset(), record.key(), record.value()));
    }

    @Override
    public TypeInformation<RawRequest> getProducedType() {
        return TypeInformation.of(RawRequest.class);
    }
}
