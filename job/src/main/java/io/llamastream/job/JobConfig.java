package io.llamastream.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.llamastream.kafka.KafkaClientSettings;
import io.llamastream.kafka.TopicSpecs;
import io.llamastream.operators.BatchingSettings;
import io.llamastream.operators.EngineSettings;
import io.llamastream.operators.InputLimits;
import io.llamastream.operators.PipelineSettings;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The job's configuration: the YAML file given with {@code --config} (nested keys such as
 * {@code kafka.bootstrapServers}), then command-line flags overriding single keys. Mutable while
 * it is being assembled; {@link #validate()} checks it once complete. Unknown YAML keys are
 * rejected so that a typo does not silently fall back to a default.
 */
public final class JobConfig implements Serializable {

    /** Every key the YAML file may contain, in the order the README documents them. */
    public static final List<String> KEYS = List.of(
            "model.dir",
            "kafka.bootstrapServers",
            "kafka.propertiesFile",
            "kafka.transactionalIdPrefix",
            "kafka.transactionTimeoutMs",
            "kafka.groupId",
            "topics.requests",
            "topics.results",
            "topics.deadLetter",
            "topics.partitions",
            "topics.replicationFactor",
            "tasksFile",
            "batching.maxBatchSize",
            "batching.maxWaitMs",
            "batching.tokenBudget",
            "engine.threads",
            "engine.kvCacheBytes",
            "engine.prefixCacheBytes",
            "engine.weightFormat",
            "checkpoint.intervalMs",
            "checkpoint.dir",
            "parallelism",
            "defaultDeadlineMs");

    public String modelDir;
    public String bootstrapServers;
    public String kafkaPropertiesFile;
    public String transactionalIdPrefix = KafkaClientSettings.DEFAULT_TRANSACTIONAL_ID_PREFIX;
    public long transactionTimeoutMs = KafkaClientSettings.DEFAULT_TRANSACTION_TIMEOUT.toMillis();
    public String groupId = "llamastream";
    public String requestsTopic = TopicSpecs.DEFAULT_REQUESTS;
    public String resultsTopic = TopicSpecs.DEFAULT_RESULTS;
    public String deadLetterTopic = TopicSpecs.DEFAULT_DEAD_LETTER;
    public int partitions = 1;
    public short replicationFactor = 3;
    public String tasksFile;
    public int maxBatchSize = BatchingSettings.defaults().maxBatchSize();
    public long maxWaitMs = BatchingSettings.defaults().maxWaitMs();
    public int tokenBudget = BatchingSettings.defaults().tokenBudget();
    public int engineThreads = EngineSettings.defaults().threads();
    public long kvCacheBytes = EngineSettings.defaults().kvCacheBytes();
    public long prefixCacheBytes = EngineSettings.defaults().prefixCacheBytes();
    public String weightFormat = EngineSettings.defaults().weightFormat();
    public long checkpointIntervalMs = 10_000;
    public String checkpointDir;
    public int parallelism = 0;
    public long defaultDeadlineMs = 0;

    /** Reads a YAML file; throws {@link IllegalArgumentException} naming the file and key on any problem. */
    public static JobConfig load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("config file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("config file " + file + " is not valid YAML: " + e.getMessage(), e);
        }
        JobConfig config = new JobConfig();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return config;
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("config file " + file + " must be a YAML mapping");
        }
        Map<String, JsonNode> flat = new LinkedHashMap<>();
        flatten("", root, flat);
        List<String> unknown = new ArrayList<>();
        for (var e : flat.entrySet()) {
            if (!KEYS.contains(e.getKey())) {
                unknown.add(e.getKey());
                continue;
            }
            try {
                config.set(e.getKey(), e.getValue());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("config file " + file + ": " + ex.getMessage(), ex);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "config file " + file + " has unknown key(s) " + unknown + "; known keys: " + KEYS);
        }
        return config;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> out) {
        if (node.isObject() && !KEYS.contains(prefix)) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                flatten(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), f.getValue(), out);
            }
        } else {
            out.put(prefix, node);
        }
    }

    private void set(String key, JsonNode v) {
        if (v.isNull()) {
            return; // an explicit null keeps the default
        }
        switch (key) {
            case "model.dir" -> modelDir = text(key, v);
            case "kafka.bootstrapServers" -> bootstrapServers = text(key, v);
            case "kafka.propertiesFile" -> kafkaPropertiesFile = text(key, v);
            case "kafka.transactionalIdPrefix" -> transactionalIdPrefix = text(key, v);
            case "kafka.transactionTimeoutMs" -> transactionTimeoutMs = number(key, v);
            case "kafka.groupId" -> groupId = text(key, v);
            case "topics.requests" -> requestsTopic = text(key, v);
            case "topics.results" -> resultsTopic = text(key, v);
            case "topics.deadLetter" -> deadLetterTopic = text(key, v);
            case "topics.partitions" -> partitions = (int) number(key, v);
            case "topics.replicationFactor" -> replicationFactor = (short) number(key, v);
            case "tasksFile" -> tasksFile = text(key, v);
            case "batching.maxBatchSize" -> maxBatchSize = (int) number(key, v);
            case "batching.maxWaitMs" -> maxWaitMs = number(key, v);
            case "batching.tokenBudget" -> tokenBudget = (int) number(key, v);
            case "engine.threads" -> engineThreads = (int) number(key, v);
            case "engine.kvCacheBytes" -> kvCacheBytes = number(key, v);
            case "engine.prefixCacheBytes" -> prefixCacheBytes = number(key, v);
            case "engine.weightFormat" -> weightFormat = text(key, v);
            case "checkpoint.intervalMs" -> checkpointIntervalMs = number(key, v);
            case "checkpoint.dir" -> checkpointDir = text(key, v);
            case "parallelism" -> parallelism = (int) number(key, v);
            case "defaultDeadlineMs" -> defaultDeadlineMs = number(key, v);
            default -> throw new IllegalArgumentException("unknown key '" + key + "'");
        }
    }

    private static String text(String key, JsonNode v) {
        if (!v.isValueNode()) {
            throw new IllegalArgumentException("'" + key + "' must be a string");
        }
        return v.asText();
    }

    private static long number(String key, JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isTextual()) {
            try {
                return Long.parseLong(v.asText().trim().replace("_", ""));
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new IllegalArgumentException("'" + key + "' must be a whole number, got " + v);
    }

    /** Checks the assembled configuration; throws {@link IllegalArgumentException} listing every problem. */
    public JobConfig validate() {
        Set<String> problems = new LinkedHashSet<>();
        if (modelDir == null || modelDir.isBlank()) {
            problems.add("model.dir (--model) is required");
        }
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            problems.add("kafka.bootstrapServers (--bootstrap-servers) is required");
        }
        if (partitions < 1) {
            problems.add("topics.partitions must be >= 1, got " + partitions);
        }
        if (replicationFactor < 1) {
            problems.add("topics.replicationFactor must be >= 1, got " + replicationFactor);
        }
        if (maxBatchSize < 1) {
            problems.add("batching.maxBatchSize must be >= 1, got " + maxBatchSize);
        }
        if (maxWaitMs < 0) {
            problems.add("batching.maxWaitMs must be >= 0, got " + maxWaitMs);
        }
        if (tokenBudget < 1) {
            problems.add("batching.tokenBudget must be >= 1, got " + tokenBudget);
        }
        if (engineThreads < 0) {
            problems.add("engine.threads must be >= 0 (0 = all cores), got " + engineThreads);
        }
        if (kvCacheBytes < 1) {
            problems.add("engine.kvCacheBytes must be positive, got " + kvCacheBytes);
        }
        if (prefixCacheBytes < 0) {
            problems.add("engine.prefixCacheBytes must be >= 0, got " + prefixCacheBytes);
        }
        if (weightFormat != null && !List.of("native", "bf16", "q8", "q4").contains(weightFormat)) {
            problems.add("engine.weightFormat must be native, bf16, q8 or q4 (or unset: native for a .gguf"
                    + " file, bf16 for a folder), got '" + weightFormat + "'");
        }
        if (checkpointIntervalMs < 10) {
            problems.add("checkpoint.intervalMs must be >= 10, got " + checkpointIntervalMs
                    + " (exactly-once output is committed at checkpoints: checkpointing cannot be off)");
        }
        if (transactionTimeoutMs <= checkpointIntervalMs) {
            problems.add("kafka.transactionTimeoutMs (" + transactionTimeoutMs + ") must exceed checkpoint.intervalMs ("
                    + checkpointIntervalMs + ")");
        }
        if (parallelism < 0) {
            problems.add("parallelism must be >= 0 (0 = the cluster's default), got " + parallelism);
        }
        try {
            topicSpecs();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration:\n  - " + String.join("\n  - ", problems));
        }
        return this;
    }

    public TopicSpecs topicSpecs() {
        return TopicSpecs.named(requestsTopic, resultsTopic, deadLetterTopic, partitions, replicationFactor);
    }

    /** Client settings for every Kafka client of the job (validates the transaction timeout). */
    public KafkaClientSettings kafkaSettings() {
        KafkaClientSettings.Builder b = KafkaClientSettings.builder()
                .bootstrapServers(bootstrapServers)
                .transactionalIdPrefix(transactionalIdPrefix)
                .transactionTimeout(Duration.ofMillis(transactionTimeoutMs));
        if (kafkaPropertiesFile != null && !kafkaPropertiesFile.isBlank()) {
            b.propertiesFile(Path.of(kafkaPropertiesFile));
        }
        return b.build();
    }

    public PipelineSettings pipelineSettings() {
        return new PipelineSettings(
                modelDir,
                tasksFile,
                new BatchingSettings(maxBatchSize, maxWaitMs, tokenBudget),
                new EngineSettings(engineThreads, kvCacheBytes, prefixCacheBytes, weightFormat),
                InputLimits.defaults(),
                defaultDeadlineMs);
    }
}
