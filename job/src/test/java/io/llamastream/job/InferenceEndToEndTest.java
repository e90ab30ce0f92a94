package io.llamastream.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.kafka.EmbeddedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole job with the real inference pipeline and the demo-tasks model, on a real in-JVM
 * broker and a MiniCluster: every golden case sent as an event comes out with its expected
 * answer; a mixed stream of 210 events with a failure injected mid-stream comes out exactly once.
 */
class InferenceEndToEndTest {

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = new EmbeddedKafka().start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static JobConfig config(String prefix) {
        JobConfig c = KafkaExactlyOnceTest.config(prefix, kafka.bootstrapServers());
        c.modelDir = Fixtures.model("demo-tasks").toString();
        c.checkpointIntervalMs = 1000;
        return c.validate();
    }

    @Test
    void everyGoldenCaseComesOutWithItsExpectedAnswer() throws Exception {
        JsonNode golden = new ObjectMapper().readTree(Fixtures.model("demo-tasks").resolve("golden.json").toFile());
        ObjectMapper json = new ObjectMapper();
        List<DemoSample.Event> events = new ArrayList<>();
        int i = 0;
        for (JsonNode c : golden.get("cases")) {
            ObjectNode ev = json.createObjectNode();
            String id = "golden-" + (i++);
            ev.put("id", id);
            ev.put("task", c.get("task").asText());
            ev.put("text", c.get("text").asText());
            if (c.has("params")) {
                ev.set("params", c.get("params"));
            }
            events.add(new DemoSample.Event(id, c.get("task").asText(), id.getBytes(StandardCharsets.UTF_8),
                    json.writeValueAsBytes(ev), c.get("expected").asText(), null));
        }
        OutputTracker t = KafkaExactlyOnceTest.run(config("golden"), JobPipeline.inference(), events, 0,
                Duration.ofSeconds(120));
        KafkaExactlyOnceTest.assertExactlyOnce(t, 60);
        for (Map.Entry<String, OutputTracker.TaskStats> e : t.perTask().entrySet()) {
            OutputTracker.TaskStats s = e.getValue();
            assertEquals(15, s.ok, e.getKey() + ": results");
            assertEquals(15, s.correct, e.getKey() + ": correct answers");
        }
    }

    @Test
    void mixedStreamWithInjectedFailureComesOutExactlyOnce() throws Exception {
        JobConfig config = config("inference-failover");
        config.failAfterRecords = 80;
        List<DemoSample.Event> events = DemoSample.bundled().cycle(210);
        io.llamastream.operators.InferenceOperator.rearmInjectedFailure();
        OutputTracker t = KafkaExactlyOnceTest.run(config, JobPipeline.inference(), events, 30, Duration.ofSeconds(150));
        assertTrue(io.llamastream.operators.InferenceOperator.injectedFailureFired(), "the injected failure happened");
        KafkaExactlyOnceTest.assertExactlyOnce(t, 210);
        int known = 0;
        int correct = 0;
        for (OutputTracker.TaskStats s : t.perTask().values()) {
            assertEquals(s.expectedErrors, s.expectedErrorsMatched, "bad events dead-lettered with their codes");
            known += s.known;
            correct += s.correct;
        }
        System.out.printf("mixed stream with failure: %d/%d known answers correct%n", correct, known);
        assertEquals(known, correct, "every known answer correct after recovery");
    }

}
