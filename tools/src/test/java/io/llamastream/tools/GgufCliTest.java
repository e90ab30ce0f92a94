package io.llamastream.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.checkpoint.SafetensorsFile;
import io.llamastream.engine.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands take a {@code .gguf} as the model, a weight format and a thread count. */
class GgufCliTest {
    private static final Path DIR = Fixtures.model("gguf-tiny");

    @TempDir
    Path tmp;

    private static String csv(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    @Test
    void logitsOfAGgufFileMatchItsReference() {
        JsonNode file = Fixtures.json(DIR.resolve("golden.json")).get("files").get(0);
        assertEquals("model-Q8_0.gguf", file.get("file").asText());
        JsonNode c = file.get("cases").get(2);
        Path out = tmp.resolve("logits.safetensors");
        CliTest.Run r = CliTest.run(
                "logits",
                "--model",
                DIR.resolve("model-Q8_0.gguf").toString(),
                "--threads",
                "1",
                "--ids",
                csv(Fixtures.ints(c.get("input_ids"))),
                "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile written = SafetensorsFile.open(out);
                SafetensorsFile golden = SafetensorsFile.open(DIR.resolve("golden.safetensors"))) {
            float[] actual = written.readFloats("logits");
            float[] expected = golden.readFloats(c.get("logits_tensor").asText());
            float maxAbs = 0;
            float maxDiff = 0;
            for (int i = 0; i < expected.length; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(expected[i]));
                maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
            }
            assertTrue(maxDiff <= 1e-3f * maxAbs, maxDiff + " vs " + maxAbs);
        }
    }

    @Test
    void tokenizeUsesTheTokenizerInsideTheGguf() {
        JsonNode c = Fixtures.json(Fixtures.root().resolve("tokenizer/small-bpe-golden.json"))
                .get("cases")
                .get(0);
        CliTest.Run r = CliTest.run(
                "tokenize",
                "--model",
                DIR.resolve("model-Q4_K_M.gguf").toString(),
                "--text",
                c.get("text").asText());
        assertEquals(0, r.code(), r.err());
        assertEquals("[" + csv(Fixtures.ints(c.get("ids"))) + "]", r.out().trim());
    }

    @Test
    void generateRequantizesAGgufWhenAskedAndReportsTheFormat() {
        CliTest.Run r = CliTest.run(
                "generate",
                "--model",
                DIR.resolve("model-Q6_K.gguf").toString(),
                "--weight-format",
                "q8",
                "--threads",
                "2",
                "--prompt",
                "hello",
                "--max-tokens",
                "4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("model model-Q6_K loaded"), r.err());
    }

    @Test
    void anUnknownWeightFormatIsRefusedNamingIt() {
        CliTest.Run r = CliTest.run(
                "generate",
                "--model",
                DIR.resolve("model-Q6_K.gguf").toString(),
                "--weight-format",
                "q3",
                "--prompt",
                "hello");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("'q3'"), r.err());
    }

    @Test
    void theMemoryPlanReservesTheGivenKvBudgetAndRefusesOneThatCannotFit() {
        CliTest.Run r = CliTest.run(
                "generate",
                "--model",
                DIR.resolve("model-Q8_0.gguf").toString(),
                "--kv-budget",
                "100000g",
                "--prompt",
                "hello");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("KV cache 100000.0 GiB"), r.err());
    }

    @Test
    void aKvBudgetThatIsNotAByteCountIsRefusedNamingIt() {
        CliTest.Run r = CliTest.run(
                "logits",
                "--model",
                DIR.resolve("model-Q8_0.gguf").toString(),
                "--kv-budget",
                "lots",
                "--ids",
                "1,2",
                "--out",
                tmp.resolve("x.safetensors").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--kv-budget 'lots'"), r.err());
    }

    @Test
    void byteCountsTakeBinaryUnits() {
        assertEquals(512L << 20, ModelOption.parseBytes("512m"));
        assertEquals(4L << 30, ModelOption.parseBytes("4G"));
        assertEquals(3L << 10, ModelOption.parseBytes("3k"));
        assertEquals(1000L, ModelOption.parseBytes("1000"));
    }

    @Test
    void benchMeasuresAGgufLikeLlamaBenchAndWritesJson() throws IOException {
        Path json = tmp.resolve("bench.json");
        CliTest.Run r = CliTest.run(
                "bench",
                "--model",
                DIR.resolve("model-Q4_K_M.gguf").toString(),
                "--prompt",
                "16",
                "--gen",
                "4",
                "--runs",
                "2",
                "--json",
                json.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertEquals("native", j.get("format").asText());
        assertEquals(16, j.get("pp16").get("tokens").asInt());
        assertEquals(2, j.get("tg4").get("runs").asInt());
        assertTrue(
                j.get("pp16").get("tok_per_s").asDouble() > 0 && j.get("load_s").asDouble() > 0, j.toString());
        // The file's Q8_0 tensors are repacked after the load returns: full speed is reported, not before it.
        assertTrue(j.get("full_speed_s").asDouble() >= j.get("load_s").asDouble(), j.toString());
        assertTrue(r.err().contains("at full speed"), r.err());
        assertTrue(r.out().contains("| pp16"), r.out());
        // Kernel speed depends on the JDK, so the report names the one it ran on.
        assertEquals(
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                j.get("java").asText());
    }

    @Test
    void benchWithABatchReportsTheAggregateDecodeRateAndItsRatioToOneSequence() throws IOException {
        Path json = tmp.resolve("bench-batch.json");
        CliTest.Run r = CliTest.run(
                "bench",
                "--model",
                DIR.resolve("model-Q8_0.gguf").toString(),
                "--prompt",
                "8",
                "--gen",
                "3",
                "--runs",
                "1",
                "--batch",
                "5",
                "--json",
                json.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode b = new ObjectMapper().readTree(json.toFile()).get("tg3x5");
        assertEquals(5, b.get("batch").asInt());
        assertEquals(15, b.get("tokens").asInt());
        assertTrue(b.get("tok_per_s").asDouble() > 0 && b.get("ratio_to_tg").asDouble() > 0, b.toString());
        assertTrue(r.out().contains("| tg3x5"), r.out());
        assertTrue(new ObjectMapper()
                        .readTree(json.toFile())
                        .get("pp8")
                        .get("fraction_of_fma_probe")
                        .asDouble()
                > 0);
    }
}
