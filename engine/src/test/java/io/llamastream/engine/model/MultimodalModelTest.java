package io.llamastream.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.engine.checkpoint.SafetensorsFile;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.media.UnsupportedModalityException;
import io.llamastream.engine.sampling.SamplingParams;
import io.llamastream.engine.scheduler.InferenceRequest;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.engine.scheduler.Scheduler;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.testing.ReferenceTolerance;
import io.llamastream.engine.vision.VisionEncoder;
import io.llamastream.engine.weights.WeightFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MultimodalModelTest {

    @Test
    void tinyVisionLogitsOfImagePlusTextMatchTheReference() {
        Path dir = Fixtures.model("tiny-vision");
        Llama4Model m = Llama4Model.load(dir);
        VisionEncoder vision = m.visionEncoder();
        try (SafetensorsFile golden = SafetensorsFile.open(dir.resolve("golden.safetensors"))) {
            JsonNode cases = Fixtures.json(dir.resolve("golden.json")).get("cases");
            assertTrue(cases.size() >= 2);
            for (JsonNode c : cases) {
                int tiles = c.get("n_tiles").asInt();
                float[] features = vision.encode(
                        golden.readFloats(c.get("pixel_values_tensor").asText()), tiles);
                float[] rows = vision.project(features, tiles * vision.config().tokensPerTile());
                int[] ids = Fixtures.ints(c.get("input_ids"));
                float[] logits =
                        m.textModel().forward(new Batch().add(m.textModel().newCache(), ids, rows), true);
                float[] expected = golden.readFloats(c.get("logits_tensor").asText());
                ReferenceTolerance.assertClose(expected, logits, "MultimodalModelTest.java");
            }
        }
    }

    /** With bf16 the vision tower runs on the many-row kernels in bf16: the answers must not change. */
    @ParameterizedTest
    @EnumSource(
            value = WeightFormat.class,
            names = {"F32", "BF16"})
    void demoVisionNamesTheShapeInEveryImage(WeightFormat format) throws IOException {
        Path dir = Fixtures.model("demo-vision");
        Llama4Model m = Llama4Model.load(dir, ComputePool.shared(), format);
        JsonNode cases = Fixtures.json(dir.resolve("golden.json")).get("cases");
        assertEquals(24, cases.size());
        for (JsonNode c : cases) {
            MediaPrompt p = new MediaPrompt.Builder(m)
                    .image(Files.readAllBytes(dir.resolve(c.get("image").asText())))
                    .build(null, c.get("question").asText());
            assertArrayEquals(
                    Fixtures.ints(c.get("prompt_ids")), p.ids(), c.get("image").asText());
            InferenceResult g = Scheduler.runAlone(
                    m.textModel(),
                    InferenceRequest.generate(p.ids(), SamplingParams.greedy(16))
                            .withImageRows(p.imageRows()));
            assertArrayEquals(
                    Fixtures.ints(c.get("greedy")), g.tokens(), c.get("image").asText());
            assertEquals(c.get("expected").asText(), m.tokenizer().decode(g.replyTokens()));
        }
    }

    @Test
    void twoImagesInOneRequestAreLaidOutInOrderWithTheirRows() throws IOException {
        Path dir = Fixtures.model("demo-vision");
        Llama4Model m = Llama4Model.load(dir);
        byte[] square = Files.readAllBytes(dir.resolve("img00_336x336.png"));
        byte[] wide = Files.readAllBytes(dir.resolve("img18_640x360.png"));
        MediaPrompt one = new MediaPrompt.Builder(m).image(square).build(null, "q");
        MediaPrompt two = new MediaPrompt.Builder(m).image(square).image(wide).build(null, "q");
        int start = m.tokenizer().tokenId("<|image_start|>");
        int patch = m.tokenizer().tokenId("<|patch|>");
        assertEquals(2, Arrays.stream(two.ids()).filter(t -> t == start).count());
        long patches = Arrays.stream(two.ids()).filter(t -> t == patch).count();
        assertEquals(patches * m.config().hiddenSize(), two.imageRows().length);
        // The first image's rows come first, unchanged by the second image.
        assertArrayEquals(one.imageRows(), Arrays.copyOf(two.imageRows(), one.imageRows().length));
    }

    @Test
    void textOnlyModelRefusesImagesNamingTheModel() {
        Llama4Model m = Llama4Model.load(Fixtures.model("demo-tasks"));
        UnsupportedModalityException e = assertThrows(
                UnsupportedModalityException.class, () -> new MediaPrompt.Builder(m).image(new byte[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("demo-tasks"), e.getMessage());
    }

    @Test
    void textOnlyPromptThroughTheMediaBuilderEqualsTheChatFormat() {
        Llama4Model m = Llama4Model.load(Fixtures.model("demo-tasks"));
        JsonNode c = Fixtures.json(Fixtures.model("demo-tasks").resolve("golden.json"))
                .get("cases")
                .get(20);
        MediaPrompt p = new MediaPrompt.Builder(m).build(null, c.get("user").asText());
        assertArrayEquals(Fixtures.ints(c.get("prompt_ids")), p.ids());
        assertEquals(null, p.imageRows());
    }
}
