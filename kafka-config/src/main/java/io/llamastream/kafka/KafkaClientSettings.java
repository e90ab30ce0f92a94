package io.llamastream.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Connection settings shared by every Kafka client of the job, and the consumer, producer and admin
 * {@link Properties} derived from them. Sources, later winning: an optional {@code client.properties}
 * file (for secrets mounted from Kubernetes), a map of extra properties, then the explicit bootstrap
 * servers. Extra properties (e.g. {@code security.protocol}, {@code sasl.*}, {@code ssl.*}) go to
 * every client unless prefixed {@code consumer.}, {@code producer.} or {@code admin.}, which routes
 * them, prefix stripped, to that client only. Transactional producers get
 * {@code <prefix>-<suffix>} ids and a {@code transaction.timeout.ms} of 10 minutes by default,
 * validated to be at most 15 minutes (the broker's default {@code transaction.max.timeout.ms}).
 * Immutable; {@link #toString()} redacts secrets.
 */
public final class KafkaClientSettings {

    public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(10);
    public static final Duration MAX_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);
    public static final String DEFAULT_TRANSACTIONAL_ID_PREFIX = "llamastream";

    private static final String CONSUMER_PREFIX = "consumer.";
    private static final String PRODUCER_PREFIX = "producer.";
    private static final String ADMIN_PREFIX = "admin.";

    private final Map<String, String> common;
    private final Map<String, String> consumerOnly;
    private final Map<String, String> producerOnly;
    private final Map<String, String> adminOnly;
    private final String transactionalIdPrefix;
    private final Duration transactionTimeout;

    private KafkaClientSettings(Builder b) {
        Map<String, String> merged = new TreeMap<>();
        if (b.propertiesFile != null) {
            merged.putAll(readPropertiesFile(b.propertiesFile));
        }
        merged.putAll(b.extra);
        if (b.bootstrapServers != null && !b.bootstrapServers.isBlank()) {
            merged.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers.trim());
        }
        common = new TreeMap<>();
        consumerOnly = new TreeMap<>();
        producerOnly = new TreeMap<>();
        adminOnly = new TreeMap<>();
        merged.forEach((key, value) -> {
            if (key.startsWith(CONSUMER_PREFIX)) {
                consumerOnly.put(key.substring(CONSUMER_PREFIX.length()), value);
            } else if (key.startsWith(PRODUCER_PREFIX)) {
                producerOnly.put(key.substring(PRODUCER_PREFIX.length()), value);
            } else if (key.startsWith(ADMIN_PREFIX)) {
                adminOnly.put(key.substring(ADMIN_PREFIX.length()), value);
            } else {
                common.put(key, value);
            }
        });
        String bootstrap = common.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("no Kafka bootstrap servers: pass them explicitly or set "
                    + "'bootstrap.servers' in the extra properties or the client.properties file");
        }
        for (Map<String, String> m : List.of(common, producerOnly)) {
            if (m.containsKey(ProducerConfig.TRANSACTIONAL_ID_CONFIG)) {
                throw new IllegalArgumentException("do not set 'transactional.id' directly: set the transactional "
                        + "id prefix, each producer gets '<prefix>-<suffix>'");
            }
        }
        transactionalIdPrefix = b.transactionalIdPrefix;
        if (transactionalIdPrefix == null || transactionalIdPrefix.isBlank()) {
            throw new IllegalArgumentException("the transactional id prefix must not be blank");
        }
        Duration timeout = b.transactionTimeout;
        String fromProperties = producerOnly.containsKey(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)
                ? producerOnly.remove(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG)
                : common.remove(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
        if (timeout == null && fromProperties != null) {
            try {
                timeout = Duration.ofMillis(Long.parseLong(fromProperties.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "transaction.timeout.ms must be a whole number of milliseconds, got '" + fromProperties + "'");
            }
        }
        transactionTimeout = validateTransactionTimeout(timeout == null ? DEFAULT_TRANSACTION_TIMEOUT : timeout);
    }

    /** Settings with the given bootstrap servers and nothing else. */
    public static KafkaClientSettings of(String bootstrapServers) {
        return builder().bootstrapServers(bootstrapServers).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    static Duration validateTransactionTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(
                    "transaction.timeout.ms must be positive, got " + timeout.toMillis() + " ms");
        }
        if (timeout.compareTo(MAX_TRANSACTION_TIMEOUT) > 0) {
            throw new IllegalArgumentException("transaction.timeout.ms is " + timeout.toMillis() + " ms ("
                    + describe(timeout) + "), above the limit of " + MAX_TRANSACTION_TIMEOUT.toMillis()
                    + " ms (15 min): brokers reject producers whose transaction timeout exceeds their "
                    + "transaction.max.timeout.ms (15 min by default), so the job would fail at start-up. "
                    + "Use a value above the checkpoint interval plus the worst recovery time, at most 15 min.");
        }
        return timeout;
    }

    private static String describe(Duration d) {
        long millis = d.toMillis();
        if (millis % 60_000 == 0) {
            return (millis / 60_000) + " min";
        }
        return BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + " s";
    }

    public String bootstrapServers() {
        return common.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    }

    public String transactionalIdPrefix() {
        return transactionalIdPrefix;
    }

    public Duration transactionTimeout() {
        return transactionTimeout;
    }

    /**
     * Properties for a consumer in {@code groupId} that sees only committed records
     * ({@code isolation.level=read_committed}), commits offsets itself (auto commit off), starts
     * from the earliest offset of a new group, and reads byte-array keys and values.
     */
    public Properties consumerProperties(String groupId) {
        Objects.requireNonNull(groupId, "groupId");
        Properties p = new Properties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.putAll(common);
        p.putAll(consumerOnly);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        return p;
    }

    /** Properties for a non-transactional, idempotent producer ({@code acks=all}) of byte arrays. */
    public Properties producerProperties() {
        Properties p = new Properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.putAll(common);
        p.putAll(producerOnly);
        return p;
    }

    /**
     * Properties for a transactional producer with id {@code <prefix>-<suffix>} and the validated
     * transaction timeout. For Flink's {@code KafkaSink}, use {@link #producerProperties()} plus
     * {@link #transactionalIdPrefix()} and {@link #transactionTimeout()} instead: the sink builds ids itself.
     */
    public Properties transactionalProducerProperties(String transactionalIdSuffix) {
        if (transactionalIdSuffix == null || transactionalIdSuffix.isBlank()) {
            throw new IllegalArgumentException("the transactional id suffix must not be blank");
        }
        Properties p = producerProperties();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalIdPrefix + "-" + transactionalIdSuffix);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(transactionTimeout.toMillis()));
        return p;
    }

    /** Properties for an {@code Admin} client. */
    public Properties adminProperties() {
        Properties p = new Properties();
        p.putAll(common);
        p.putAll(adminOnly);
        return p;
    }

    @Override
    public String toString() {
        return "KafkaClientSettings{common=" + redact(common) + ", consumer=" + redact(consumerOnly)
                + ", producer=" + redact(producerOnly) + ", admin=" + redact(adminOnly)
                + ", transactionalIdPrefix=" + transactionalIdPrefix
                + ", transactionTimeoutMs=" + transactionTimeout.toMillis() + "}";
    }

    private static Map<String, String> redact(Map<String, String> props) {
        Map<String, String> out = new TreeMap<>();
        props.forEach((k, v) -> out.put(k, isSecret(k) ? "[redacted]" : v));
        return out;
    }

    private static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password")
                || k.contains("jaas")
                || k.contains("secret")
                || k.endsWith(".key")
                || k.contains("credentials")
                || k.contains("token");
    }

    private static Map<String, String> readPropertiesFile(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("Kafka client properties file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Kafka client properties file " + file, e);
        }
        Map<String, String> out = new TreeMap<>();
        p.stringPropertyNames()
                .forEach(name -> out.put(name.trim(), p.getProperty(name).trim()));
        return out;
    }

    /** Collects the inputs of {@link KafkaClientSettings}; {@link #build()} validates them. */
    public static final class Builder {
        private String bootstrapServers;
        private final Map<String, String> extra = new TreeMap<>();
        private Path propertiesFile;
        private String transactionalIdPrefix = DEFAULT_TRANSACTIONAL_ID_PREFIX;
        private Duration transactionTimeout;

        private Builder() {}

        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /** Adds extra client properties; later calls override earlier ones key by key. */
        public Builder properties(Map<String, String> properties) {
            properties.forEach((k, v) -> extra.put(Objects.requireNonNull(k), Objects.requireNonNull(v, k)));
            return this;
        }

        public Builder property(String key, String value) {
            extra.put(Objects.requireNonNull(key), Objects.requireNonNull(value, key));
            return this;
        }

        /** A {@code client.properties} file ({@link Properties} format) read when {@link #build()} runs. */
        public Builder propertiesFile(Path file) {
            this.propertiesFile = file;
            return this;
        }

        public Builder transactionalIdPrefix(String prefix) {
            this.transactionalIdPrefix = prefix;
            return this;
        }

        /** Overrides any {@code transaction.timeout.ms} from properties; must be at most 15 minutes. */
        public Builder transactionTimeout(Duration timeout) {
            this.transactionTimeout = timeout;
            return this;
        }

        public KafkaClientSettings build() {
            return new KafkaClientSettings(this);
        }
    }
}
