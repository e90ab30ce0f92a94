package io.llamastream.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class JobConfigTest {

    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path f = dir.resolve("llamastream.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    /** The file the Helm chart renders, key for key. */
    static final String HELM_LIKE = """
            model:
              dir: "/models/demo-tasks"
            kafka:
              bootstrapServers: "kafka:9092"
              propertiesFile: "/etc/llamastream/kafka/client.properties"
            topics:
              requests: "in"
              results: "out"
              deadLetter: "dlq"
              partitions: 6
            tasksFile: "/opt/llamastream/conf/tasks.yaml"
            batching:
              maxBatchSize: 16
              maxWaitMs: 7
              tokenBudget: 1024
            engine:
              threads: 3
              kvCacheBytes: 2147483648
              weightFormat: "q8"
            checkpoint:
              intervalMs: 15000
            """;

    @Test
    void readsEveryNestedKey() throws Exception {
        JobConfig c = JobConfig.load(write(HELM_LIKE + "parallelism: 4\n"));
        assertEquals("/models/demo-tasks", c.modelDir);
        assertEquals("kafka:9092", c.bootstrapServers);
        assertEquals("/etc/llamastream/kafka/client.properties", c.kafkaPropertiesFile);
        assertEquals("in", c.requestsTopic);
        assertEquals("out", c.resultsTopic);
        assertEquals("dlq", c.deadLetterTopic);
        assertEquals(6, c.partitions);
        assertEquals("/opt/llamastream/conf/tasks.yaml", c.tasksFile);
        assertEquals(16, c.maxBatchSize);
        assertEquals(7, c.maxWaitMs);
        assertEquals(1024, c.tokenBudget);
        assertEquals(3, c.engineThreads);
        assertEquals(2147483648L, c.kvCacheBytes);
        assertEquals("q8", c.weightFormat);
        assertEquals(15000, c.checkpointIntervalMs);
        assertEquals(4, c.parallelism);
        var p = c.validate().pipelineSettings();
        assertEquals(16, p.batching().maxBatchSize());
        assertEquals("q8", p.engine().weightFormat());
    }

    @Test
    void aRefusedStartThrowsItsReasonOutOfMainInsteadOfExitingTheJvm() {
        JobNotStartedException e = assertThrows(
                JobNotStartedException.class,
                () -> LlamastreamJob.main(new String[] {"--config", "/no/such/llamastream.yaml"}));
        assertEquals(2, e.exitCode());
        assertEquals("llamastream-job: config file /no/such/llamastream.yaml does not exist", e.getMessage());
    }

    @Test
    void anInvalidCommandLineThrowsOutOfMain() {
        JobNotStartedException e =
                assertThrows(JobNotStartedException.class, () -> LlamastreamJob.main(new String[] {"--no-such-flag"}));
        assertEquals(2, e.exitCode());
    }

    @Test
    void flagsOverrideTheFile() throws Exception {
        LlamastreamJob job = new LlamastreamJob();
        new CommandLine(job)
                .parseArgs(
                        "--config",
                        write(HELM_LIKE).toString(),
                        "--model",
                        "/other",
                        "--bootstrap-servers",
                        "b:1",
                        "--requests-topic",
                        "r2",
                        "--parallelism",
                        "2",
                        "--checkpoint-interval-ms",
                        "5000",
                        "--checkpoint-dir",
                        "file:///tmp/cp",
                        "--tasks-file",
                        "t.yaml");
        JobConfig c = job.resolve();
        assertEquals("/other", c.modelDir);
        assertEquals("b:1", c.bootstrapServers);
        assertEquals("r2", c.requestsTopic);
        assertEquals("out", c.resultsTopic);
        assertEquals(2, c.parallelism);
        assertEquals(5000, c.checkpointIntervalMs);
        assertEquals("file:///tmp/cp", c.checkpointDir);
        assertEquals("t.yaml", c.tasksFile);
    }

    @Test
    void theWeightFormatIsUnsetUnlessGivenAndMayBeNative() throws Exception {
        JobConfig unset = JobConfig.load(write(HELM_LIKE.replace("  weightFormat: \"q8\"\n", "")));
        assertNull(unset.weightFormat);
        assertNull(unset.validate().pipelineSettings().engine().weightFormat());
        JobConfig nativeTypes = JobConfig.load(write(HELM_LIKE.replace("\"q8\"", "native")));
        assertEquals(
                "native", nativeTypes.validate().pipelineSettings().engine().weightFormat());
    }

    @Test
    void rejectsUnknownKeysAndBadValues() throws Exception {
        var e = assertThrows(
                IllegalArgumentException.class, () -> JobConfig.load(write("kafka:\n  bootstrapServer: x\n")));
        assertTrue(e.getMessage().contains("kafka.bootstrapServer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> JobConfig.load(write("topics:\n  partitions: many\n")));
        assertTrue(e.getMessage().contains("topics.partitions"), e.getMessage());
        JobConfig c = JobConfig.load(write("engine:\n  weightFormat: fp8\ncheckpoint:\n  intervalMs: 0\n"));
        e = assertThrows(IllegalArgumentException.class, c::validate);
        assertTrue(e.getMessage().contains("model.dir"), e.getMessage());
        assertTrue(e.getMessage().contains("bootstrapServers"), e.getMessage());
        assertTrue(e.getMessage().contains("weightFormat"), e.getMessage());
        assertTrue(e.getMessage().contains("checkpoint.intervalMs"), e.getMessage());
    }

    @Test
    void transactionTimeoutAboveFifteenMinutesIsRejected() throws Exception {
        JobConfig c = JobConfig.load(write(HELM_LIKE));
        assertNull(c.checkpointDir);
        c.transactionTimeoutMs = 3_600_000;
        c.kafkaPropertiesFile = null;
        var e = assertThrows(IllegalArgumentException.class, c::kafkaSettings);
        assertTrue(e.getMessage().contains("15 min"), e.getMessage());
    }
}
