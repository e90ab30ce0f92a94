package io.llamastream.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.ModelRegistry;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.job.JobConfig;
import io.llamastream.job.JobPipeline;
import io.llamastream.kafka.testkit.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job with a {@code .gguf} file as its model and no weight format set: every event comes out
 * exactly once, and the model the TaskManager loaded is the file in its own types (the one a
 * native-format lease finds already loaded), not a bf16 conversion of it.
 */
class GgufJobTest {
    @RegisterExtension
    static final KafkaBroker kafka = new KafkaBroker();

    @Test
    void aGgufFileServesTheJobInItsOwnTypesExactlyOnce() throws Exception {
        Path gguf = Fixtures.model("gguf-tiny").resolve("model-Q4_K_M.gguf");
        JobConfig config = KafkaExactlyOnceTest.config("gguf", kafka.bootstrapServers());
        config.modelDir = gguf.toString();
        config.checkpointIntervalMs = 1000;
        config.validate();
        assertNull(config.weightFormat, "no format set: the model's own");

        OutputTracker t = KafkaExactlyOnceTest.run(
                config, JobPipeline.inference(), DemoSample.bundled().cycle(12), 0, Duration.ofSeconds(120));
        KafkaExactlyOnceTest.assertExactlyOnce(t, 12);

        // The registry keeps a released model for its keep-alive: a native lease is served without a load.
        ModelRegistry registry = ModelRegistry.jvm();
        long loads = registry.loads();
        try (ModelRegistry.Lease lease = registry.acquire(
                new ModelRegistry.Key(gguf, WeightFormat.NATIVE, ComputePool.defaultThreads()), 64L << 20)) {
            assertEquals(loads, registry.loads(), "the job loaded the .gguf in its own types");
            assertEquals(WeightFormat.NATIVE, lease.model().textModel().format());
        }
    }
}
