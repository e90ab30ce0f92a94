package io.llamastream.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.DType;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.tools.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench's code path end to end on a tiny model: keys, sane values, no timing assertions. */
class BenchRunnerTest {
    static final BenchModel TINY = new BenchModel(64, 4, 4, 2, 16, 4, 64, 512, 7);

    static BenchRunner.Options tiny(Path cache) {
        return new BenchRunner.Options(TINY, cache, 8L << 20, 100_000, 1, 3, 2, new int[] {1, 4, 8}, 24, 96, 10, 0);
    }

    @Test
    void reportsEveryFigureWithSaneValues(@TempDir Path cache) {
        JsonNode r = new BenchRunner(tiny(cache), new ComputePool(2), System.err).run();
        for (String key : List.of(
                "bandwidth_probe_gbps",
                "fma_probe_gflops",
                "prefill_gflops",
                "prefix_cache_hit_s",
                "prefix_cache_miss_s",
                "peak_rss_bytes",
                "weight_bytes")) {
            assertTrue(r.path(key).isNumber(), key + " in " + r);
            assertTrue(r.path(key).asDouble() > 0, key + " = " + r.path(key));
        }
        for (String f : List.of("bf16", "q8", "q4")) {
            JsonNode d = r.path("decode").path(f);
            assertTrue(d.path("tokens_per_s").asDouble() > 0, f + " " + d);
            assertTrue(d.path("weight_gbps").asDouble() > 0, f + " " + d);
        }
        for (String f : List.of("q8", "q4")) {
            JsonNode a = r.path("accuracy").path(f);
            assertTrue(a.path("kl").isNumber() && a.path("kl").asDouble() >= 0, f + " " + a);
            assertTrue(a.path("top1").asDouble() >= 0 && a.path("top1").asDouble() <= 1, f + " " + a);
            assertEquals(64, a.path("positions").asInt());
        }
        assertEquals(List.of("1", "4", "8"), iterableNames(r.path("batch_tokens_per_s")));
        r.path("batch_tokens_per_s").forEach(v -> assertTrue(v.asDouble() > 0));
        // weight_bytes is the largest format loaded: bf16 matrices and embeddings, f32 norms and routers.
        long params = TINY.totalParameters();
        long f32 = 4L * (2 * 64 * 4 + 64 + 4 * 64 * 4);
        long bf16 = 2L * (params - (2 * 64 * 4 + 64 + 4 * 64 * 4));
        assertEquals(bf16 + f32, r.path("weight_bytes").asLong());
        assertTrue(r.path("peak_rss_bytes").asLong() > r.path("weight_bytes").asLong());
        assertTrue(BenchRunner.table((ObjectNode) r).contains("q8 batch 8"));
    }

    static List<String> iterableNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void generatedCheckpointIsALlama4CheckpointAndIsCached(@TempDir Path cache) throws Exception {
        Path dir = TINY.ensure(cache, new ComputePool(2), System.err);
        FileTime written = Files.getLastModifiedTime(dir.resolve("model.safetensors"));
        TextModelConfig c = TextModelConfig.read(dir.resolve("config.json"));
        assertEquals(64, c.hiddenSize());
        assertEquals(4, c.numExperts());
        assertEquals(1, c.expertsPerToken());
        try (Checkpoint ck = Checkpoint.open(dir)) {
            assertEquals(
                    DType.BF16,
                    ck.info("model.layers.0.feed_forward.experts.gate_up_proj").dtype());
            float[] norm = ck.floats("model.norm.weight", 64);
            assertEquals(1f, norm[0]);
            float[] q = ck.floats("model.layers.0.self_attn.q_proj.weight", 64, 64);
            double sq = 0;
            for (float v : q) {
                sq += v * v;
            }
            assertEquals(1 / Math.sqrt(64), Math.sqrt(sq / q.length), 0.02); // std 1/sqrt(fan-in)
        }
        assertEquals(dir, TINY.ensure(cache, new ComputePool(2), System.err));
        assertEquals(written, Files.getLastModifiedTime(dir.resolve("model.safetensors")));
        // Same seed and shape: the same bytes on another generation.
        Path other = Files.createTempDirectory("bench-again");
        Path again = TINY.ensure(other, new ComputePool(1), System.err);
        assertEquals(-1L, Files.mismatch(dir.resolve("model.safetensors"), again.resolve("model.safetensors")));
    }

    @Test
    void activeBytesCountOneRoutedExpertPlusSharedPerLayer() {
        TextModelConfig c = TextModelConfig.read(TINY.ensure(
                        Path.of(System.getProperty("java.io.tmpdir"), "llamastream-bench-test"),
                        new ComputePool(1),
                        System.err)
                .resolve("config.json"));
        long perLayerMatrices = 64L * 64 * 2 + 64L * 32 * 2 + 2 * 3L * 64 * 64;
        long expected = 4 * (perLayerMatrices * 2 + 2 * 64 * 4 + 4 * 64 * 4) + 64 * 4 + 512L * 64 * 2 + 64 * 2;
        assertEquals(expected, BenchRunner.activeWeightBytes(c, WeightFormat.BF16));
    }

    @Test
    void benchIsASubcommandOfTheCli() {
        // An unknown option of a registered subcommand is a usage error (2); an unknown subcommand is too,
        // but only a registered one lists its own options, so check the option is what is rejected.
        StringWriter err = new StringWriter();
        int code =
                new picocli.CommandLine(new Main()).setErr(new PrintWriter(err)).execute("bench", "--no-such-option");
        assertEquals(2, code);
        assertTrue(err.toString().contains("--quick"), err.toString());
    }
}
