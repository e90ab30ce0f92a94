package io.llamastream.kafka.testkit;

import io.llamastream.kafka.KafkaClientSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node Kafka cluster (KRaft, one process acting as broker and controller) running
 * inside this JVM on loopback, for the demo and for tests. Internal topics use replication factor 1
 * and min ISR 1 so transactions and consumer groups work on one node, and
 * {@code transaction.max.timeout.ms} is one hour so clients with long transaction timeouts (Flink's
 * default) are accepted. Log directories live in a temporary directory deleted on {@link #close()}.
 * Built on Kafka's internal test kit ({@code KafkaClusterTestKit}), whose API changes between Kafka
 * versions: keep the kafka-test-common-runtime version pinned to kafka-clients'.
 */
public final class EmbeddedKafka implements AutoCloseable {

    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration TRANSACTION_MAX_TIMEOUT = Duration.ofHours(1);

    private final Duration startupTimeout;
    private final Map<String, String> brokerProperties;
    private KafkaClusterTestKit cluster;
    private String bootstrapServers;

    /** A broker with the default settings and start-up timeout; call {@link #start()}. */
    public EmbeddedKafka() {
        this(DEFAULT_STARTUP_TIMEOUT, Map.of());
    }

    /** A broker with extra broker properties (overriding the defaults) and a bound on start-up time. */
    public EmbeddedKafka(Duration startupTimeout, Map<String, String> extraBrokerProperties) {
        this.startupTimeout = Objects.requireNonNull(startupTimeout, "startupTimeout");
        Map<String, String> props = singleNodeDefaults();
        props.putAll(extraBrokerProperties);
        this.brokerProperties = Map.copyOf(props);
    }

    /**
     * Broker settings for a one-node cluster: internal topics at replication factor 1 and min ISR 1
     * (so transactions and consumer groups work), one-hour transaction timeouts allowed, no initial
     * rebalance delay. A new, modifiable map.
     */
    static Map<String, String> singleNodeDefaults() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("min.insync.replicas", "1");
        props.put("default.replication.factor", "1");
        props.put("transaction.max.timeout.ms", Long.toString(TRANSACTION_MAX_TIMEOUT.toMillis()));
        props.put("group.initial.rebalance.delay.ms", "0");
        return props;
    }

    /**
     * Formats storage, starts the node and waits until the broker is ready; throws
     * {@link IllegalStateException} if that takes longer than the start-up timeout (the half-started
     * node is shut down). Calling it twice is an error.
     */
    public synchronized EmbeddedKafka start() {
        if (cluster != null) {
            throw new IllegalStateException("embedded Kafka already started at " + bootstrapServers);
        }
        ExecutorService starter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "embedded-kafka-startup");
            t.setDaemon(true);
            return t;
        });
        AtomicReference<KafkaClusterTestKit> building = new AtomicReference<>();
        try {
            Future<KafkaClusterTestKit> started = starter.submit(() -> {
                TestKitNodes nodes = new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .build();
                KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
                brokerProperties.forEach(builder::setConfigProp);
                KafkaClusterTestKit kit = builder.build();
                building.set(kit);
                kit.format();
                kit.startup();
                kit.waitForReadyBrokers();
                return kit;
            });
            cluster = started.get(startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
            bootstrapServers = cluster.bootstrapServers();
            return this;
        } catch (TimeoutException e) {
            closeQuietly(building.get());
            throw new IllegalStateException(
                    "embedded Kafka did not start within " + startupTimeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            closeQuietly(building.get());
            throw new IllegalStateException("embedded Kafka failed to start: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(building.get());
            throw new IllegalStateException("interrupted while starting embedded Kafka", e);
        } finally {
            starter.shutdownNow();
        }
    }

    /** {@code host:port} of the broker listener; only valid after {@link #start()}. */
    public synchronized String bootstrapServers() {
        if (bootstrapServers == null) {
            throw new IllegalStateException("embedded Kafka is not started");
        }
        return bootstrapServers;
    }

    /** Client settings pointing at this broker. */
    public KafkaClientSettings clientSettings() {
        return KafkaClientSettings.of(bootstrapServers());
    }

    /** Stops the node and deletes its data; safe to call more than once or before start. */
    @Override
    public synchronized void close() {
        KafkaClusterTestKit running = cluster;
        cluster = null;
        bootstrapServers = null;
        if (running != null) {
            try {
                running.close();
            } catch (Exception e) {
                throw new IllegalStateException("embedded Kafka did not shut down cleanly", e);
            }
        }
    }

    private static void closeQuietly(KafkaClusterTestKit kit) {
        if (kit != null) {
            try {
                kit.close();
            } catch (Exception ignored) {
                // Already failing; the original error matters more.
            }
        }
    }
}
