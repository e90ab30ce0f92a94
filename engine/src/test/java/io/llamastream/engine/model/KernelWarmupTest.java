package io.llamastream.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.sampling.SamplingParams;
import io.llamastream.engine.scheduler.InferenceRequest;
import io.llamastream.engine.scheduler.Scheduler;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.testing.LaneSumOrder;
import io.llamastream.engine.weights.KernelPathRuns;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.engine.weights.WeightMatrix;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The warm-up a model gets before it serves: it runs every kernel path of every kind of matrix the
 * model holds, as many passes as its budget allows, and leaves the model exactly as it found it.
 */
class KernelWarmupTest {
    static final Path TINY = Fixtures.model("tiny-scout");
    static final KernelWarmup THREE_PASSES = new KernelWarmup(3, 3, Duration.ofMinutes(10));

    final ComputePool pool = new ComputePool(2);

    @AfterEach
    void closePool() {
        pool.close();
    }

    /**
     * The text model once its GGUF Q8_0 matrices are repacked: a warm-up that ran while some were
     * swapped would group them under two kinds, and the counts here under one.
     */
    static TextModel repacked(Llama4Model model) {
        model.repacked().join();
        return model.textModel();
    }

    /** The model's matrices by kernel kind and column count, as the warm-up groups them. */
    static Map<String, List<WeightMatrix>> kinds(List<WeightMatrix> matrices) {
        return matrices.stream()
                .collect(Collectors.groupingBy(
                        m -> m.kernelKind() + " x" + m.cols(), LinkedHashMap::new, Collectors.toList()));
    }

    /** Multiplies of path {@code path} over every matrix of a kind. */
    static long runs(List<WeightMatrix> kind, int path) {
        return kind.stream().mapToLong(m -> KernelPathRuns.runs(m, path)).sum();
    }

    /** Each kind of matrix ran each kernel path three times, once per pass, in all its matrices together. */
    static void assertEveryPathRanThrice(List<WeightMatrix> matrices) {
        for (Map.Entry<String, List<WeightMatrix>> kind : kinds(matrices).entrySet()) {
            for (int path = 0; path < KernelPathRuns.PATHS; path++) {
                assertEquals(3, runs(kind.getValue(), path), kind.getKey() + " path " + path);
            }
        }
    }

    @ParameterizedTest(name = "{0} as {1}")
    @CsvSource({
        "tiny-scout, F32",
        "tiny-scout, BF16",
        "tiny-scout, Q8",
        "tiny-scout, Q4",
        "gguf-tiny/model-Q4_K_M.gguf, NATIVE",
        "gguf-tiny/model-Q6_K.gguf, NATIVE"
    })
    void everyKernelPathOfEveryMatrixKindRunsOncePerPass(String model, WeightFormat format) {
        TextModel tm = repacked(Llama4Model.load(Fixtures.model(model), pool, format));
        KernelWarmup.Report report = THREE_PASSES.run(tm);
        assertEquals(3, report.passes());
        assertEquals(kinds(tm.matrices()).size(), report.matrixKinds().size(), report.toString());
        assertEveryPathRanThrice(tm.matrices());
    }

    @Test
    void aQ4KMixHasSeveralMatrixKindsAndEveryOneIsWarmed() {
        TextModel tm =
                repacked(Llama4Model.load(Fixtures.model("gguf-tiny/model-Q4_K_M.gguf"), pool, WeightFormat.NATIVE));
        List<String> kinds = THREE_PASSES.run(tm).matrixKinds();
        assertTrue(kinds.stream().anyMatch(k -> k.startsWith("Q4Matrix (Q4_K mins)")), kinds.toString());
        assertTrue(kinds.stream().anyMatch(k -> k.startsWith("Q8Matrix (Q6_K")), kinds.toString());
        assertTrue(kinds.stream().anyMatch(k -> k.startsWith("F32Matrix")), "the router: " + kinds);
    }

    @Test
    void aDenseLlama3ModelGetsEveryPathOfItsMatricesAndNoRouting() {
        TextModel tm = Llama4Model.load(Fixtures.llama3("llama3-tiny"), pool, WeightFormat.Q8)
                .textModel();
        KernelWarmup.Report report = THREE_PASSES.run(tm);
        assertFalse(report.moeRouting());
        assertEquals(List.of("rope"), report.attentionKinds());
        assertEveryPathRanThrice(tm.matrices());
    }

    @Test
    void aMultimodalModelsVisionMatricesAreWarmedWithTheTextOnes() {
        Llama4Model model = Llama4Model.load(Fixtures.model("tiny-vision"), pool, WeightFormat.Q8);
        KernelWarmup.Report report = THREE_PASSES.run(model);
        assertTrue(report.visionTower());
        // Under q8 text the tower stays bf16: kinds of its own, which a text-only warm-up would miss.
        assertTrue(report.matrixKinds().stream().anyMatch(k -> k.startsWith("Bf16Matrix")), report.toString());
        List<WeightMatrix> all = new ArrayList<>(model.textModel().matrices());
        all.addAll(model.visionEncoder().matrices());
        assertEquals(kinds(all).size(), report.matrixKinds().size(), report.toString());
        assertEveryPathRanThrice(all);
    }

    @Test
    void theWarmUpSeesEveryMatrixOfTheModel() {
        // tiny-scout: 4 MoE layers of 4 experts; per layer q, k, v, o, the router, the shared
        // expert's 3 and 4 x 3 routed; then the LM head.
        TextModel tm = Llama4Model.load(TINY, pool, WeightFormat.BF16).textModel();
        List<WeightMatrix> matrices = tm.matrices();
        assertEquals(4 * (4 + 1 + 3 + 4 * 3) + 1, matrices.size());
        Map<WeightMatrix, Boolean> distinct = new IdentityHashMap<>();
        matrices.forEach(m -> distinct.put(m, true));
        assertEquals(matrices.size(), distinct.size());
    }

    @Test
    void theModelComputesTheSameBitsAfterTheWarmUp() {
        TextModel tm = Llama4Model.load(TINY, pool, WeightFormat.Q8).textModel();
        int[] prompt = Fixtures.ints(
                Fixtures.json(TINY.resolve("golden.json")).get("cases").get(1).get("input_ids"));
        float[] logitsBefore = tm.forward(new Batch().add(tm.newCache(), prompt), true);
        int[] greedyBefore = Scheduler.runAlone(tm, InferenceRequest.generate(prompt, SamplingParams.greedy(12)))
                .tokens();
        THREE_PASSES.run(tm);
        LaneSumOrder.assertSameSums(logitsBefore, tm.forward(new Batch().add(tm.newCache(), prompt), true), "logits");
        assertArrayEquals(
                greedyBefore,
                Scheduler.runAlone(tm, InferenceRequest.generate(prompt, SamplingParams.greedy(12)))
                        .tokens());
    }

    @Test
    void theWarmUpRoutesNoTokenIntoTheExpertCounts() {
        TextModel tm = Llama4Model.load(TINY, pool, WeightFormat.BF16).textModel();
        THREE_PASSES.run(tm);
        for (long[] layer : tm.expertTokenCounts()) {
            assertArrayEquals(new long[layer.length], layer);
        }
    }

    @Test
    void anOffWarmUpRunsNoKernel() {
        TextModel tm = Llama4Model.load(TINY, pool, WeightFormat.Q4).textModel();
        KernelWarmup.Report report = KernelWarmup.off().run(tm);
        assertEquals(0, report.passes());
        for (WeightMatrix m : tm.matrices()) {
            for (int path = 0; path < KernelPathRuns.PATHS; path++) {
                assertEquals(0, KernelPathRuns.runs(m, path));
            }
        }
    }

    @Test
    void aSpentTimeBudgetEndsTheWarmUpAfterThePassRunning() {
        TextModel tm = Llama4Model.load(TINY, pool, WeightFormat.Q8).textModel();
        KernelWarmup.Report report = new KernelWarmup(40, 40, Duration.ZERO).run(tm);
        assertEquals(1, report.passes());
        assertEquals(1, runs(tm.matrices().subList(0, 1), 3), "the first matrix's packed path");
    }

    @Test
    void aPassAsFastAsTheFastestBeforeItWithNothingCompiledIsSteady() {
        assertTrue(KernelWarmup.isSteady(List.of(900L, 40L, 12L, 3L, 3L), false));
        assertTrue(
                KernelWarmup.isSteady(List.of(900L, 40L, 3L, 12L, 3L), false),
                "the fastest need not be the last but one");
    }

    @Test
    void aPassSlowerThanTheFastestBeforeItIsNotSteady() {
        // 12 ms after a 3 ms pass: a kernel deoptimised or still compiling, or a busy core.
        assertFalse(KernelWarmup.isSteady(List.of(900L, 40L, 3L, 12L), false));
        assertFalse(KernelWarmup.isSteady(List.of(900L), false), "one pass has nothing to compare with");
    }

    @Test
    void aPassDuringWhichTheJitFinishedACompilationIsNotSteady() {
        assertFalse(KernelWarmup.isSteady(List.of(900L, 40L, 3L, 3L), true));
    }

    @Test
    void thePropertySwitchesTheWarmUpOff() {
        String before = System.getProperty(KernelWarmup.PROPERTY);
        try {
            System.setProperty(KernelWarmup.PROPERTY, "false");
            assertFalse(KernelWarmup.fromSystemProperties().enabled());
            System.setProperty(KernelWarmup.PROPERTY, "true");
            assertTrue(KernelWarmup.fromSystemProperties().enabled());
            System.clearProperty(KernelWarmup.PROPERTY);
            assertTrue(KernelWarmup.fromSystemProperties().enabled(), "on by default");
        } finally {
            if (before == null) {
                System.clearProperty(KernelWarmup.PROPERTY);
            } else {
                System.setProperty(KernelWarmup.PROPERTY, before);
            }
        }
    }

    @Test
    void theReportSaysWhatRan() {
        TextModel tm = Llama4Model.load(TINY, pool, WeightFormat.Q8).textModel();
        KernelWarmup.Report report = THREE_PASSES.run(tm);
        assertEquals(List.of("rope qk-norm", "nope temperature"), report.attentionKinds());
        assertTrue(report.moeRouting());
        assertEquals(Arrays.stream(report.passNanos()).sum(), report.nanos());
        assertTrue(report.toString().startsWith("kernel warm-up: 3 passes in "), report.toString());
    }
}
