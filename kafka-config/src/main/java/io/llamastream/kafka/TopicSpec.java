package io.llamastream.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The desired shape of one topic: name, (minimum) partition count, replication factor, retention in
 * milliseconds ({@code -1} keeps records forever, {@code null} leaves the broker default) and cleanup
 * policy ({@code delete} or {@code compact}). {@link TopicAdmin} creates topics from it or checks
 * existing ones against it.
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Long retentionMs, String cleanupPolicy) {

    public static final String DELETE = TopicConfig.CLEANUP_POLICY_DELETE;
    public static final String COMPACT = TopicConfig.CLEANUP_POLICY_COMPACT;

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("topic '" + name + "' needs at least 1 partition, got " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException(
                    "topic '" + name + "' needs a replication factor of at least 1, got " + replicationFactor);
        }
        if (retentionMs != null && retentionMs < -1) {
            throw new IllegalArgumentException(
                    "topic '" + name + "' retention must be -1 (forever) or >= 0 ms, got " + retentionMs);
        }
        cleanupPolicy = cleanupPolicy == null ? DELETE : cleanupPolicy;
        if (!cleanupPolicy.equals(DELETE)
                && !cleanupPolicy.equals(COMPACT)
                && !cleanupPolicy.equals(COMPACT + "," + DELETE)
                && !cleanupPolicy.equals(DELETE + "," + COMPACT)) {
            throw new IllegalArgumentException("topic '" + name + "' cleanup policy must be 'delete', 'compact' or "
                    + "both, got '" + cleanupPolicy + "'");
        }
    }

    /** The same spec under another name. */
    public TopicSpec withName(String newName) {
        return new TopicSpec(newName, partitions, replicationFactor, retentionMs, cleanupPolicy);
    }

    /** The topic-level configs this spec sets. */
    public Map<String, String> configs() {
        Map<String, String> configs = new HashMap<>();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy);
        if (retentionMs != null) {
            configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs));
        }
        return configs;
    }

    public NewTopic toNewTopic() {
        return new NewTopic(name, partitions, replicationFactor).configs(configs());
    }
}
