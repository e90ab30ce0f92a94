package io.llamastream.engine.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.vision.VisionConfig;
import io.llamastream.engine.vision.VisionEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The image path against demo-vision's golden prompts: grid choice and the exact token span. */
class DemoVisionPromptTest {
    static final Path DIR = Fixtures.model("demo-vision");
    static final ObjectMapper JSON = new ObjectMapper();

    static Map<String, Integer> addedTokens() throws Exception {
        Map<String, Integer> ids = new HashMap<>();
        JSON.readTree(DIR.resolve("tokenizer.json").toFile())
                .get("added_tokens")
                .forEach(t -> ids.put(t.get("content").asText(), t.get("id").asInt()));
        return ids;
    }

    static Stream<JsonNode> cases() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(DIR.resolve("golden.json").toFile()).get("cases").forEach(out::add);
        return out.stream();
    }

    static int[] imageSpan(JsonNode c, Map<String, Integer> ids) {
        int[] prompt = new int[c.get("prompt_ids").size()];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = c.get("prompt_ids").get(i).asInt();
        }
        int start = -1;
        int end = -1;
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] == ids.get("<|image_start|>") && start < 0) {
                start = i;
            }
            if (prompt[i] == ids.get("<|image_end|>")) {
                end = i;
            }
        }
        assertTrue(start >= 0 && end > start, "no image span in prompt");
        return Arrays.copyOfRange(prompt, start, end + 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void preprocessingChoosesTheReferenceGridAndLayoutMatchesThePrompt(JsonNode c) throws Exception {
        Map<String, Integer> ids = addedTokens();
        PreprocessedImage p = new ImagePreprocessor()
                .preprocess(new ImageDecoder()
                        .decode(Files.readAllBytes(DIR.resolve(c.get("image").asText()))));
        assertEquals(c.get("aspect_ratios").get(0).asInt(), p.rows(), "rows");
        assertEquals(c.get("aspect_ratios").get(1).asInt(), p.cols(), "cols");
        int[] expected = imageSpan(c, ids);
        assertArrayEquals(expected, new ImagePromptLayout(ids::get).expand(p.rows(), p.cols(), 144));
    }

    @Test
    void imageMediaEncoderProducesThePromptSpanAndOneEmbeddingPerPatch() throws Exception {
        Map<String, Integer> ids = addedTokens();
        JsonNode twoByTwo = cases().filter(c -> c.get("aspect_ratios").get(0).asInt() == 2
                        && c.get("aspect_ratios").get(1).asInt() == 2)
                .findFirst()
                .orElseThrow();
        try (Checkpoint ckpt = Checkpoint.open(DIR)) {
            VisionEncoder enc = VisionEncoder.load(ckpt, VisionConfig.read(DIR.resolve("config.json")));
            EncodedMedia m = new ImageMediaEncoder(enc, ids::get)
                    .encode(Files.readAllBytes(DIR.resolve(twoByTwo.get("image").asText())));
            assertArrayEquals(imageSpan(twoByTwo, ids), m.promptTokens());
            assertEquals(5 * 144, m.rows());
            assertEquals(128, m.textHidden());
            assertEquals((int) ids.get("<|patch|>"), m.placeholderTokenId());
        }
    }
}
