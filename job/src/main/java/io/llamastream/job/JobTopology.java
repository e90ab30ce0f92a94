package io.llamastream.job;

import io.llamastream.kafka.KafkaClientSettings;
import io.llamastream.kafka.TopicAdmin;
import io.llamastream.kafka.TopicSpecs;
import io.llamastream.operators.PipelineOutputs;
import io.llamastream.operators.RawRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The job graph: KafkaSource (raw records, offsets committed with checkpoints, starting from the
 * group's committed offsets else the earliest) -> pipeline -> two exactly-once KafkaSinks
 * (results keyed by id; dead letters), with exactly-once checkpointing at the configured interval.
 */
public final class JobTopology {

    public static final String SOURCE_UID = "kafka-requests-source";
    public static final String RESULTS_SINK_UID = "kafka-results-sink";
    public static final String DEAD_LETTER_SINK_UID = "kafka-dead-letter-sink";

    private JobTopology() {}

    /** Creates missing topics (or verifies existing ones) and waits for their partition leaders. */
    public static Map<String, TopicAdmin.Outcome> ensureTopics(JobConfig config, KafkaClientSettings kafka) {
        try (Admin admin = Admin.create(kafka.adminProperties())) {
            return new TopicAdmin(admin, Duration.ofSeconds(60)).ensure(config.topicSpecs());
        }
    }

    /**
     * Adds the whole job to {@code env}: checkpointing, source, pipeline and sinks.
     * {@code bounded} stops the source at the offsets that are the latest when the job starts
     * (tests); the real job is unbounded.
     */
    public static void attach(
            StreamExecutionEnvironment env,
            JobConfig config,
            KafkaClientSettings kafka,
            JobPipeline pipeline,
            boolean bounded) {
        env.enableCheckpointing(config.checkpointIntervalMs, CheckpointingMode.EXACTLY_ONCE);
        if (config.parallelism > 0) {
            env.setParallelism(config.parallelism);
        }
        TopicSpecs topics = config.topicSpecs();

        Properties consumer = kafka.consumerProperties(config.groupId);
        KafkaSourceBuilder<RawRequest> source = KafkaSource.<RawRequest>builder()
                .setProperties(consumer)
                .setBootstrapServers(kafka.bootstrapServers())
                .setGroupId(config.groupId)
                .setTopics(topics.requests().name())
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawRequestDeserializer())
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperty("partition.discovery.interval.ms", "60000");
        if (bounded) {
            source.setBounded(OffsetsInitializer.latest());
        }
        DataStream<RawRequest> requests = env.fromSource(
                        source.build(),
                        WatermarkStrategy.noWatermarks(),
                        "kafka: " + topics.requests().name())
                .uid(SOURCE_UID)
                .name("requests");

        PipelineOutputs outputs = pipeline.build(requests, config.pipelineSettings());

        outputs.results()
                .sinkTo(sink(kafka, EventSerializers.results(topics.results().name()), "results"))
                .uid(RESULTS_SINK_UID)
                .name("kafka: " + topics.results().name());
        outputs.deadLetters()
                .sinkTo(sink(
                        kafka, EventSerializers.deadLetters(topics.deadLetters().name()), "dead-letter"))
                .uid(DEAD_LETTER_SINK_UID)
                .name("kafka: " + topics.deadLetters().name());
    }

    private static <T> KafkaSink<T> sink(
            KafkaClientSettings kafka, KafkaRecordSerializationSchema<T> serializer, String suffix) {
        Properties producer = kafka.producerProperties();
        // The sink sets its own transactional ids and serializers.
        producer.remove("key.serializer");
        producer.remove("value.serializer");
        return KafkaSink.<T>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setKafkaProducerConfig(producer)
                .setProperty(
                        "transaction.timeout.ms",
                        Long.toString(kafka.transactionTimeout().toMillis()))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(kafka.transactionalIdPrefix() + "-" + suffix)
                .setRecordSerializer(serializer)
                .build();
    }
}
