package io.llamastream.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.kafka.EventJson;
import io.llamastream.kafka.ResultEvent;
import io.llamastream.operators.TestFixtures.GoldenCase;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code failAfterRecords} makes the inference operator throw once; with checkpointing and a
 * restart strategy the job recovers (in-flight requests restored from the checkpoint and
 * resubmitted, the rest replayed) and the checkpoint-aware collect sink sees every request's
 * result exactly once, with the golden answers.
 */
class InjectedFailureRecoveryTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    @Test
    void jobRecoversFromInjectedFailureWithOneResultPerRequest() throws Exception {
        InferenceOperator.rearmInjectedFailure();
        ObjectMapper json = new ObjectMapper();
        List<RawRequest> inputs = new ArrayList<>();
        Map<String, String> expected = new HashMap<>();
        for (GoldenCase c : TestFixtures.demoTasksCases()) {
            if (c.task().equals("translate") || c.task().equals("classify")) {
                String id = "r-" + c.index();
                expected.put(id, c.expected());
                String event = json.createObjectNode().put("id", id).put("task", c.task()).put("text", c.text())
                        .set("params", c.params()).toString();
                inputs.add(new RawRequest("requests", 0, inputs.size(), null, event.getBytes(StandardCharsets.UTF_8)));
            }
        }
        StreamExecutionEnvironment env = PipelineRun.restartingEnvironment();
        PipelineSettings settings = new PipelineSettings(TestFixtures.model("demo-tasks").toString(), null,
                new BatchingSettings(4, 5, 128), new EngineSettings(0, 64L << 20, 8L << 20, "bf16"),
                InputLimits.defaults(), 0, 12);
        PipelineOutputs out = InferencePipeline.build(
                env.fromData(TypeInformation.of(RawRequest.class), inputs.toArray(RawRequest[]::new)).setParallelism(1),
                settings);
        Map<String, Integer> seen = new HashMap<>();
        Map<String, String> answers = new HashMap<>();
        try (CloseableIterator<String> it = out.results().map(r -> new String(EventJson.write(r),
                StandardCharsets.UTF_8)).executeAndCollect("recovery")) {
            while (it.hasNext()) {
                ResultEvent r = EventJson.readResult(it.next().getBytes(StandardCharsets.UTF_8));
                seen.merge(r.id(), 1, Integer::sum);
                answers.put(r.id(), r.task().equals("classify") ? r.result().get("label").asText() : r.output());
            }
        }
        assertTrue(InferenceOperator.injectedFailureFired(), "the failure was injected");
        assertEquals(expected.keySet(), seen.keySet());
        assertTrue(seen.values().stream().allMatch(n -> n == 1), "duplicates: " + seen);
        assertEquals(expected, answers);
    }
}
