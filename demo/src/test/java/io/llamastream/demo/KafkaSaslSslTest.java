package io.llamastream.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.testing.Fixtures;
import io.llamastream.job.JobConfig;
import io.llamastream.job.JobPipeline;
import io.llamastream.job.LlamastreamJob;
import io.llamastream.kafka.testkit.SecureKafka;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The job against a broker that only speaks SASL_SSL with SCRAM-SHA-512 (TLS from a CA made for
 * the test): its Kafka settings come from a {@code client.properties} file, as the Helm chart
 * mounts it ({@code kafka.propertiesFile}). With the right password every event comes out of the
 * real inference pipeline exactly once; with a wrong one the job refuses to start, naming the
 * authentication failure.
 */
class KafkaSaslSslTest {
    static final String USER = "llamastream";

    @TempDir
    static Path dir;

    static SecureKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = SecureKafka.start(dir.resolve("broker"), USER, "right-" + Long.toHexString(System.nanoTime()));
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    static Path clientProperties(String name, String password) throws IOException {
        Path file = dir.resolve(name);
        try (Writer w = Files.newBufferedWriter(file)) {
            kafka.clientProperties(USER, password).store(w, null);
        }
        return file;
    }

    @Test
    void eventsComeOutExactlyOnceThroughTheSecuredListener() throws Exception {
        JobConfig config = KafkaExactlyOnceTest.config("sasl", kafka.bootstrapServers());
        config.kafkaPropertiesFile =
                clientProperties("client.properties", kafka.password()).toString();
        config.modelDir = Fixtures.model("demo-tasks").toString();
        config.checkpointIntervalMs = 1000;
        config.validate();
        List<DemoSample.Event> events = DemoSample.bundled().cycle(40);
        OutputTracker t = KafkaExactlyOnceTest.run(config, JobPipeline.inference(), events, 0, Duration.ofSeconds(120));
        KafkaExactlyOnceTest.assertExactlyOnce(t, 40);
        assertTrue(t.perTask().values().stream().mapToInt(s -> s.ok).sum() > 0, "some events answered");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aWrongPasswordStopsTheJobAtStartUpWithTheAuthenticationError() throws Exception {
        Path wrong = clientProperties("wrong.properties", "wrong-password");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        int code;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code = new CommandLine(new LlamastreamJob())
                    .execute(
                            "--model",
                            Fixtures.model("demo-tasks").toString(),
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--kafka-properties",
                            wrong.toString(),
                            "--requests-topic",
                            "sasl-wrong.requests",
                            "--results-topic",
                            "sasl-wrong.results",
                            "--dead-letter-topic",
                            "sasl-wrong.dead-letter",
                            "--replication-factor",
                            "1");
        } finally {
            System.setErr(stderr);
        }
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(3, code, message);
        assertTrue(message.contains("llamastream-job: cannot start, Kafka topic check failed"), message);
        assertTrue(message.contains("Authentication failed"), message);
        assertTrue(message.contains(SecureKafka.MECHANISM), message);
    }
}
