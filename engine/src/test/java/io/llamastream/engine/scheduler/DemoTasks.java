package io.llamastream.engine.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.TextModel;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.weights.WeightFormat;
import java.nio.file.Path;

/** The demo-tasks model's text decoder and golden cases, as the scheduler tests run them. */
final class DemoTasks {
    private static final Path DIR = Fixtures.model("demo-tasks");

    private DemoTasks() {}

    static TextModel model(WeightFormat format) {
        try (Checkpoint ck = Checkpoint.open(DIR)) {
            return TextModel.load(
                    ck, TextModelConfig.read(DIR.resolve("config.json")), -1, ComputePool.shared(), format);
        }
    }

    static JsonNode cases() {
        return Fixtures.json(DIR.resolve("golden.json")).get("cases");
    }
}
