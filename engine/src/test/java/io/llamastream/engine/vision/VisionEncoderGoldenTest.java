package io.llamastream.engine.vision;

import io.llamastream.engine.testing.Fixtures;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.SafetensorsFile;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VisionEncoderGoldenTest {
    static final Path DIR = Fixtures.model("tiny-vision");
    static Checkpoint ckpt;
    static VisionEncoder encoder;
    static SafetensorsFile golden;

    @BeforeAll
    static void load() {
        ckpt = Checkpoint.open(DIR);
        encoder = VisionEncoder.load(ckpt, VisionConfig.read(DIR.resolve("config.json")));
        golden = SafetensorsFile.open(DIR.resolve("golden.safetensors"));
    }

    @AfterAll
    static void close() {
        ckpt.close();
        golden.close();
    }

    @ParameterizedTest
    @CsvSource({"case0, 1", "case1, 3"})
    void adapterOutputMatchesReference(String name, int tiles) {
        float[] features = encoder.encode(golden.readFloats(name + ".pixel_values"), tiles);
        io.llamastream.engine.testing.ReferenceTolerance.assertClose(golden.readFloats(name + ".vision_features"), features, name + " vision_features");
    }

    @ParameterizedTest
    @CsvSource({"case0, 1", "case1, 3"})
    void projectedRowsMatchReference(String name, int tiles) {
        float[] features = golden.readFloats(name + ".vision_features");
        int rows = tiles * encoder.config().tokensPerTile();
        io.llamastream.engine.testing.ReferenceTolerance.assertClose(golden.readFloats(name + ".projected"), encoder.project(features, rows), name + " projected");
    }
}
