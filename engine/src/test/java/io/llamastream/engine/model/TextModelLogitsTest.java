package io.llamastream.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.SafetensorsFile;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.testing.ReferenceTolerance;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TextModelLogitsTest {

    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource({
        "tiny-scout, config.json",
        "tiny-scout, config.transformers4.json",
        "tiny-scout-sharded, config.json",
        "tiny-maverick, config.json",
    })
    void logitsOfEveryCaseMatchTheReference(String model, String configFile) {
        Path dir = Fixtures.model(model);
        Path goldenDir = model.equals("tiny-scout-sharded") ? Fixtures.model("tiny-scout") : dir;
        TextModelConfig config = TextModelConfig.read(dir.resolve(configFile));
        try (Checkpoint ck = Checkpoint.open(dir);
                SafetensorsFile golden = SafetensorsFile.open(goldenDir.resolve("golden.safetensors"))) {
            TextModel tm = TextModel.load(ck, config, -1, ComputePool.shared());
            JsonNode cases = Fixtures.json(goldenDir.resolve("golden.json")).get("cases");
            assertTrue(cases.size() > 0);
            for (JsonNode c : cases) {
                int[] ids = Fixtures.ints(c.get("input_ids"));
                float[] logits = tm.forward(new Batch().add(tm.newCache(), ids), true);
                float[] expected = golden.readFloats(c.get("logits_tensor").asText());
                assertEquals(expected.length, logits.length, c.get("name").asText());
                ReferenceTolerance.assertClose(
                        expected, logits, model + " " + c.get("name").asText());
            }
        }
    }
}
