package io.llamastream.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.cluster.FlinkRest;
import io.llamastream.cluster.LoopbackPorts;
import io.llamastream.job.JobConfig;
import io.llamastream.job.JobPipeline;
import io.llamastream.job.JobTopology;
import io.llamastream.job.PrometheusReporterConfig;
import io.llamastream.kafka.KafkaClientSettings;
import io.llamastream.kafka.testkit.EmbeddedKafka;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;

/**
 * {@code ./llamastream demo} on one machine, in one JVM: an in-JVM Kafka broker, the job (or with
 * {@code --sql} the SQL job) on a local MiniCluster, and the demo's stream produced and read back.
 * {@link ClusterDemo} is the same stream on separate processes.
 */
final class LocalDemo {
    private final DemoCommand cmd;
    private final Path modelDir;
    private final PrintStream out = System.out;

    LocalDemo(DemoCommand cmd, Path modelDir) {
        this.cmd = cmd;
        this.modelDir = modelDir;
    }

    /**
     * The local demo: broker, job on a MiniCluster, the stream produced and read back into
     * {@code tracker}. With a {@code cpu} window (the engine comparison), the first send waits until
     * every task of the job runs (operators opened, model loaded), so the rate measures the stream
     * rather than the start-up, and the window spans first send to last output accounted for; the
     * {@code warmUp} events go through the job first, untimed, so that its code is compiled too.
     */
    int run(List<DemoSample.Event> warmUp, List<DemoSample.Event> stream, OutputTracker tracker, CpuWindow cpu)
            throws Exception {
        out.printf(
                "llamastream demo: %d events, model %s, parallelism %d, checkpoints every %d ms%s%n",
                stream.size(),
                modelDir.toAbsolutePath().normalize(),
                cmd.parallelism,
                cmd.checkpointIntervalMs,
                cmd.failAfter >= 0 ? ", one failure injected after " + cmd.failAfter + " records" : "");
        long t0 = System.nanoTime();
        try (EmbeddedKafka kafka = startQuietly()) {
            out.printf(
                    "  kafka: in-JVM KRaft broker at %s (%.1f s)%n",
                    kafka.bootstrapServers(), (System.nanoTime() - t0) / 1e9);
            JobConfig config = cmd.jobConfig(modelDir, kafka.bootstrapServers());
            KafkaClientSettings settings = config.kafkaSettings();
            out.printf("  topics: %s%n", JobTopology.ensureTopics(config, settings));
            int restPort = LoopbackPorts.free();
            Map<String, String> flinkConf = new HashMap<>(Map.of(
                    "rest.bind-port",
                    Integer.toString(restPort),
                    "rest.bind-address",
                    "127.0.0.1",
                    "rest.address",
                    "127.0.0.1"));
            if (cmd.metricsPort != null) {
                flinkConf.putAll(PrometheusReporterConfig.entries(Integer.toString(cmd.metricsPort)));
            }
            flinkConf.putAll(cmd.flinkConfig);
            JobClient job;
            if (cmd.sql) {
                SqlDemoJob sqlJob = new SqlDemoJob(config);
                out.println("  sql: the statements it runs:");
                sqlJob.statements()
                        .forEach(st -> out.println("\n" + st.indent(4).stripTrailing() + ";"));
                out.println();
                job = sqlJob.start(flinkConf);
            } else {
                JobPipeline pipeline =
                        cmd.failAfter >= 0 ? InjectedFailure.pipeline(cmd.failAfter) : JobPipeline.inference();
                job = LocalJob.start("llamastream-demo", config, settings, pipeline, 5, flinkConf);
            }
            out.printf(
                    "  flink: %sjob %s submitted to a local MiniCluster; dashboard http://127.0.0.1:%d%n",
                    cmd.sql ? "SQL " : "", job.getJobID(), restPort);
            if (cpu != null) {
                awaitRunningTasks(
                        new FlinkRest("http://127.0.0.1:" + restPort),
                        job.getJobID().toString());
                out.printf("  flink: every task running (%.1f s)%n", (System.nanoTime() - t0) / 1e9);
                warmUp(settings, config, warmUp);
                out.printf(
                        "  warm-up: %d events through the job (%.1f s); sending%n",
                        warmUp.size(), (System.nanoTime() - t0) / 1e9);
                System.gc(); // as before the engine side's timed window
                cpu.start();
            }
            EngineCounters engine = new EngineCounters();
            return cmd.stream(
                    settings,
                    config,
                    stream,
                    t0,
                    tracker,
                    !warmUp.isEmpty(),
                    new DemoCommand.Watch() {
                        @Override
                        public String failure() throws Exception {
                            JobStatus status;
                            try {
                                status = job.getJobStatus().get();
                            } catch (IllegalStateException e) {
                                // The local cluster shuts down once its only job has ended: the
                                // job's result still holds why.
                                return "the Flink job ended: " + cause(job);
                            }
                            return status.isGloballyTerminalState()
                                    ? "the Flink job ended (" + status + "): " + cause(job)
                                    : null;
                        }

                        @Override
                        public void allAccountedFor() {
                            if (cpu != null) {
                                cpu.stop();
                            }
                        }

                        @Override
                        public void polled(int done) {
                            engine.sample();
                        }

                        @Override
                        public List<String> summary() {
                            return engine.summary();
                        }
                    },
                    () -> {
                        try {
                            job.cancel().get(30, TimeUnit.SECONDS);
                        } catch (Exception ignored) {
                            // already finished or failed
                        }
                    });
        }
    }

    /** Sends {@code events} and waits until each is accounted for; their outputs count nowhere else. */
    private void warmUp(KafkaClientSettings settings, JobConfig config, List<DemoSample.Event> events)
            throws InterruptedException {
        if (events.isEmpty()) {
            return;
        }
        OutputTracker tracker = new OutputTracker();
        EventProducer.send(settings, config.requestsTopic, events, tracker, 0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(cmd.timeoutS);
        try (OutputReader reader =
                new OutputReader(settings, config.resultsTopic, config.deadLetterTopic, tracker, null)) {
            while (tracker.done() < events.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "the warm-up events were not all answered within " + cmd.timeoutS + " s");
                }
                reader.poll(Duration.ofMillis(100));
            }
        }
    }

    /** Waits until every vertex of the job reports RUNNING through the REST API (tasks open their operators first). */
    private void awaitRunningTasks(FlinkRest rest, String jobId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(cmd.timeoutS);
        while (System.nanoTime() < deadline) {
            try {
                JsonNode vertices = rest.get("/jobs/" + jobId).path("vertices");
                boolean all = vertices.size() > 0;
                for (JsonNode v : vertices) {
                    all &= "RUNNING".equals(v.path("status").asText());
                }
                if (all) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // the REST endpoint or the job is not up yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the job's tasks were not all running after " + cmd.timeoutS + " s");
    }

    /** Starts the broker with stdout muted: Kafka's storage formatter prints its metadata there. */
    private static EmbeddedKafka startQuietly() {
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            return new EmbeddedKafka().start();
        } finally {
            System.setOut(stdout);
        }
    }

    private static String cause(JobClient job) {
        try {
            job.getJobExecutionResult().get(5, TimeUnit.SECONDS);
            return "finished";
        } catch (Exception e) {
            Throwable t = e;
            while (t.getCause() != null) {
                t = t.getCause();
            }
            return t.toString();
        }
    }
}
