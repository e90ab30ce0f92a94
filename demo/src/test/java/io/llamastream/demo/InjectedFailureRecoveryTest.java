package io.llamastream.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.kafka.EventJson;
import io.llamastream.kafka.ResultEvent;
import io.llamastream.operators.BatchingSettings;
import io.llamastream.operators.EngineSettings;
import io.llamastream.operators.InputLimits;
import io.llamastream.operators.PipelineOutputs;
import io.llamastream.operators.PipelineSettings;
import io.llamastream.operators.RawRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link InjectedFailure} makes the inference operator throw once; with checkpointing and a
 * restart strategy the job recovers (in-flight requests restored from the checkpoint and
 * resubmitted, the rest replayed) and the checkpoint-aware collect sink sees every request's
 * result exactly once, with the golden answers.
 */
class InjectedFailureRecoveryTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @Test
    void jobRecoversFromInjectedFailureWithOneResultPerRequest() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Path model = Fixtures.model("demo-tasks");
        List<RawRequest> inputs = new ArrayList<>();
        Map<String, String> expected = new HashMap<>();
        int index = 0;
        for (JsonNode c : Fixtures.json(model.resolve("golden.json")).get("cases")) {
            String task = c.get("task").asText();
            String id = "r-" + index++;
            if (task.equals("translate") || task.equals("classify")) {
                expected.put(id, c.get("expected").asText());
                String event = json.createObjectNode()
                        .put("id", id)
                        .put("task", task)
                        .put("text", c.get("text").asText())
                        .set("params", c.get("params"))
                        .toString();
                inputs.add(new RawRequest("requests", 0, inputs.size(), null, event.getBytes(StandardCharsets.UTF_8)));
            }
        }
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(100);
        PipelineSettings settings = new PipelineSettings(
                model.toString(),
                null,
                new BatchingSettings(4, 5, 128),
                new EngineSettings(0, 64L << 20, 8L << 20, "bf16"),
                InputLimits.defaults(),
                0);
        PipelineOutputs out = InjectedFailure.pipeline(12)
                .build(
                        env.fromData(TypeInformation.of(RawRequest.class), inputs.toArray(RawRequest[]::new))
                                .setParallelism(1),
                        settings);
        Map<String, Integer> seen = new HashMap<>();
        Map<String, String> answers = new HashMap<>();
        try (CloseableIterator<String> it = out.results()
                .map(r -> new String(EventJson.write(r), StandardCharsets.UTF_8))
                .executeAndCollect("recovery")) {
            while (it.hasNext()) {
                ResultEvent r = EventJson.readResult(it.next().getBytes(StandardCharsets.UTF_8));
                seen.merge(r.id(), 1, Integer::sum);
                answers.put(
                        r.id(),
                        r.task().equals("classify") ? r.result().get("label").asText() : r.output());
            }
        }
        assertTrue(InjectedFailure.fired(), "the failure was injected");
        assertEquals(expected.keySet(), seen.keySet());
        assertTrue(seen.values().stream().allMatch(n -> n == 1), "duplicates: " + seen);
        assertEquals(expected, answers);
    }
}
