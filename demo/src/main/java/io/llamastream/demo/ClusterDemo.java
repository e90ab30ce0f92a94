package io.llamastream.demo;

import io.llamastream.cluster.FlinkRest;
import io.llamastream.cluster.JavaProcess;
import io.llamastream.cluster.KafkaBrokerProcess;
import io.llamastream.cluster.StandaloneCluster;
import io.llamastream.cluster.TaskManagerProcess;
import io.llamastream.job.JobConfig;
import io.llamastream.job.JobTopology;
import io.llamastream.job.LlamastreamJob;
import io.llamastream.kafka.KafkaClientSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code ./llamastream demo --cluster N}: the demo on the production path. A Kafka broker process
 * (KRaft, loopback), a standalone Flink session cluster of separate JVMs (one JobManager, N
 * TaskManagers with one slot each, run from Flink's distribution jars), the production job jar
 * uploaded and run through Flink's REST API, then the same stream, progress and summary as the local
 * demo. Optionally {@code kill -9}s a TaskManager (and starts a replacement) or restarts the broker
 * after some results, and reports how long recovery took. Every process is stopped at the end.
 */
final class ClusterDemo {

    /**
     * The KV cache of each TaskManager: what the demo model's stream needs, well inside the cluster's
     * task heap (the engine refuses to load when weights + KV cache + overhead exceed the free heap).
     */
    static final long KV_CACHE_BYTES = 128L << 20;

    private final DemoCommand cmd;
    private final Path modelDir;
    private final List<DemoSample.Event> stream;
    private final PrintStream out = System.out;
    private final List<JavaProcess> started = new ArrayList<>();

    ClusterDemo(DemoCommand cmd, Path modelDir, List<DemoSample.Event> stream) {
        this.cmd = cmd;
        this.modelDir = modelDir;
        this.stream = stream;
    }

    int run() throws Exception {
        JobJars jars = JobJars.ofCheckout();
        Path work = Files.createTempDirectory("llamastream-cluster-");
        int n = cmd.cluster;
        out.printf(
                "llamastream demo --cluster %d: %d events, model %s, checkpoints every %d ms%n",
                n, stream.size(), modelDir.toAbsolutePath().normalize(), cmd.checkpointIntervalMs);
        out.printf("  work dir: %s (process logs under */log; removed after a clean run)%n", work);
        long t0 = System.nanoTime();
        int code;
        try (KafkaBrokerProcess kafka = KafkaBrokerProcess.start(work.resolve("kafka"))) {
            started.add(kafka.process());
            out.printf(
                    "  kafka: broker process pid %d at %s (%.1f s)%n",
                    kafka.process().pid(), kafka.bootstrapServers(), (System.nanoTime() - t0) / 1e9);
            JobConfig config = jobConfig(modelDir, kafka.bootstrapServers(), n, cmd.checkpointIntervalMs);
            KafkaClientSettings settings = config.kafkaSettings();
            out.printf("  topics: %s%n", JobTopology.ensureTopics(config, settings));
            try (StandaloneCluster cluster = StandaloneCluster.builder(work.resolve("flink"))
                    .libJar(jars.engine())
                    .taskManagers(n)
                    .config("execution.checkpointing.interval", cmd.checkpointIntervalMs + "ms")
                    .config("parallelism.default", Integer.toString(n))
                    .start()) {
                started.add(cluster.jobManager());
                cluster.taskManagers().forEach(tm -> started.add(tm.process()));
                out.printf(
                        "  flink: JobManager pid %d, TaskManagers %s (%.1f s)%n",
                        cluster.jobManager().pid(),
                        cluster.taskManagers().stream()
                                .map(tm -> tm.resourceId() + " pid " + tm.pid())
                                .toList(),
                        (System.nanoTime() - t0) / 1e9);
                out.printf("  flink: dashboard %s%n", cluster.webUrl());
                FlinkRest rest = cluster.rest();
                String jarId = rest.uploadJar(jars.job());
                String jobId = rest.runJar(jarId, LlamastreamJob.class.getName(), jobArgs(config), n);
                out.printf(
                        "  flink: %s on every process's class path; %s uploaded and running as job %s%n",
                        jars.engine().getFileName(), jars.job().getFileName(), jobId);
                Faults faults = new Faults(cluster, kafka, jobId);
                code = cmd.stream(settings, config, stream, t0, faults, () -> cancel(rest, jobId));
            }
        }
        List<JavaProcess> alive = started.stream().filter(JavaProcess::isAlive).toList();
        out.println(
                alive.isEmpty()
                        ? "processes:     all " + started.size() + " stopped (broker, JobManager, TaskManagers)"
                        : "processes:     STILL RUNNING " + alive);
        if (alive.isEmpty() && code == 0) {
            deleteTree(work);
        } else {
            out.println("logs:          " + work);
        }
        return alive.isEmpty() ? code : 1;
    }

    /** The work directory (logs, checkpoints, broker data) goes after a clean run; it stays for a failed one. */
    static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: it is a temporary directory
        }
    }

    private static void cancel(FlinkRest rest, String jobId) {
        try {
            rest.cancel(jobId);
        } catch (RuntimeException ignored) {
            // already ended
        }
    }

    /** The demo's job configuration on a cluster of {@code parallelism} slots, with the cluster's KV budget. */
    static JobConfig jobConfig(Path modelDir, String bootstrapServers, int parallelism, long checkpointIntervalMs) {
        JobConfig config = DemoCommand.jobConfig(modelDir, bootstrapServers, parallelism, checkpointIntervalMs);
        config.kvCacheBytes = KV_CACHE_BYTES;
        return config;
    }

    /** The job's flags: what the chart's ConfigMap holds, given on the command line instead. */
    static List<String> jobArgs(JobConfig c) {
        return List.of(
                "--model",
                c.modelDir,
                "--bootstrap-servers",
                c.bootstrapServers,
                "--requests-topic",
                c.requestsTopic,
                "--results-topic",
                c.resultsTopic,
                "--dead-letter-topic",
                c.deadLetterTopic,
                "--partitions",
                Integer.toString(c.partitions),
                "--replication-factor",
                Short.toString(c.replicationFactor),
                "--parallelism",
                Integer.toString(c.parallelism),
                "--checkpoint-interval-ms",
                Long.toString(c.checkpointIntervalMs),
                "--kv-cache-bytes",
                Long.toString(c.kvCacheBytes),
                "--transaction-timeout-ms",
                Long.toString(c.transactionTimeoutMs));
    }

    /** The faults to inject and what recovery from them took. */
    private final class Faults implements DemoCommand.Watch {
        private final StandaloneCluster cluster;
        private final KafkaBrokerProcess kafka;
        private final String jobId;
        private final List<String> lines = new ArrayList<>();
        private long faultAt = -1;
        private String fault;
        private volatile long brokerBackAt = -1;
        private long restartSeenAt = -1;
        private long restartsBefore;
        private int doneAtRecovery = -1;
        private long firstAfterRecoveryAt = -1;
        private Thread brokerRestart;

        Faults(StandaloneCluster cluster, KafkaBrokerProcess kafka, String jobId) {
            this.cluster = cluster;
            this.kafka = kafka;
            this.jobId = jobId;
        }

        @Override
        public void polled(int done) {
            if (faultAt < 0 && cmd.killTaskManagerAfter >= 0 && done >= cmd.killTaskManagerAfter) {
                restartsBefore = cluster.rest().restarts(jobId);
                TaskManagerProcess victim = cluster.taskManagers().get(0);
                faultAt = System.nanoTime();
                cluster.kill(victim);
                TaskManagerProcess replacement = cluster.startTaskManager();
                started.add(replacement.process());
                fault = String.format(
                        Locale.ROOT,
                        "kill -9 of %s (pid %d) after %d results; replacement %s (pid %d) started",
                        victim.resourceId(),
                        victim.pid(),
                        done,
                        replacement.resourceId(),
                        replacement.pid());
                out.printf("%n  fault: %s%n", fault);
            }
            if (faultAt < 0 && cmd.restartBrokerAfter >= 0 && done >= cmd.restartBrokerAfter) {
                faultAt = System.nanoTime();
                fault = "Kafka broker stopped after " + done + " results and started again";
                out.printf(
                        "%n  fault: stopping the Kafka broker (pid %d) after %d results%n",
                        kafka.process().pid(), done);
                brokerRestart = new Thread(
                        () -> {
                            kafka.restart();
                            started.add(kafka.process());
                            brokerBackAt = System.nanoTime();
                        },
                        "broker-restart");
                brokerRestart.start();
            }
            if (faultAt >= 0 && doneAtRecovery < 0 && (restartSeenAt >= 0 || brokerBackAt >= 0)) {
                doneAtRecovery = done;
            }
            if (doneAtRecovery >= 0 && firstAfterRecoveryAt < 0 && done > doneAtRecovery) {
                firstAfterRecoveryAt = System.nanoTime();
            }
        }

        @Override
        public String failure() {
            String state = cluster.rest().jobState(jobId);
            if (faultAt >= 0
                    && restartSeenAt < 0
                    && cmd.killTaskManagerAfter >= 0
                    && cluster.rest().restarts(jobId) > restartsBefore) {
                restartSeenAt = System.nanoTime();
            }
            if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
                return "the Flink job ended (" + state + "): " + cluster.rest().latestException(jobId);
            }
            return null;
        }

        @Override
        public List<String> summary() {
            if (brokerRestart != null) {
                try {
                    brokerRestart.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            lines.add("model loads:   " + modelLoads() + " (the modelLoads gauge of each TaskManager running the job)");
            if (fault == null) {
                if (cmd.killTaskManagerAfter >= 0 || cmd.restartBrokerAfter >= 0) {
                    lines.add("fault:         not injected (too few results)");
                }
                return lines;
            }
            lines.add("fault:         " + fault);
            if (brokerBackAt >= 0) {
                lines.add(String.format(
                        Locale.ROOT,
                        "recovery:      broker down and back in %.1f s; job restarts: %d",
                        secs(brokerBackAt),
                        cluster.rest().restarts(jobId)));
            }
            if (restartSeenAt >= 0) {
                lines.add(String.format(
                        Locale.ROOT,
                        "recovery:      job restart seen %.1f s after the kill (job restarts: %d before"
                                + " the kill, %d at the end)",
                        secs(restartSeenAt),
                        restartsBefore,
                        cluster.rest().restarts(jobId)));
            }
            lines.add(
                    firstAfterRecoveryAt >= 0
                            ? String.format(
                                    Locale.ROOT,
                                    "recovery:      first result committed after the recovery %.1f s after the fault",
                                    secs(firstAfterRecoveryAt))
                            : "recovery:      no result committed after the recovery (every output was committed before it; use --rate"
                                    + " to spread the stream)");
            return lines;
        }

        private String modelLoads() {
            try {
                Map<String, Double> loads = cluster.rest().subtaskMetricByTaskManager(jobId, "modelLoads");
                if (loads.isEmpty()) {
                    return "not reported";
                }
                List<String> parts = new ArrayList<>();
                loads.forEach((tm, n) -> parts.add(tm + " " + Math.round(n)));
                return String.join(", ", parts);
            } catch (RuntimeException e) {
                return "unknown (" + e.getMessage() + ")";
            }
        }

        private double secs(long at) {
            return (at - faultAt) / 1e9;
        }
    }
}
