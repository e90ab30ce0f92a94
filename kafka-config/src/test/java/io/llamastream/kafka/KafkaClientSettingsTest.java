package io.llamastream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientSettingsTest {

    private static final Map<String, String> SASL_SSL = Map.of(
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"hunter2\";",
            "ssl.truststore.location", "/etc/kafka/truststore.p12",
            "ssl.truststore.password", "changeit");

    @Test
    void securityPropertiesReachEveryClient() {
        KafkaClientSettings s = KafkaClientSettings.builder()
                .bootstrapServers("b1:9093,b2:9093")
                .properties(SASL_SSL)
                .build();
        for (Properties p : new Properties[] {
            s.consumerProperties("g"),
            s.producerProperties(),
            s.transactionalProducerProperties("0"),
            s.adminProperties()
        }) {
            assertEquals("b1:9093,b2:9093", p.getProperty("bootstrap.servers"));
            SASL_SSL.forEach((k, v) -> assertEquals(v, p.getProperty(k), k));
        }
    }

    @Test
    void clientPrefixedPropertiesGoOnlyToThatClientWithPrefixStripped() {
        KafkaClientSettings s = KafkaClientSettings.builder()
                .bootstrapServers("b:9092")
                .property("consumer.max.poll.records", "17")
                .property("producer.linger.ms", "5")
                .property("admin.request.timeout.ms", "9000")
                .build();
        assertEquals("17", s.consumerProperties("g").getProperty("max.poll.records"));
        assertNull(s.producerProperties().getProperty("max.poll.records"));
        assertNull(s.consumerProperties("g").getProperty("consumer.max.poll.records"));
        assertEquals("5", s.producerProperties().getProperty("linger.ms"));
        assertNull(s.adminProperties().getProperty("linger.ms"));
        assertEquals("9000", s.adminProperties().getProperty("request.timeout.ms"));
    }

    @Test
    void propertiesFileSuppliesSecretsAndExplicitValuesOverrideIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                # mounted from a Kubernetes secret
                bootstrap.servers=from-file:9092
                security.protocol=SASL_SSL
                sasl.mechanism=PLAIN
                sasl.jaas.config=PlainLoginModule required \\
                    username="svc" password="s3cret";
                """);
        KafkaClientSettings s = KafkaClientSettings.builder()
                .propertiesFile(file)
                .property("sasl.mechanism", "SCRAM-SHA-256")
                .build();
        Properties admin = s.adminProperties();
        assertEquals("from-file:9092", s.bootstrapServers());
        assertEquals("SASL_SSL", admin.getProperty("security.protocol"));
        assertEquals("SCRAM-SHA-256", admin.getProperty("sasl.mechanism"));
        assertTrue(
                admin.getProperty("sasl.jaas.config").endsWith("username=\"svc\" password=\"s3cret\";"),
                admin.getProperty("sasl.jaas.config"));

        KafkaClientSettings explicit = KafkaClientSettings.builder()
                .propertiesFile(file)
                .bootstrapServers("explicit:9092")
                .build();
        assertEquals("explicit:9092", explicit.consumerProperties("g").getProperty("bootstrap.servers"));
    }

    @Test
    void missingPropertiesFileIsAClearError(@TempDir Path dir) {
        Path missing = dir.resolve("nope.properties");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> KafkaClientSettings.builder()
                        .bootstrapServers("b:1")
                        .propertiesFile(missing)
                        .build());
        assertEquals("Kafka client properties file " + missing + " does not exist", e.getMessage());
    }

    @Test
    void missingBootstrapServersIsAClearError() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> KafkaClientSettings.builder().properties(SASL_SSL).build());
        assertTrue(e.getMessage().startsWith("no Kafka bootstrap servers"), e.getMessage());
    }

    @Test
    void consumerReadsCommittedOnlyWithManualCommits() {
        Properties p = KafkaClientSettings.of("b:9092").consumerProperties("llamastream-job");
        assertEquals("read_committed", p.getProperty("isolation.level"));
        assertEquals("false", p.getProperty("enable.auto.commit"));
        assertEquals("llamastream-job", p.getProperty("group.id"));
    }

    @Test
    void transactionalProducerGetsPrefixedIdAndTenMinuteTimeoutByDefault() {
        KafkaClientSettings s = KafkaClientSettings.builder()
                .bootstrapServers("b:9092")
                .transactionalIdPrefix("ls-prod")
                .build();
        Properties p = s.transactionalProducerProperties("sink-3");
        assertEquals("ls-prod-sink-3", p.getProperty("transactional.id"));
        assertEquals("600000", p.getProperty("transaction.timeout.ms"));
        assertEquals("all", p.getProperty("acks"));
        assertEquals("true", p.getProperty("enable.idempotence"));
        assertFalse(s.producerProperties().containsKey("transactional.id"));
        assertEquals(Duration.ofMinutes(10), s.transactionTimeout());
    }

    @Test
    void transactionTimeoutOfExactlyFifteenMinutesIsAccepted() {
        KafkaClientSettings s = KafkaClientSettings.builder()
                .bootstrapServers("b:9092")
                .transactionTimeout(Duration.ofMinutes(15))
                .build();
        assertEquals("900000", s.transactionalProducerProperties("x").getProperty("transaction.timeout.ms"));
    }

    @Test
    void transactionTimeoutAboveFifteenMinutesIsRejectedWithReason() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> KafkaClientSettings.builder()
                        .bootstrapServers("b:9092")
                        .transactionTimeout(Duration.ofHours(1))
                        .build());
        assertTrue(
                e.getMessage()
                        .startsWith("transaction.timeout.ms is 3600000 ms (60 min), above the limit of 900000 ms"),
                e.getMessage());
        assertTrue(e.getMessage().contains("transaction.max.timeout.ms"), e.getMessage());
    }

    @Test
    void transactionTimeoutFromPropertiesIsValidatedToo() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> KafkaClientSettings.builder()
                        .bootstrapServers("b:9092")
                        .property("transaction.timeout.ms", "900001")
                        .build());
        assertTrue(
                e.getMessage().startsWith("transaction.timeout.ms is 900001 ms (900.001 s), above the limit"),
                e.getMessage());
    }

    @Test
    void transactionTimeoutFromProducerPrefixedPropertyIsUsed() {
        KafkaClientSettings s = KafkaClientSettings.builder()
                .bootstrapServers("b:9092")
                .property("producer.transaction.timeout.ms", "120000")
                .build();
        assertEquals(Duration.ofMinutes(2), s.transactionTimeout());
        assertEquals("120000", s.transactionalProducerProperties("a").getProperty("transaction.timeout.ms"));
    }

    @Test
    void nonNumericTransactionTimeoutIsRejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> KafkaClientSettings.builder()
                        .bootstrapServers("b:9092")
                        .property("transaction.timeout.ms", "10m")
                        .build());
        assertEquals("transaction.timeout.ms must be a whole number of milliseconds, got '10m'", e.getMessage());
    }

    @Test
    void zeroTransactionTimeoutIsRejected() {
        assertThrows(
                IllegalArgumentException.class,
                () -> KafkaClientSettings.builder()
                        .bootstrapServers("b:9092")
                        .transactionTimeout(Duration.ZERO)
                        .build());
    }

    @Test
    void directTransactionalIdIsRejected() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> KafkaClientSettings.builder()
                        .bootstrapServers("b:9092")
                        .property("transactional.id", "fixed")
                        .build());
        assertTrue(e.getMessage().contains("transactional id prefix"), e.getMessage());
    }

    @Test
    void toStringRedactsSecrets() {
        String text = KafkaClientSettings.builder()
                .bootstrapServers("b:9092")
                .properties(SASL_SSL)
                .build()
                .toString();
        assertFalse(text.contains("hunter2"), text);
        assertFalse(text.contains("changeit"), text);
        assertTrue(text.contains("SCRAM-SHA-512"), text);
    }
}
