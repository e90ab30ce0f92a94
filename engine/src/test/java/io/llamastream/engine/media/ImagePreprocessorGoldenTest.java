package io.llamastream.engine.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.checkpoint.SafetensorsFile;
import io.llamastream.engine.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ImagePreprocessorGoldenTest {
    static final Path DIR = Fixtures.model("image-processor");

    static Stream<JsonNode> cases() throws Exception {
        JsonNode golden = new ObjectMapper().readTree(DIR.resolve("golden.json").toFile());
        List<JsonNode> out = new ArrayList<>();
        golden.get("cases").forEach(out::add);
        return out.stream();
    }

    private static PreprocessedImage run(JsonNode c) throws Exception {
        RgbImage img = new ImageDecoder()
                .decode(Files.readAllBytes(DIR.resolve(c.get("image").asText())));
        assertEquals(c.get("width").asInt(), img.width());
        assertEquals(c.get("height").asInt(), img.height());
        return new ImagePreprocessor().preprocess(img);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void tileGridAndCountMatchReference(JsonNode c) throws Exception {
        PreprocessedImage p = run(c);
        assertEquals(c.get("aspect_ratios").get(0).get(0).asInt(), p.rows(), "rows");
        assertEquals(c.get("aspect_ratios").get(0).get(1).asInt(), p.cols(), "cols");
        assertEquals(c.get("pixel_values_shape").get(0).asInt(), p.tiles(), "tiles");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void pixelValuesMatchReferenceWithinResizeTolerance(JsonNode c) throws Exception {
        PreprocessedImage p = run(c);
        float[] expected;
        try (SafetensorsFile f = SafetensorsFile.open(DIR.resolve("golden.safetensors"))) {
            expected = f.readFloats(c.get("pixel_values_tensor").asText());
        }
        assertEquals(expected.length, p.pixelValues().length);
        double sum = 0;
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - p.pixelValues()[i]);
            sum += d;
            max = Math.max(max, d);
        }
        double mean = sum / expected.length;
        System.out.printf("%s: mean |diff| %.6f, max %.6f%n", c.get("image").asText(), mean, max);
        assertTrue(mean < 0.01, "mean |diff| " + mean);
        assertTrue(max < 0.15, "max |diff| " + max);
    }
}
