package io.llamastream.kafka.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.kafka.KafkaClientSettings;
import io.llamastream.kafka.TopicAdmin;
import io.llamastream.kafka.TopicSetupException;
import io.llamastream.kafka.TopicSpec;
import io.llamastream.kafka.TopicSpecs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Everything that needs a real broker, sharing one in-JVM KRaft node (start-up costs seconds). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedKafkaBrokerTest {

    private static EmbeddedKafka kafka;
    private static Admin admin;

    @BeforeAll
    static void startBroker() {
        kafka = new EmbeddedKafka().start();
        admin = Admin.create(kafka.clientSettings().adminProperties());
    }

    @AfterAll
    static void stopBroker() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Map<String, TopicDescription> describe(Set<String> names) throws Exception {
        return admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
    }

    @Test
    void brokerListensOnLoopback() {
        String bootstrap = kafka.bootstrapServers();
        assertTrue(bootstrap.startsWith("localhost:") || bootstrap.startsWith("127.0.0.1:"), bootstrap);
    }

    @Test
    void topicAdminCreatesTheThreeTopicsWithTheirPartitionCountsAndConfigs() throws Exception {
        TopicSpecs specs = TopicSpecs.named("t1.requests", "t1.results", "t1.dead-letter", 3, (short) 1);
        Map<String, TopicAdmin.Outcome> outcomes = new TopicAdmin(admin, Duration.ofSeconds(30)).ensure(specs);

        assertEquals(
                Map.of(
                        "t1.requests",
                        TopicAdmin.Outcome.CREATED,
                        "t1.results",
                        TopicAdmin.Outcome.CREATED,
                        "t1.dead-letter",
                        TopicAdmin.Outcome.CREATED),
                outcomes);
        Map<String, TopicDescription> described = describe(Set.of("t1.requests", "t1.results", "t1.dead-letter"));
        assertEquals(3, described.get("t1.requests").partitions().size());
        assertEquals(3, described.get("t1.results").partitions().size());
        assertEquals(1, described.get("t1.dead-letter").partitions().size());
        described.values().forEach(d -> d.partitions().forEach(p -> assertTrue(p.leader() != null, d.name())));

        ConfigResource dlq = new ConfigResource(ConfigResource.Type.TOPIC, "t1.dead-letter");
        Config config = admin.describeConfigs(List.of(dlq))
                .all()
                .get(10, TimeUnit.SECONDS)
                .get(dlq);
        assertEquals(
                Long.toString(Duration.ofDays(30).toMillis()),
                config.get("retention.ms").value());
        assertEquals("delete", config.get("cleanup.policy").value());
    }

    @Test
    void topicAdminIsIdempotentOnSecondRun() throws Exception {
        TopicSpecs specs = TopicSpecs.named("t2.requests", "t2.results", "t2.dead-letter", 2, (short) 1);
        TopicAdmin topicAdmin = new TopicAdmin(admin, Duration.ofSeconds(30));
        topicAdmin.ensure(specs);
        Map<String, TopicAdmin.Outcome> second = topicAdmin.ensure(specs);

        assertEquals(
                Map.of(
                        "t2.requests",
                        TopicAdmin.Outcome.VERIFIED,
                        "t2.results",
                        TopicAdmin.Outcome.VERIFIED,
                        "t2.dead-letter",
                        TopicAdmin.Outcome.VERIFIED),
                second);
        assertEquals(
                2,
                describe(Set.of("t2.requests")).get("t2.requests").partitions().size());
    }

    @Test
    void topicAdminAcceptsExistingTopicWithMorePartitions() throws Exception {
        admin.createTopics(List.of(new NewTopic("t3.wide", 5, (short) 1))).all().get(10, TimeUnit.SECONDS);
        Map<String, TopicAdmin.Outcome> outcomes = new TopicAdmin(admin, Duration.ofSeconds(30))
                .ensure(List.of(new TopicSpec("t3.wide", 4, (short) 1, null, null)));
        assertEquals(Map.of("t3.wide", TopicAdmin.Outcome.VERIFIED), outcomes);
    }

    @Test
    void topicAdminRejectsExistingTopicWithTooFewPartitions() throws Exception {
        admin.createTopics(List.of(new NewTopic("t4.narrow", 2, (short) 1)))
                .all()
                .get(10, TimeUnit.SECONDS);
        TopicSetupException e = assertThrows(
                TopicSetupException.class,
                () -> new TopicAdmin(admin, Duration.ofSeconds(30))
                        .ensure(List.of(new TopicSpec("t4.narrow", 6, (short) 1, null, null))));
        assertTrue(
                e.getMessage().startsWith("topic 't4.narrow' exists with 2 partitions but needs at least 6"),
                e.getMessage());
        assertEquals(
                2, describe(Set.of("t4.narrow")).get("t4.narrow").partitions().size());
    }

    @Test
    void topicAdminReportsImpossibleReplicationFactor() {
        TopicSetupException e = assertThrows(
                TopicSetupException.class,
                () -> new TopicAdmin(admin, Duration.ofSeconds(30))
                        .ensure(List.of(new TopicSpec("t5.replicated", 1, (short) 3, null, null))));
        assertTrue(
                e.getMessage().startsWith("cannot create topic 't5.replicated' (1 partitions, replication factor 3)"),
                e.getMessage());
    }

    @Test
    void readCommittedConsumerSeesExactlyTheCommittedTransactions() throws Exception {
        String topic = "t6.results";
        new TopicAdmin(admin, Duration.ofSeconds(30)).ensure(List.of(new TopicSpec(topic, 2, (short) 1, null, null)));
        KafkaClientSettings settings = KafkaClientSettings.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .transactionalIdPrefix("it")
                .build();

        Properties producerProps = settings.transactionalProducerProperties("writer-0");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            sendInTransaction(producer, topic, List.of("c1", "c2"), true);
            sendInTransaction(producer, topic, List.of("a1", "a2", "a3"), false);
            sendInTransaction(producer, topic, List.of("c3"), true);
            sendInTransaction(producer, topic, List.of("a4"), false);
        }

        Properties consumerProps = settings.consumerProperties("it-reader");
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // Committed values are keyed by themselves; wait until all three arrived, then drain a little more.
            while (seen.size() < 3 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r.value());
                }
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(1))) {
                seen.add(r.value());
            }
        }
        seen.sort(String::compareTo);
        assertEquals(List.of("c1", "c2", "c3"), seen);
    }

    private static void sendInTransaction(
            KafkaProducer<String, String> producer, String topic, List<String> values, boolean commit)
            throws Exception {
        producer.beginTransaction();
        for (String value : values) {
            // Check every send result: see KAFKA-15591 in the project notes.
            producer.send(new ProducerRecord<>(topic, value, value)).get(10, TimeUnit.SECONDS);
        }
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.abortTransaction();
        }
    }

    @Test
    void brokerAcceptsTransactionTimeoutUpToItsConfiguredMaximum() {
        // Client-side validation caps at 15 min; the broker itself allows 1 h so Flink defaults don't break the demo.
        Properties p = KafkaClientSettings.of(kafka.bootstrapServers()).transactionalProducerProperties("max");
        p.put("transaction.timeout.ms", Long.toString(EmbeddedKafka.TRANSACTION_MAX_TIMEOUT.toMillis()));
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
        }
    }
}
