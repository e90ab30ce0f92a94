package io.llamastream.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.operators.TestFixtures.GoldenCase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The pipeline's Flink metrics, read back through a metric reporter (as Prometheus would): request
 * and token counters, dead letters by error code, and the latency histograms.
 */
class PipelineMetricsTest {
    static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(1)
            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
            .build());

    static final ObjectMapper JSON = new ObjectMapper();
    static JobID job;
    static final int GOOD = 4;

    /**
     * Runs the job once, from the first test: the extension points the execution environment at
     * its cluster (and so at the reporter) per test, not yet in {@code @BeforeAll}.
     */
    @BeforeEach
    synchronized void runOnce() throws Exception {
        if (job != null) {
            return;
        }
        List<RawRequest> inputs = new ArrayList<>();
        List<GoldenCase> cases = TestFixtures.demoTasksCases();
        for (int i = 0; i < GOOD; i++) {
            GoldenCase c = cases.get(15 + i);
            String e = JSON.createObjectNode()
                    .put("id", "m" + i)
                    .put("task", c.task())
                    .put("text", c.text())
                    .set("params", c.params())
                    .toString();
            inputs.add(new RawRequest("requests", 0, i, null, e.getBytes(StandardCharsets.UTF_8)));
        }
        inputs.add(new RawRequest("requests", 0, 10, null, "{nope".getBytes(StandardCharsets.UTF_8)));
        inputs.add(new RawRequest(
                "requests",
                0,
                11,
                null,
                "{\"id\":\"u\",\"task\":\"summarise\",\"text\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        PipelineOutputs out = InferencePipeline.build(
                env.fromData(TypeInformation.of(RawRequest.class), inputs.toArray(RawRequest[]::new)),
                new PipelineSettings(
                        TestFixtures.model("demo-tasks").toString(),
                        null,
                        BatchingSettings.defaults(),
                        EngineSettings.defaults(),
                        InputLimits.defaults(),
                        0));
        out.results().sinkTo(new DiscardingSink<>());
        out.deadLetters().sinkTo(new DiscardingSink<>());
        job = env.execute("metrics").getJobID();
    }

    /** Every reported metric by its full identifier (names of different operators may repeat). */
    static List<Map.Entry<String, Metric>> reported() {
        List<Map.Entry<String, Metric>> all = new ArrayList<>();
        REPORTER.getMetricsByGroup()
                .forEach((group, metrics) ->
                        metrics.forEach((name, metric) -> all.add(Map.entry(group.getMetricIdentifier(name), metric))));
        return all;
    }

    static long counter(String suffix) {
        return reported().stream()
                .filter(e -> e.getKey().endsWith(suffix) && e.getValue() instanceof Counter)
                .mapToLong(e -> ((Counter) e.getValue()).getCount())
                .sum();
    }

    static Histogram histogram(String suffix) {
        return reported().stream()
                .filter(e -> e.getKey().endsWith(suffix) && e.getValue() instanceof Histogram)
                .map(e -> (Histogram) e.getValue())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no histogram " + suffix));
    }

    @Test
    void everyAnsweredRequestIsCounted() {
        assertEquals(GOOD, counter(".requests"));
    }

    @Test
    void promptAndCompletionTokensAreCounted() {
        assertTrue(counter(".promptTokens") > GOOD * 20, "prompt tokens " + counter(".promptTokens"));
        assertTrue(counter(".completionTokens") >= GOOD, "completion tokens " + counter(".completionTokens"));
    }

    @Test
    void deadLettersAreCountedByErrorCode() {
        assertEquals(1, counter("deadLetters.NOT_JSON"));
        assertEquals(1, counter("deadLetters.UNKNOWN_TASK"));
        assertEquals(0, counter("deadLetters.TEXT_TOO_LONG"));
    }

    @Test
    void latencyHistogramsHoldOneSamplePerRequest() {
        assertEquals(GOOD, histogram(".endToEndMs").getCount());
        assertEquals(GOOD, histogram(".queueMs").getCount());
        assertEquals(GOOD, histogram(".prefillMs").getCount());
    }
}
