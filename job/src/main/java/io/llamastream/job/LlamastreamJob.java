package io.llamastream.job;

import io.llamastream.kafka.KafkaClientSettings;
import io.llamastream.kafka.TopicSetupException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The Flink job's entry class: {@code --config FILE} (YAML) plus flags overriding single keys.
 * Ensures the three topics exist, then runs KafkaSource -> InferencePipeline -> exactly-once
 * KafkaSinks on whatever cluster submitted it (the Flink Kubernetes Operator, {@code flink run},
 * or a local environment when started from a plain JVM).
 */
@Command(
        name = "llamastream-job",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Llama 4 inference over Kafka, exactly once, inside Flink.")
public final class LlamastreamJob implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file (keys: see README).")
    Path config;

    @Option(names = "--model", paramLabel = "DIR", description = "model.dir")
    String model;

    @Option(names = "--bootstrap-servers", description = "kafka.bootstrapServers")
    String bootstrapServers;

    @Option(
            names = "--kafka-properties",
            paramLabel = "FILE",
            description = "kafka.propertiesFile (client.properties: security.*, sasl.*, ssl.*)")
    String kafkaProperties;

    @Option(names = "--requests-topic", description = "topics.requests")
    String requestsTopic;

    @Option(names = "--results-topic", description = "topics.results")
    String resultsTopic;

    @Option(names = "--dead-letter-topic", description = "topics.deadLetter")
    String deadLetterTopic;

    @Option(names = "--partitions", description = "topics.partitions")
    Integer partitions;

    @Option(names = "--replication-factor", description = "topics.replicationFactor (for topics the job creates)")
    Short replicationFactor;

    @Option(names = "--group-id", description = "kafka.groupId")
    String groupId;

    @Option(names = "--tasks-file", paramLabel = "FILE", description = "tasksFile")
    String tasksFile;

    @Option(names = "--max-batch-size", description = "batching.maxBatchSize")
    Integer maxBatchSize;

    @Option(names = "--max-wait-ms", description = "batching.maxWaitMs")
    Long maxWaitMs;

    @Option(names = "--token-budget", description = "batching.tokenBudget")
    Integer tokenBudget;

    @Option(names = "--engine-threads", description = "engine.threads (0 = all cores)")
    Integer engineThreads;

    @Option(names = "--kv-cache-bytes", description = "engine.kvCacheBytes")
    Long kvCacheBytes;

    @Option(
            names = "--weight-format",
            description =
                    "engine.weightFormat: native, bf16, q8, q4 (default: native for a .gguf file, bf16 for a folder)")
    String weightFormat;

    @Option(names = "--parallelism", description = "parallelism (0 = the cluster's default)")
    Integer parallelism;

    @Option(names = "--checkpoint-interval-ms", description = "checkpoint.intervalMs")
    Long checkpointIntervalMs;

    @Option(names = "--checkpoint-dir", description = "checkpoint.dir (e.g. s3://bucket/checkpoints, file:///tmp/cp)")
    String checkpointDir;

    @Option(names = "--transaction-timeout-ms", description = "kafka.transactionTimeoutMs (<= 900000)")
    Long transactionTimeoutMs;

    /** Why the job did not start, as printed; null while it has not refused to. */
    private String refusal;

    /**
     * Runs the job, or throws {@link JobNotStartedException} with the reason. Flink calls this
     * {@code main} inside its JobManager (application mode, or a REST submission), where a
     * {@code System.exit} would stop the JobManager instead of failing the submission.
     */
    public static void main(String[] args) {
        LlamastreamJob job = new LlamastreamJob();
        int code = new CommandLine(job).execute(args);
        if (code != 0) {
            throw new JobNotStartedException(
                    code, job.refusal != null ? job.refusal : "invalid command line (the usage is printed above)");
        }
    }

    /** The configuration file with the flags applied, validated. */
    JobConfig resolve() {
        JobConfig c = config != null ? JobConfig.load(config) : new JobConfig();
        if (model != null) c.modelDir = model;
        if (bootstrapServers != null) c.bootstrapServers = bootstrapServers;
        if (kafkaProperties != null) c.kafkaPropertiesFile = kafkaProperties;
        if (requestsTopic != null) c.requestsTopic = requestsTopic;
        if (resultsTopic != null) c.resultsTopic = resultsTopic;
        if (deadLetterTopic != null) c.deadLetterTopic = deadLetterTopic;
        if (partitions != null) c.partitions = partitions;
        if (replicationFactor != null) c.replicationFactor = replicationFactor;
        if (groupId != null) c.groupId = groupId;
        if (tasksFile != null) c.tasksFile = tasksFile;
        if (maxBatchSize != null) c.maxBatchSize = maxBatchSize;
        if (maxWaitMs != null) c.maxWaitMs = maxWaitMs;
        if (tokenBudget != null) c.tokenBudget = tokenBudget;
        if (engineThreads != null) c.engineThreads = engineThreads;
        if (kvCacheBytes != null) c.kvCacheBytes = kvCacheBytes;
        if (weightFormat != null) c.weightFormat = weightFormat;
        if (parallelism != null) c.parallelism = parallelism;
        if (checkpointIntervalMs != null) c.checkpointIntervalMs = checkpointIntervalMs;
        if (checkpointDir != null) c.checkpointDir = checkpointDir;
        if (transactionTimeoutMs != null) c.transactionTimeoutMs = transactionTimeoutMs;
        return c.validate();
    }

    @Override
    public Integer call() throws Exception {
        JobConfig c;
        KafkaClientSettings kafka;
        try {
            c = resolve();
            kafka = c.kafkaSettings();
        } catch (IllegalArgumentException e) {
            return refuse(2, "llamastream-job: " + e.getMessage());
        }
        try {
            System.err.println("llamastream-job: topics " + JobTopology.ensureTopics(c, kafka));
        } catch (TopicSetupException e) {
            // Kafka unreachable, refused credentials or TLS, or topics that do not fit: stop before submitting.
            return refuse(3, "llamastream-job: cannot start, Kafka topic check failed: " + e.getMessage());
        }
        Configuration flink = new Configuration();
        if (c.checkpointDir != null && !c.checkpointDir.isBlank()) {
            flink.setString("execution.checkpointing.dir", c.checkpointDir);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        JobTopology.attach(env, c, kafka, JobPipeline.inference(), false);
        env.execute("llamastream");
        return 0;
    }

    private int refuse(int code, String reason) {
        System.err.println(reason);
        refusal = reason;
        return code;
    }
}
