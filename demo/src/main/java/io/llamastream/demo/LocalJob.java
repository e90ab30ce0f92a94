package io.llamastream.demo;

import io.llamastream.job.JobConfig;
import io.llamastream.job.JobPipeline;
import io.llamastream.job.JobTopology;
import io.llamastream.kafka.KafkaClientSettings;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Runs the job on a Flink MiniCluster inside this JVM, detached: used by the demo and the
 * integration tests. Restarts use a fixed-delay strategy (so an injected failure recovers from
 * the last checkpoint) unless {@code restartAttempts} is 0 (restart-strategy none).
 */
public final class LocalJob {

    private LocalJob() {}

    public static JobClient start(
            String name, JobConfig config, KafkaClientSettings kafka, JobPipeline pipeline, int restartAttempts)
            throws Exception {
        return start(name, config, kafka, pipeline, restartAttempts, Map.of());
    }

    /** As above, with extra Flink configuration for the local cluster (e.g. a metrics reporter). */
    public static JobClient start(
            String name,
            JobConfig config,
            KafkaClientSettings kafka,
            JobPipeline pipeline,
            int restartAttempts,
            Map<String, String> flinkConfig)
            throws Exception {
        Configuration conf = new Configuration();
        flinkConfig.forEach(conf::setString);
        if (restartAttempts > 0) {
            conf.setString("restart-strategy.type", "fixed-delay");
            conf.setString("restart-strategy.fixed-delay.attempts", Integer.toString(restartAttempts));
            conf.setString("restart-strategy.fixed-delay.delay", "500 ms");
        } else {
            conf.setString("restart-strategy.type", "none");
        }
        // The local cluster gets exactly the slots the job needs.
        conf.setString("taskmanager.numberOfTaskSlots", Integer.toString(Math.max(1, config.parallelism)));
        if (!flinkConfig.containsKey("rest.bind-port")) {
            conf.setString("rest.bind-port", "0");
        }
        if (config.checkpointDir != null) {
            conf.setString("execution.checkpointing.dir", config.checkpointDir);
        }
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(config.checkpointIntervalMs));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(Math.max(1, config.parallelism), conf);
        JobTopology.attach(env, config, kafka, pipeline, false);
        return env.executeAsync(name);
    }
}
