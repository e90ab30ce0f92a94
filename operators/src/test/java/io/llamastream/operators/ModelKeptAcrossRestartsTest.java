package io.llamastream.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.model.ModelRegistry;
import io.llamastream.kafka.ResultEvent;
import io.llamastream.operators.TestFixtures.GoldenCase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TaskManager keeps its model across restarts: a job whose inference task fails once and is
 * restarted (from the last checkpoint) acquires the weights the failed task left in the
 * {@link ModelRegistry} rather than loading them again, and a second job submitted to the same
 * TaskManager reuses them too (here the engine is on the TaskManager's class path, as in a
 * MiniCluster or with the engine in Flink's lib/). The count is read as Flink reports it, through
 * the {@code modelLoads} gauge.
 */
class ModelKeptAcrossRestartsTest {
    static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
            .build());

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;

    static long loadsBefore;
    static long loadsAfterFailover;
    static long loadsAfterSecondJob;
    static boolean failureFired;
    static Map<String, Integer> resultsPerId;

    /**
     * Runs both jobs once, from the first test (the extension binds the environment to its cluster
     * per test). The model is a folder of links to demo-tasks under a new path, so no model kept
     * alive by an earlier test in this JVM can stand in for it.
     */
    @BeforeEach
    synchronized void runOnce() throws Exception {
        if (resultsPerId != null) {
            return;
        }
        Path model = linkedCopy(TestFixtures.model("demo-tasks"), temp.resolve("demo-tasks-restarts"));
        loadsBefore = ModelRegistry.jvm().loads();
        FailOnce.FIRED.set(false);
        FailOnce.SEEN.set(0);
        resultsPerId = run(model, 6);
        failureFired = FailOnce.FIRED.get();
        loadsAfterFailover = reportedModelLoads();
        run(model, -1);
        loadsAfterSecondJob = reportedModelLoads();
    }

    static Map<String, Integer> run(Path model, long failAfter) throws Exception {
        List<RawRequest> inputs = new ArrayList<>();
        for (GoldenCase c : TestFixtures.demoTasksCases()) {
            if (c.task().equals("translate") && inputs.size() < 12) {
                String event = JSON.createObjectNode()
                        .put("id", "r-" + c.index())
                        .put("task", c.task())
                        .put("text", c.text())
                        .set("params", c.params())
                        .toString();
                inputs.add(new RawRequest("requests", 0, inputs.size(), null, event.getBytes(StandardCharsets.UTF_8)));
            }
        }
        StreamExecutionEnvironment env = PipelineRun.restartingEnvironment();
        PipelineSettings settings = new PipelineSettings(
                model.toString(),
                null,
                new BatchingSettings(4, 5, 128),
                new EngineSettings(2, 64L << 20, 8L << 20, "bf16"),
                InputLimits.defaults(),
                0);
        PipelineOutputs out = InferencePipeline.build(
                env.fromData(TypeInformation.of(RawRequest.class), inputs.toArray(RawRequest[]::new))
                        .setParallelism(1),
                settings);
        Map<String, Integer> seen = new HashMap<>();
        try (CloseableIterator<String> it =
                out.results().map(new FailOnce(failAfter)).executeAndCollect("restarts")) {
            it.forEachRemaining(id -> seen.merge(id, 1, Integer::sum));
        }
        assertEquals(inputs.size(), seen.size(), "every request answered: " + seen);
        return seen;
    }

    /**
     * Chained to the inference operator, so it fails the inference task: once the results seen in
     * this JVM pass {@code failAfter} (-1: never), it throws once and the job restarts.
     */
    static final class FailOnce implements MapFunction<ResultEvent, String> {
        static final AtomicBoolean FIRED = new AtomicBoolean();
        static final AtomicLong SEEN = new AtomicLong();
        private final long failAfter;

        FailOnce(long failAfter) {
            this.failAfter = failAfter;
        }

        @Override
        public String map(ResultEvent result) {
            if (failAfter >= 0 && SEEN.incrementAndGet() > failAfter && FIRED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after " + failAfter + " results");
            }
            return result.id();
        }
    }

    /** The {@code modelLoads} gauge of the inference operator, as the metric reporter sees it. */
    @SuppressWarnings("unchecked")
    static long reportedModelLoads() {
        List<Long> values = new ArrayList<>();
        REPORTER.getMetricsByGroup()
                .forEach((group, metrics) -> metrics.forEach((name, metric) -> {
                    if (name.equals("modelLoads")) {
                        values.add(((Gauge<Long>) metric).getValue());
                    }
                }));
        assertFalse(values.isEmpty(), "no modelLoads gauge reported");
        return values.get(values.size() - 1);
    }

    static Path linkedCopy(Path source, Path target) {
        try (Stream<Path> files = Files.list(source)) {
            Files.createDirectories(target);
            for (Path f : files.toList()) {
                Files.createSymbolicLink(target.resolve(f.getFileName()), f.toAbsolutePath());
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void anInjectedTaskFailureRestartsTheJobWithoutReloadingTheModel() {
        assertTrue(failureFired, "the failure was injected");
        assertEquals(loadsBefore + 1, loadsAfterFailover, "model loads across the failover");
    }

    @Test
    void theRestartedJobStillAnswersEveryRequestExactlyOnce() {
        assertTrue(resultsPerId.values().stream().allMatch(n -> n == 1), "duplicates: " + resultsPerId);
    }

    @Test
    void aSecondJobOnTheSameTaskManagerReusesTheModelTheFirstLeft() {
        assertEquals(loadsAfterFailover, loadsAfterSecondJob);
    }
}
