package io.llamastream.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.job.JobConfig;
import io.llamastream.job.JobPipeline;
import io.llamastream.job.JobTopology;
import io.llamastream.kafka.KafkaClientSettings;
import io.llamastream.kafka.testkit.KafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job's Kafka wiring on a real in-JVM broker and a MiniCluster, with the test pass-through
 * pipeline: every event of a mixed stream (all tasks, sessions, bad events) comes out exactly once
 * across results + dead letters as read with read_committed, also when a failure is injected
 * mid-stream and the job recovers from its last checkpoint.
 */
class KafkaExactlyOnceTest {

    @RegisterExtension
    static final KafkaBroker kafka = new KafkaBroker();

    static JobConfig config(String prefix, String bootstrap) {
        JobConfig c = new JobConfig();
        c.modelDir = "unused-by-pass-through";
        c.bootstrapServers = bootstrap;
        c.requestsTopic = prefix + ".requests";
        c.resultsTopic = prefix + ".results";
        c.deadLetterTopic = prefix + ".dead-letter";
        c.groupId = prefix;
        c.transactionalIdPrefix = prefix;
        c.partitions = 2;
        c.replicationFactor = 1;
        c.parallelism = 2;
        c.checkpointIntervalMs = 500;
        c.transactionTimeoutMs = 60_000;
        return c.validate();
    }

    /** Starts the job, produces the events at the given rate, reads the outputs until all are accounted for. */
    static OutputTracker run(
            JobConfig config, JobPipeline pipeline, List<DemoSample.Event> events, double perSecond, Duration timeout)
            throws Exception {
        return run(config, pipeline, events, perSecond, timeout, Map.of(), () -> {});
    }

    /** As above, with extra Flink configuration, and {@code whileRunning} called once all outputs are in. */
    static OutputTracker run(
            JobConfig config,
            JobPipeline pipeline,
            List<DemoSample.Event> events,
            double perSecond,
            Duration timeout,
            Map<String, String> flinkConfig,
            ThrowingRunnable whileRunning)
            throws Exception {
        return run(
                config,
                pipeline,
                events,
                timeout,
                flinkConfig,
                whileRunning,
                (settings, tracker) -> EventProducer.send(settings, config.requestsTopic, events, tracker, perSecond));
    }

    /** Sends a test's events to the requests topic, recording each in the tracker. */
    @FunctionalInterface
    interface Producer {
        void send(KafkaClientSettings settings, OutputTracker tracker) throws Exception;
    }

    static OutputTracker run(
            JobConfig config,
            JobPipeline pipeline,
            List<DemoSample.Event> events,
            Duration timeout,
            Map<String, String> flinkConfig,
            ThrowingRunnable whileRunning,
            Producer producer)
            throws Exception {
        KafkaClientSettings settings = config.kafkaSettings();
        JobTopology.ensureTopics(config, settings);
        OutputTracker tracker = new OutputTracker();
        JobClient job = LocalJob.start(config.groupId, config, settings, pipeline, 3, flinkConfig);
        try (OutputReader reader =
                new OutputReader(settings, config.resultsTopic, config.deadLetterTopic, tracker, null)) {
            producer.send(settings, tracker);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (tracker.done() < events.size() && System.nanoTime() < deadline) {
                reader.poll(Duration.ofMillis(200));
                assertTrue(
                        !job.getJobStatus().get().isGloballyTerminalState(),
                        "job ended early: " + job.getJobStatus().get());
            }
            // Keep reading through two more checkpoints: a duplicate committed late would show up here.
            long settle = System.nanoTime() + 3 * config.checkpointIntervalMs * 1_000_000L;
            while (System.nanoTime() < settle) {
                reader.poll(Duration.ofMillis(200));
            }
            whileRunning.run();
        } finally {
            job.cancel().get();
        }
        return tracker;
    }

    /** A step that may throw, run while the job is still up. */
    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    static void assertExactlyOnce(OutputTracker t, int n) {
        assertEquals(List.of(), t.problems(), "problems");
        assertEquals(n, t.total(), "events produced");
        assertEquals(n, t.done(), "events accounted for; missing e.g. " + t.missing(10));
        assertEquals(0, t.duplicates(), "duplicates");
        assertEquals(0, t.unmatched(), "outputs of no event");
    }

    @Test
    void mixedStreamComesOutExactlyOnce() throws Exception {
        JobConfig config = config("mixed", kafka.bootstrapServers());
        DemoSample sample = DemoSample.bundled();
        List<DemoSample.Event> events = sample.cycle(3 * sample.size());
        long badPerPass = sample.cycle(sample.size()).stream()
                .filter(e -> e.expectedError() != null)
                .count();
        OutputTracker t = run(config, new PassThroughPipeline(-1), events, 0, Duration.ofSeconds(60));
        assertExactlyOnce(t, events.size());
        Map<String, OutputTracker.TaskStats> perTask = t.perTask();
        assertTrue(
                perTask.keySet()
                        .containsAll(List.of(
                                "moderate", "translate", "classify", "extract", "summarize", DemoSample.INVALID)),
                perTask.keySet().toString());
        int badEvents = 0;
        for (OutputTracker.TaskStats s : perTask.values()) {
            assertEquals(s.expectedErrors, s.expectedErrorsMatched, "every bad event dead-lettered with its code");
            badEvents += s.expectedErrors;
        }
        assertTrue(badPerPass >= 6, "the sample's bad events: " + badPerPass);
        assertEquals(3 * badPerPass, badEvents, "every bad event of three passes over the sample");
        assertEquals(3 * badPerPass, t.deadLetters());
    }

    @Test
    void injectedFailureRecoversWithoutLossOrDuplicates() throws Exception {
        JobConfig config = config("failover", kafka.bootstrapServers());
        int before = PassThroughPipeline.FAILURES.get();
        List<DemoSample.Event> events = DemoSample.bundled().cycle(280);
        List<DemoSample.Event> first = events.subList(0, 140);
        List<DemoSample.Event> rest = events.subList(140, events.size());
        // The second half goes out only once a checkpoint holds part of the first, so the failure (on the
        // first record after a completed checkpoint) always hits with committed and uncommitted output.
        OutputTracker t = run(
                config,
                new PassThroughPipeline(60),
                events,
                Duration.ofSeconds(90),
                Map.of(),
                () -> {},
                (settings, tracker) -> {
                    long checkpoints = PassThroughPipeline.CHECKPOINTS.get();
                    EventProducer.send(settings, config.requestsTopic, first, tracker, 0);
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (PassThroughPipeline.CHECKPOINTS.get() == checkpoints && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    EventProducer.send(settings, config.requestsTopic, rest, tracker, 0);
                });
        assertTrue(PassThroughPipeline.FAILURES.get() > before, "the injected failure happened");
        assertExactlyOnce(t, 280);
    }
}
