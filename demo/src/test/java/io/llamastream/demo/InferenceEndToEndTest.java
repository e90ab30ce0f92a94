package io.llamastream.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.job.JobConfig;
import io.llamastream.job.JobPipeline;
import io.llamastream.job.PrometheusReporterConfig;
import io.llamastream.kafka.testkit.KafkaBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole job with the real inference pipeline and the demo-tasks model, on a real in-JVM
 * broker and a MiniCluster: every golden case sent as an event comes out with its expected
 * answer; a mixed stream of 210 events with a failure injected mid-stream comes out exactly once.
 */
class InferenceEndToEndTest {

    @RegisterExtension
    static final KafkaBroker kafka = new KafkaBroker();

    private static JobConfig config(String prefix) {
        JobConfig c = KafkaExactlyOnceTest.config(prefix, kafka.bootstrapServers());
        c.modelDir = Fixtures.model("demo-tasks").toString();
        c.checkpointIntervalMs = 1000;
        return c.validate();
    }

    @Test
    void everyGoldenCaseComesOutWithItsExpectedAnswer() throws Exception {
        JsonNode golden = new ObjectMapper()
                .readTree(Fixtures.model("demo-tasks").resolve("golden.json").toFile());
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
            events.add(new DemoSample.Event(
                    id,
                    c.get("task").asText(),
                    id.getBytes(StandardCharsets.UTF_8),
                    json.writeValueAsBytes(ev),
                    c.get("expected").asText(),
                    null));
        }
        OutputTracker t =
                KafkaExactlyOnceTest.run(config("golden"), JobPipeline.inference(), events, 0, Duration.ofSeconds(120));
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
        List<DemoSample.Event> events = DemoSample.bundled().cycle(210);
        OutputTracker t =
                KafkaExactlyOnceTest.run(config, InjectedFailure.pipeline(80), events, 30, Duration.ofSeconds(150));
        assertTrue(InjectedFailure.fired(), "the injected failure happened");
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

    @Test
    void prometheusReporterServesTheInferenceMetricsWhenConfigured() throws Exception {
        JobConfig config = config("inference-prometheus");
        List<DemoSample.Event> events = DemoSample.bundled().cycle(12);
        String[] scraped = new String[1];
        OutputTracker t = KafkaExactlyOnceTest.run(
                config,
                JobPipeline.inference(),
                events,
                0,
                Duration.ofSeconds(120),
                PrometheusReporterConfig.entries("19249-19269"),
                () -> scraped[0] = scrapeFirstOpenPort(19249, 19269));
        KafkaExactlyOnceTest.assertExactlyOnce(t, events.size());
        assertTrue(scraped[0] != null, "no Prometheus endpoint answered on 19249-19269");
        long answered = events.stream().filter(e -> e.expectedError() == null).count();
        Matcher m = Pattern.compile("(?m)^flink_taskmanager_job_task_operator_requests\\{[^}]*\\} ([0-9.E]+)$")
                .matcher(scraped[0]);
        double requests = 0;
        while (m.find()) {
            requests += Double.parseDouble(m.group(1));
        }
        assertEquals(answered, (long) requests, "requests counted across the inference subtasks");
        assertTrue(scraped[0].contains("flink_taskmanager_job_task_operator_endToEndMs"), "latency histogram exported");
        assertTrue(
                scraped[0].contains("flink_taskmanager_job_task_operator_deadLetters_UNKNOWN_TASK"),
                "dead letters by code exported");
    }

    private static String scrapeFirstOpenPort(int from, int to) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int port = from; port <= to; port++) {
            try {
                var response = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("operator_requests")) {
                    return response.body();
                }
            } catch (IOException closed) {
                // nothing listening on this port of the range
            }
        }
        return null;
    }
}
