package io.llamastream.engine.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.checkpoint.ModelFormatException;
import io.llamastream.engine.checkpoint.gguf.GgmlType;
import io.llamastream.engine.checkpoint.gguf.GgufFile;
import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.Batch;
import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.testing.GgufWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The memory plan is computed from headers alone and agrees with what the loader then builds;
 * a model that cannot fit is refused before any weight is read, with the numbers and the remedy.
 */
class MemoryPlanTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({
        "gguf-tiny/model-Q8_0.gguf, NATIVE",
        "gguf-tiny/model-Q4_K_M.gguf, NATIVE",
        "gguf-tiny/model-Q6_K.gguf, NATIVE",
        "gguf-tiny/model-Q4_0.gguf, NATIVE",
        "gguf-tiny/model-Q4_K_M.gguf, Q8",
        "gguf-tiny/model-Q8_0.gguf, F32",
        "tiny-scout, F32",
        "tiny-scout, BF16",
        "tiny-scout, Q8",
        "tiny-scout, Q4",
        "tiny-maverick, NATIVE",
        "demo-tasks, Q8",
        "demo-tasks, Q4",
        "llama3-tiny, F32",
        "llama3-tiny, BF16",
        "llama3-tiny, Q8",
        "llama3-tiny, Q4",
    })
    void planIsWhatTheLoaderBuilds(String model, WeightFormat format) {
        Path path = fixture(model);
        MemoryPlan plan;
        if (model.endsWith(".gguf")) {
            try (GgufFile f = GgufFile.open(path)) {
                plan = MemoryPlan.of(f, format, 0, 1);
            }
        } else {
            try (Checkpoint ck = Checkpoint.open(path)) {
                plan = MemoryPlan.of(ck, format, 0, 1);
            }
        }
        Llama4Model m = Llama4Model.load(path, ComputePool.shared(), format);
        assertEquals(m.textModel().weightBytes(), plan.weightBytes());
    }

    /**
     * Each compute thread converts experts through its own scratch: bf16 experts into q8/q4 one band
     * of 32 input rows (tiny-scout: 32 x 192 bf16 of gate_up_proj), into bf16 one expert's bf16
     * gate_up_proj slice (64 x 192), into float32 that slice as float32 and a row-major copy of one
     * of its matrices (64 x 192 + 96 x 64 floats).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"Q8, 12288", "Q4, 12288", "BF16, 24576", "F32, 73728"})
    void eachComputeThreadAddsItsExpertConversionScratch(WeightFormat format, long scratch) {
        try (Checkpoint ck = Checkpoint.open(Fixtures.model("tiny-scout"))) {
            long perThread = MemoryPlan.of(ck, format, 0, 3).overheadBytes()
                    - MemoryPlan.of(ck, format, 0, 2).overheadBytes();
            assertEquals((64L << 20) + scratch, perThread);
        }
    }

    /**
     * A model's config.json alone plans exactly what its checkpoint's headers do: every weight array,
     * the KV budget, the overhead and each thread's load scratch, the vision tower included.
     */
    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({
        "tiny-scout, F32",
        "tiny-scout, BF16",
        "tiny-scout, Q8",
        "tiny-scout, Q4",
        "tiny-scout, NATIVE",
        "tiny-scout-sharded, Q4",
        "tiny-maverick, Q8",
        "tiny-guard, Q4",
        "demo-tasks, Q8",
        "demo-tasks, Q4",
        "llama3-tiny, BF16",
        "llama3-tiny, Q4",
        "tiny-vision, F32",
        "tiny-vision, BF16",
        "tiny-vision, Q8",
        "tiny-vision, Q4",
        "demo-vision, Q4",
    })
    void aConfigAlonePlansWhatItsCheckpointDoes(String model, WeightFormat format) {
        Path path = fixture(model);
        MemoryPlan checkpoint;
        try (Checkpoint ck = Checkpoint.open(path)) {
            checkpoint = MemoryPlan.of(ck, format, 1L << 20, 3);
        }
        MemoryPlan config = Llama4Model.memoryPlan(path.resolve("config.json"), format, 1L << 20, 3);
        assertEquals(checkpoint.format(), config.format());
        assertArrayEquals(sorted(checkpoint.arrays()), sorted(config.arrays()));
        assertEquals(checkpoint.weightBytes(), config.weightBytes());
        assertEquals(checkpoint.overheadBytes(), config.overheadBytes());
        assertEquals(checkpoint.totalBytes(), config.totalBytes());
    }

    /** A multimodal model's plan is its text decoder and its vision tower as the loader builds them. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"F32", "BF16", "Q8", "Q4"})
    void aMultimodalPlanIsTheTextDecoderAndTheVisionTowerTheLoaderBuilds(WeightFormat format) {
        Path path = Fixtures.model("tiny-vision");
        MemoryPlan plan = Llama4Model.memoryPlan(path.resolve("config.json"), format, 0, 1);
        Llama4Model m = Llama4Model.load(path, ComputePool.shared(), format);
        assertTrue(m.visionEncoder().weightBytes() > 0);
        assertEquals(m.textModel().weightBytes() + m.visionEncoder().weightBytes(), plan.weightBytes());
    }

    @Test
    void aConfigPlansTheDtypeItNamesAsTheCheckpointsOwnPrecision() throws IOException {
        String config = Files.readString(Fixtures.model("tiny-scout").resolve("config.json"));
        Path bf16 = dir.resolve("bf16.json");
        Path f32 = dir.resolve("f32.json");
        Files.writeString(bf16, config);
        Files.writeString(f32, config.replace("\"bfloat16\"", "\"float32\""));
        assertEquals(
                WeightFormat.BF16,
                Llama4Model.memoryPlan(bf16, WeightFormat.NATIVE, 0, 1).format());
        assertEquals(
                WeightFormat.F32,
                Llama4Model.memoryPlan(f32, WeightFormat.NATIVE, 0, 1).format());
        // float32 experts go through float32 slices even into q4: 64 x 192 + 96 x 64 floats, not a band.
        long perThread = Llama4Model.memoryPlan(f32, WeightFormat.Q4, 0, 2).overheadBytes()
                - Llama4Model.memoryPlan(f32, WeightFormat.Q4, 0, 1).overheadBytes();
        assertEquals((64L << 20) + 73728, perThread);
    }

    @Test
    void underQ4TheRowsOfABlockFormatArePaddedToGroupsOfFourAsTheMatrixStoresThem() {
        List<Long> arrays = new ArrayList<>();
        // 5 rows of 64: stored as 8 rows, 8 x 64 / 2 bytes of nibbles and 8 x 2 float scales.
        MemoryPlan.matrices(arrays, WeightFormat.Q4, 5 * 64, 64, 1);
        assertEquals(List.of(8L * 64 / 2, 8L * 2 * 4), arrays);
        assertEquals(8L * 64 / 2 + 8L * 2 * 4, new Q4Matrix(5, 64).bytes());
    }

    private static Path fixture(String model) {
        return model.startsWith("llama3-") ? Fixtures.llama3(model) : Fixtures.model(model);
    }

    private static long[] sorted(long[] a) {
        long[] s = a.clone();
        Arrays.sort(s);
        return s;
    }

    @Test
    void aScoutSizedFileIsRefusedAtOnceWithTheNumbersAndTheRemedy() throws IOException {
        Path file = scoutQ8ExpertsFile();
        assertTrue(Files.size(file) > 90L << 30, "declares over 90 GiB");
        ModelFormatException e =
                assertThrows(ModelFormatException.class, () -> Llama4Model.load(file, ComputePool.shared()));
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString()), m);
        assertTrue(m.contains("in native (weights 101.3 GiB + KV cache 1.0 GiB + overhead"), m);
        assertTrue(m.contains("Remedy: run with -Xmx"), m);
        assertTrue(m.contains("or load a smaller format: --weight-format q4, run with -Xmx"), m);
    }

    @Test
    void theRefusalCountsG1sRegionsAndNamesTheOptionsThatHoldTheModelInLeastHeap() throws IOException {
        MemoryPlan plan = scoutQ8Experts();
        ModelFormatException e = assertThrows(
                ModelFormatException.class,
                () -> plan.requireFits(dir, 1L << 30, Long.MAX_VALUE, null, HeapRounding.g1(32L << 20)));
        // Each expert's 40 MiB of int8 values takes two 32 MiB regions: 24 MiB more, 2,304 times.
        assertTrue(
                e.getMessage().contains("+ 54.0 GiB of G1 with 32 MiB regions rounding large arrays up)"),
                e.getMessage());
        // ZGC rounds them to 42 MiB and their 5 MiB of scales to 6: 6.75 GiB in all, where G1 cannot do better.
        assertTrue(e.getMessage().contains("Remedy: run with -Xmx109g -XX:+UseZGC on a machine"), e.getMessage());
    }

    @Test
    void underZgcTheSamePlanNeedsThreeMebibytesMorePerExpertMatrix() throws IOException {
        MemoryPlan plan = scoutQ8Experts();
        assertEquals(2304L * (3L << 20), plan.roundingBytes(HeapRounding.z()));
        assertEquals(plan.totalBytes(), plan.heapBytes(HeapRounding.none()));
    }

    @Test
    void arraysUnderHalfARegionNeedNoRemedyButMoreHeapWhenTheRegionsAreSmall() throws IOException {
        // The bench model's experts, 2048 x 2048: 4 MiB of int8 values, 3 regions of 2 MiB each, none of 32 MiB.
        GgufWriter w = new GgufWriter().llama4(2048, 16, 16, 8, 16, 2048, 4096, 2048);
        for (int l = 0; l < 16; l++) {
            w.tensor("blk." + l + ".ffn_gate_exps.weight", GgmlType.Q8_0, 16, 2048, 2048);
            w.tensor("blk." + l + ".ffn_up_exps.weight", GgmlType.Q8_0, 16, 2048, 2048);
            w.tensor("blk." + l + ".ffn_down_exps.weight", GgmlType.Q8_0, 16, 2048, 2048);
        }
        Path file = dir.resolve("bench-experts.gguf");
        w.write(file);
        MemoryPlan plan;
        try (GgufFile f = GgufFile.open(file)) {
            plan = MemoryPlan.of(f, WeightFormat.NATIVE, 0, 1);
        }
        assertEquals(768L * (2L << 20), plan.roundingBytes(HeapRounding.g1(2L << 20)));
        assertEquals(0, plan.roundingBytes(HeapRounding.g1(32L << 20)));
        assertEquals("-Xmx4g -XX:G1HeapRegionSize=32m", plan.remedy(HeapRounding.g1(2L << 20)));
    }

    @Test
    void underQ8AMatrixWhoseRowsAreNotWholeBlocksIsPlannedInBf16AsTheLoaderStoresIt() throws IOException {
        GgufWriter w = new GgufWriter().llama4(64, 1, 4, 4, 1, 64, 64, 64);
        w.tensor("blk.0.attn_q.weight", GgmlType.BF16, 64, 48);
        w.tensor("blk.0.attn_k.weight", GgmlType.BF16, 64, 64);
        Path file = dir.resolve("widths.gguf");
        w.write(file);
        try (GgufFile f = GgufFile.open(file)) {
            // 64 x 48 in bf16 (48 is no whole number of blocks), then 64 x 64 as int8 plus a float per 32.
            assertEquals(
                    2L * 64 * 48 + (64L * 64 + 64L * 64 / 32 * 4),
                    MemoryPlan.of(f, WeightFormat.Q8, 0, 1).weightBytes());
        }
    }

    @Test
    void blockFormatsFallBackToBf16OnlyForWidthsThatAreNotWholeBlocks() {
        assertEquals(WeightFormat.BF16, WeightFormat.Q8.forWidth(48));
        assertEquals(WeightFormat.BF16, WeightFormat.Q4.forWidth(33));
        assertEquals(WeightFormat.Q4, WeightFormat.Q4.forWidth(64));
        assertEquals(WeightFormat.F32, WeightFormat.F32.forWidth(48));
    }

    private MemoryPlan scoutQ8Experts() throws IOException {
        try (GgufFile f = GgufFile.open(scoutQ8ExpertsFile())) {
            return MemoryPlan.of(f, WeightFormat.NATIVE, 0, 1);
        }
    }

    /** Scout's 48 layers of experts in Q8_0 (16 x 8192 x 5120 each, three per layer): ~99 GB declared, none written. */
    private Path scoutQ8ExpertsFile() throws IOException {
        GgufWriter w = new GgufWriter().llama4(5120, 48, 40, 8, 16, 8192, 16384, 202048);
        for (int l = 0; l < 48; l++) {
            w.tensor("blk." + l + ".ffn_gate_exps.weight", GgmlType.Q8_0, 16, 8192, 5120);
            w.tensor("blk." + l + ".ffn_up_exps.weight", GgmlType.Q8_0, 16, 8192, 5120);
            w.tensor("blk." + l + ".ffn_down_exps.weight", GgmlType.Q8_0, 16, 5120, 8192);
        }
        Path file = dir.resolve("scout-q8_0.gguf");
        w.write(file);
        return file;
    }

    /** The KV plan of a command that runs one sequence is exactly what that sequence's cache takes. */
    @ParameterizedTest
    @CsvSource({"1", "17", "64"})
    void theKvPlanOfOneSequenceIsWhatItsCacheHolds(int positions) {
        Llama4Model m = Llama4Model.load(Fixtures.model("tiny-scout"), ComputePool.shared(), WeightFormat.F32);
        KvCache cache = m.textModel().newCache();
        int[] ids = new int[positions];
        for (int i = 0; i < positions; i++) {
            ids[i] = 1 + i % 50;
        }
        m.textModel().forward(new Batch().add(cache, ids), false);
        assertEquals(cache.bytes(), KvCache.bytesFor(m.config(), positions));
    }

    @Test
    void aPlanThatFitsPasses() {
        MemoryPlan p = new MemoryPlan(WeightFormat.Q8, 1L << 30, 1L << 28, 1L << 28);
        p.requireFits(dir, 2L << 30, 4L << 30, null, HeapRounding.g1(2L << 20));
        ModelFormatException e = assertThrows(
                ModelFormatException.class, () -> p.requireFits(dir, 1L << 30, 4L << 30, null, HeapRounding.none()));
        assertTrue(
                e.getMessage()
                        .contains(
                                "needs 1.5 GiB in q8 (weights 1.0 GiB + KV cache 0.3 GiB + overhead 0.3 GiB) but only 1.0 GiB"),
                e.getMessage());
    }
}
