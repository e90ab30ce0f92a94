package io.llamastream.engine.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.model.Checkpoint;
import io.llamastream.engine.safetensors.SafetensorsFile;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VisionEncoderGoldenTest {
    static final Path DIR = Fixtures.llama4("tiny-vision");
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

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
        }
        System.out.printf("%s: max |diff| %.3g, max |value| %.3g, relative %.3g%n", what, maxDiff, maxAbs, maxDiff / maxAbs);
        assertTrue(maxDiff <= 1e-4 * maxAbs, what + ": max |diff| " + maxDiff + " > 1e-4 * " + maxAbs);
    }

    @ParameterizedTest
    @CsvSource({"case0, 1", "case1, 3"})
    void adapterOutputMatchesReference(String name, int tiles) {
        float[] features = encoder.encode(golden.readFloats(name + ".pixel_values"), tiles);
        assertClose(golden.readFloats(name + ".vision_features"), features, name + " vision_features");
    }

    @ParameterizedTest
    @CsvSource({"case0, 1", "case1, 3"})
    void projectedRowsMatchReference(String name, int tiles) {
        float[] features = golden.readFloats(name + ".vision_features");
        int rows = tiles * encoder.config().tokensPerTile();
        assertClose(golden.readFloats(name + ".projected"), encoder.project(features, rows), name + " projected");
    }
}
