package io.llamastream.sql;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the SQL tests do on a real broker: write JSON records to a topic, and declare a bounded
 * Kafka source table over it (read from the earliest to the latest offset, so the job ends after
 * the last record).
 */
record KafkaTopics(String bootstrapServers) {

    /** Writes the records and waits for every acknowledgement (a record too large fails here). */
    void send(String topic, List<String> jsonValues) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (String value : jsonValues) {
                acks.add(producer.send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8))));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        }
    }

    /** {@code CREATE TABLE name (columns) WITH (kafka, json, bounded)} over {@code topic}. */
    String boundedJsonTable(String name, String columns, String topic) {
        return "CREATE TABLE " + name + " (" + columns + ") WITH ('connector' = 'kafka', 'topic' = '" + topic + "', "
                + "'properties.bootstrap.servers' = '" + bootstrapServers + "', 'properties.group.id' = 'sql-test', "
                + "'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = 'json')";
    }
}
