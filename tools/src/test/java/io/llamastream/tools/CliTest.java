package io.llamastream.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.checkpoint.SafetensorsFile;
import io.llamastream.engine.checkpoint.SafetensorsWriter;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.testing.ReferenceTolerance;
import io.llamastream.engine.tokenizer.ChatTemplate;
import io.llamastream.engine.tokenizer.Tokenizer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.jcodec.api.awt.AWTSequenceEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir
    Path tmp;

    /** Runs the CLI in-process, returning exit code, stdout and stderr. */
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void generatePrintsTheExpectedReplyOfEveryDemoTask() {
        JsonNode cases = Fixtures.json(Fixtures.model("demo-tasks").resolve("golden.json"))
                .get("cases");
        for (int i : new int[] {0, 15, 20, 35, 50}) {
            JsonNode c = cases.get(i);
            Run r = run(
                    "generate",
                    "--model",
                    Fixtures.model("demo-tasks").toString(),
                    "--prompt",
                    c.get("user").asText(),
                    "--max-tokens",
                    "64");
            assertEquals(0, r.code(), r.err());
            assertEquals(
                    c.get("expected").asText() + "\n", r.out(), c.get("task").asText());
            assertTrue(r.err().contains("tok/s"), "statistics belong on stderr: " + r.err());
        }
    }

    @Test
    void tokenizePrintsIdsAsAJsonArrayWithoutSpecialTokensAdded() throws Exception {
        JsonNode golden = Fixtures.json(Fixtures.root().resolve("tokenizer/small-bpe-golden.json"))
                .get("cases")
                .get(0);
        Run r = run(
                "tokenize",
                "--tokenizer",
                Fixtures.root().resolve("tokenizer/small-bpe-tokenizer.json").toString(),
                "--text",
                golden.get("text").asText());
        assertEquals(0, r.code(), r.err());
        String expected = Arrays.stream(Fixtures.ints(golden.get("ids")))
                .mapToObj(Integer::toString)
                .collect(Collectors.joining(",", "[", "]"));
        assertEquals(expected + "\n", r.out());
        assertTrue(new ObjectMapper().readTree(r.out()).isArray());
    }

    @Test
    void tokenizeChatRendersTheModelsTemplateFromAFolderWithoutWeights() throws Exception {
        Path llama3 = Fixtures.llama3("llama3-tiny");
        for (String f :
                new String[] {"config.json", "tokenizer.json", "tokenizer_config.json", "chat_template.jinja"}) {
            Files.copy(llama3.resolve(f), tmp.resolve(f));
        }
        for (JsonNode c : Fixtures.json(llama3.resolve("golden.json")).get("chat_cases")) {
            Path chat = tmp.resolve("chat.json");
            Files.writeString(chat, c.get("messages").toString());
            Run r = run(
                    "tokenize",
                    "--model",
                    tmp.toString(),
                    "--chat",
                    chat.toString(),
                    "--date",
                    c.get("date_string").asText());
            assertEquals(0, r.code(), r.err());
            assertEquals(c.get("prompt_ids").toString() + "\n", r.out());
        }
    }

    @Test
    void tokenizeReadsTheVocabularyOfAGgufFile() {
        Path llama3 = Fixtures.llama3("llama3-tiny");
        JsonNode c = Fixtures.json(llama3.resolve("golden.json"))
                .get("tokenizer_cases")
                .get(3);
        Run r = run(
                "tokenize",
                "--model",
                llama3.resolve("model-f32.gguf").toString(),
                "--text",
                c.get("text").asText());
        assertEquals(0, r.code(), r.err());
        assertEquals(c.get("ids").toString() + "\n", r.out());
    }

    @Test
    void generateOnALlama3ModelPromptsThroughItsChatTemplate() {
        Path llama3 = Fixtures.llama3("llama3-tiny");
        Run r = run("generate", "--model", llama3.toString(), "--prompt", "The dog sleeps.", "--max-tokens", "4");
        assertEquals(0, r.code(), r.err());
        int expected = ChatTemplate.forModel(llama3, Tokenizer.fromTokenizerJson(llama3.resolve("tokenizer.json")))
                .orElseThrow()
                .encodeUserPrompt(null, "The dog sleeps.")
                .length;
        assertTrue(r.err().contains("prompt " + expected + " tokens"), r.err());
    }

    @Test
    void logitsWritesEveryPositionsLogitsMatchingTheReference() {
        Path model = Fixtures.model("tiny-scout");
        JsonNode c = Fixtures.json(model.resolve("golden.json")).get("cases").get(1);
        String ids = Arrays.stream(Fixtures.ints(c.get("input_ids")))
                .mapToObj(Integer::toString)
                .collect(Collectors.joining(","));
        Path out = tmp.resolve("logits.safetensors");
        Run r = run("logits", "--model", model.toString(), "--ids", ids, "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile written = SafetensorsFile.open(out);
                SafetensorsFile golden = SafetensorsFile.open(model.resolve("golden.safetensors"))) {
            assertEquals(1, written.tensors().size());
            float[] actual = written.readFloats("logits");
            float[] expected = golden.readFloats(c.get("logits_tensor").asText());
            assertEquals(
                    Arrays.toString(golden.info(c.get("logits_tensor").asText()).shape()),
                    Arrays.toString(written.info("logits").shape()));
            ReferenceTolerance.assertClose(expected, actual, "CliTest.java");
        }
    }

    @Test
    void aMissingModelFolderFailsWithAMessageNamingIt() {
        Run r = run("generate", "--model", tmp.resolve("nope").toString(), "--prompt", "hi");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("nope") && r.err().contains("not found"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void sampledGenerationWithASeedIsReproducible() {
        String model = Fixtures.model("tiny-scout").toString();
        Run a = run(
                "generate",
                "--model",
                model,
                "--prompt",
                "hello",
                "--temperature",
                "0.9",
                "--seed",
                "7",
                "--max-tokens",
                "12");
        Run b = run(
                "generate",
                "--model",
                model,
                "--prompt",
                "hello",
                "--temperature",
                "0.9",
                "--seed",
                "7",
                "--max-tokens",
                "12");
        assertEquals(0, a.code(), a.err());
        assertEquals(a.out(), b.out());
    }

    @Test
    void generateWithAnImagePrintsTheExpectedAnswer() {
        Path dir = Fixtures.model("demo-vision");
        for (JsonNode c : Fixtures.json(dir.resolve("golden.json")).get("cases")) {
            if (!c.get("aspect_ratios").toString().equals("[2,2]")
                    && !c.get("aspect_ratios").toString().equals("[1,2]")) {
                continue;
            }
            Run r = run(
                    "generate",
                    "--model",
                    dir.toString(),
                    "--image",
                    dir.resolve(c.get("image").asText()).toString(),
                    "--prompt",
                    c.get("question").asText());
            assertEquals(0, r.code(), r.err());
            assertEquals(
                    c.get("expected").asText() + "\n", r.out(), c.get("image").asText());
        }
    }

    @Test
    void logitsWithPixelValuesMatchTheMultimodalReference() {
        Path model = Fixtures.model("tiny-vision");
        JsonNode c = Fixtures.json(model.resolve("golden.json")).get("cases").get(1);
        Path pixels = tmp.resolve("pixels.safetensors");
        try (SafetensorsFile golden = SafetensorsFile.open(model.resolve("golden.safetensors"))) {
            String name = c.get("pixel_values_tensor").asText();
            long[] shape = golden.info(name).shape();
            new SafetensorsWriter()
                    .addF32("tiles", shape, golden.readFloats(name))
                    .write(pixels);
            String ids = Arrays.stream(Fixtures.ints(c.get("input_ids")))
                    .mapToObj(Integer::toString)
                    .collect(Collectors.joining(","));
            Path out = tmp.resolve("logits.safetensors");
            Run r = run(
                    "logits",
                    "--model",
                    model.toString(),
                    "--ids",
                    ids,
                    "--pixel-values",
                    pixels.toString(),
                    "--tensor",
                    "tiles",
                    "--out",
                    out.toString());
            assertEquals(0, r.code(), r.err());
            try (SafetensorsFile written = SafetensorsFile.open(out)) {
                float[] actual = written.readFloats("logits");
                float[] expected = golden.readFloats(c.get("logits_tensor").asText());
                ReferenceTolerance.assertClose(expected, actual, "CliTest.java");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void imageToATextOnlyModelFailsNamingTheModel() {
        Path png = Fixtures.model("demo-vision").resolve("img00_336x336.png");
        Run r = run(
                "generate",
                "--model",
                Fixtures.model("demo-tasks").toString(),
                "--image",
                png.toString(),
                "--prompt",
                "hi");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("demo-tasks"), r.err());
    }

    @Test
    void generateWithAnMp4VideoPutsOneSingleTileImagePerSampledFrameInThePrompt() throws Exception {
        Path dir = Fixtures.model("demo-vision");
        Path png = dir.resolve("img00_336x336.png");
        Path mp4 = tmp.resolve("clip.mp4");
        BufferedImage frame = ImageIO.read(png.toFile());
        AWTSequenceEncoder enc = AWTSequenceEncoder.createSequenceEncoder(mp4.toFile(), 4);
        for (int i = 0; i < 8; i++) {
            enc.encodeImage(frame);
        }
        enc.finish();
        Run single = run(
                "generate", "--model", dir.toString(), "--image", png.toString(), "--prompt", "What is in the image?");
        Run video = run(
                "generate", "--model", dir.toString(), "--video", mp4.toString(), "--prompt", "What is in the image?");
        assertEquals(0, video.code(), video.err());
        int singleTokens = promptTokens(single.err());
        // 2 s at the default 1 fps cap: two frames, each <|image_start|><|image|> 144 x <|patch|> <|image_end|>.
        assertEquals(singleTokens + 147, promptTokens(video.err()));
    }

    private static int promptTokens(String stderr) {
        Matcher m = Pattern.compile("prompt (\\d+) tokens").matcher(stderr);
        assertTrue(m.find(), stderr);
        return Integer.parseInt(m.group(1));
    }
}
