package io.llamastream.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.cluster.Checkout;
import io.llamastream.cluster.FlinkRest;
import io.llamastream.cluster.KafkaBrokerProcess;
import io.llamastream.cluster.StandaloneCluster;
import io.llamastream.cluster.TaskManagerProcess;
import io.llamastream.job.JobConfig;
import io.llamastream.job.JobTopology;
import io.llamastream.job.LlamastreamJob;
import io.llamastream.kafka.KafkaClientSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The production path under a crash: the production jar, submitted through the REST API to a standalone
 * cluster of a JobManager and two TaskManager processes, with Kafka as a process of its own. One
 * TaskManager is {@code kill -9}ed mid-stream and replaced; the outputs read back with read_committed
 * must hold every event exactly once, and the known answers of the demo model must all be right.
 */
class TaskManagerKillIT {

    @Test
    void aTaskManagerKilledMidStreamLosesAndDuplicatesNothing() throws Exception {
        // Under target/, not a temporary directory: the processes' logs stay for a failed run.
        Path work = Files.createDirectories(Path.of("target", "it-work")).toAbsolutePath();
        work = Files.createTempDirectory(work, "task-manager-kill-");
        DemoSample sample = DemoSample.bundled();
        List<DemoSample.Event> events = sample.cycle(sample.size());
        try (KafkaBrokerProcess kafka = KafkaBrokerProcess.start(work.resolve("kafka"));
                StandaloneCluster cluster = StandaloneCluster.builder(work.resolve("flink"))
                        .libJar(JobJars.ofCheckout().engine())
                        .taskManagers(2)
                        .config("execution.checkpointing.interval", "1000ms")
                        .start()) {
            JobConfig config = ClusterDemo.jobConfig(
                    Checkout.root().resolve("models").resolve("demo-tasks"), kafka.bootstrapServers(), 2, 1000);
            KafkaClientSettings settings = config.kafkaSettings();
            JobTopology.ensureTopics(config, settings);

            FlinkRest rest = cluster.rest();
            String jobId = rest.runJar(
                    rest.uploadJar(JobJars.ofCheckout().job()),
                    LlamastreamJob.class.getName(),
                    ClusterDemo.jobArgs(config),
                    2);
            OutputTracker tracker = new OutputTracker();
            CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
                try {
                    EventProducer.send(settings, config.requestsTopic, events, tracker, 4);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Path dump = work.resolve("dump");
            int doneAtKill;
            try (OutputReader reader =
                    new OutputReader(settings, config.resultsTopic, config.deadLetterTopic, tracker, dump)) {
                readUntil(reader, tracker, 15, rest, jobId);
                doneAtKill = tracker.done();
                TaskManagerProcess victim = cluster.taskManagers().get(0);
                cluster.kill(victim);
                assertFalse(victim.process().isAlive());
                cluster.startTaskManager();

                readUntil(reader, tracker, events.size(), rest, jobId);
                producing.get();
                // The survivor restarted its task with the model it held; only the replacement loaded one.
                String survivor = cluster.taskManagers().get(0).resourceId();
                String replacement = cluster.taskManagers().get(1).resourceId();
                assertEquals(
                        Map.of(survivor, 1.0, replacement, 1.0),
                        SessionClusterResubmitIT.modelLoads(rest, jobId, Set.of(survivor, replacement)),
                        "model loads per TaskManager after the failover");
                long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (System.nanoTime() < settle) {
                    reader.poll(Duration.ofMillis(200));
                }
            } finally {
                rest.cancel(jobId);
            }

            assertTrue(doneAtKill < events.size(), "the kill came after every output: " + doneAtKill);
            assertTrue(rest.restarts(jobId) >= 1, "the job never restarted after the kill");
            KafkaExactlyOnceTest.assertExactlyOnce(tracker, events.size());
            assertEquals(
                    events.size(),
                    Files.readAllLines(dump.resolve("results.jsonl")).size()
                            + Files.readAllLines(dump.resolve("dead-letter.jsonl"))
                                    .size(),
                    "records read with read_committed");
            int known = 0;
            for (OutputTracker.TaskStats s : tracker.perTask().values()) {
                assertEquals(s.known, s.correct, "known answers correct");
                assertEquals(s.expectedErrors, s.expectedErrorsMatched, "bad events dead-lettered with their code");
                known += s.known;
            }
            assertTrue(known >= 50, "known answers checked: " + known);
        }
        ClusterDemo.deleteTree(work);
    }

    private static void readUntil(OutputReader reader, OutputTracker tracker, int done, FlinkRest rest, String jobId) {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        long nextCheck = 0;
        while (tracker.done() < done) {
            reader.poll(Duration.ofMillis(200));
            if (System.nanoTime() > nextCheck) {
                String state = rest.jobState(jobId);
                assertFalse(
                        List.of("FAILED", "CANCELED", "FINISHED").contains(state),
                        "job " + state + ": " + rest.latestException(jobId));
                nextCheck = System.nanoTime() + 1_000_000_000L;
            }
            assertTrue(
                    System.nanoTime() < deadline,
                    () -> "only " + tracker.done() + " of " + done
                            + " outputs; missing e.g. " + tracker.missing(5) + "; job " + rest.jobState(jobId)
                            + ", last failure: "
                            + rest.latestException(jobId));
        }
    }
}
