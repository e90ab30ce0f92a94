package io.llamastream.engine.vision;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.SafetensorsFile;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.testing.ReferenceTolerance;
import io.llamastream.engine.weights.WeightFormat;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VisionEncoderGoldenTest {
    static final Path DIR = Fixtures.model("tiny-vision");
    static Checkpoint ckpt;
    static VisionEncoder encoder;
    static VisionEncoder bf16;
    static SafetensorsFile golden;

    @BeforeAll
    static void load() {
        ckpt = Checkpoint.open(DIR);
        encoder = VisionEncoder.load(ckpt, VisionConfig.read(DIR.resolve("config.json")));
        bf16 = VisionEncoder.load(
                ckpt, VisionConfig.read(DIR.resolve("config.json")), ComputePool.shared(), WeightFormat.BF16);
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
        ReferenceTolerance.assertClose(
                golden.readFloats(name + ".vision_features"), features, name + " vision_features");
    }

    /** bf16 matrices on the shared many-row kernels: within 1e-3 of the largest reference value. */
    @ParameterizedTest
    @CsvSource({"case0, 1", "case1, 3"})
    void bf16MatricesKeepTheAdapterOutputWithin1e3(String name, int tiles) {
        float[] expected = golden.readFloats(name + ".vision_features");
        float[] features = bf16.encode(golden.readFloats(name + ".pixel_values"), tiles);
        float maxAbs = 0;
        float maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - features[i]));
        }
        assertTrue(maxDiff <= 1e-3f * maxAbs, name + ": max |diff| " + maxDiff + " vs max |ref| " + maxAbs);
        float[] projected = bf16.project(expected, tiles * bf16.config().tokensPerTile());
        ReferenceTolerance.assertClose(golden.readFloats(name + ".projected"), projected, name + " projected (bf16)");
    }

    @ParameterizedTest
    @CsvSource({"case0, 1", "case1, 3"})
    void projectedRowsMatchReference(String name, int tiles) {
        float[] features = golden.readFloats(name + ".vision_features");
        int rows = tiles * encoder.config().tokensPerTile();
        ReferenceTolerance.assertClose(
                golden.readFloats(name + ".projected"), encoder.project(features, rows), name + " projected");
    }
}
