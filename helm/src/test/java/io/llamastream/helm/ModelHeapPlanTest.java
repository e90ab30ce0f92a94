package io.llamastream.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.checkpoint.Checkpoint;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.weights.HeapRounding;
import io.llamastream.engine.weights.MemoryPlan;
import io.llamastream.engine.weights.WeightFormat;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The chart's heap arithmetic agrees with the engine: the same bytes it counts when it loads a model,
 * and the same bytes as the engine's {@link MemoryPlan} (which needs the checkpoint's headers, so the
 * chart's tests, holding only Scout's config, compute them array by array).
 */
class ModelHeapPlanTest {

    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({
        "demo-tasks, F32",
        "demo-tasks, BF16",
        "demo-tasks, Q8",
        "demo-tasks, Q4",
        "tiny-vision, Q4",
        "tiny-scout, Q8"
    })
    void textWeightsAreTheBytesTheEngineCountsWhenItLoadsTheModel(String name, WeightFormat format) {
        Path dir = Fixtures.model(name);
        ModelHeapPlan plan = ModelHeapPlan.of(dir.resolve("config.json"), format, 1);
        try (ComputePool pool = new ComputePool(1)) {
            assertEquals(Llama4Model.load(dir, pool, format).textModel().weightBytes(), plan.textBytes());
        }
    }

    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({"demo-tasks, BF16", "demo-tasks, Q8", "demo-tasks, Q4", "tiny-vision, Q4", "tiny-vision, BF16"})
    void weightsAreTheEnginesOwnMemoryPlanToAThousandth(String name, WeightFormat format) {
        Path dir = Fixtures.model(name);
        long engine;
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            engine = MemoryPlan.of(checkpoint, format, 0, 1).weightBytes();
        }
        // Within a thousandth: MemoryPlan leaves out the quantized matrices' padding to groups of 4 rows
        // (which the loader allocates, and the plan above counts) and counts every tensor of the checkpoint.
        long chart = ModelHeapPlan.of(dir.resolve("config.json"), format, 1).weightBytes();
        assertTrue(Math.abs(chart - engine) <= engine / 1000, "chart " + chart + " vs MemoryPlan " + engine);
    }

    @Test
    void g1HoldsScoutsFourBitExpertsInWholeRegionsAndZgcInTwoMebibytePages() {
        ModelHeapPlan scout = ModelHeapPlan.of(ProductionValuesTest.SCOUT_CONFIG, WeightFormat.Q4, 14);
        // An expert's 4-bit values, [8192, 5120] / 2 = 20 MiB and a header: a 32 MiB G1 region, or 22 MiB of ZGC pages.
        long expertValues = 8192L * 5120 / 2;
        assertEquals(32L << 20, HeapRounding.g1(32L << 20).footprint(expertValues));
        assertEquals(22L << 20, HeapRounding.z().footprint(expertValues));
        assertTrue(
                scout.weightHeapBytes(HeapRounding.g1(32L << 20)) > scout.weightBytes() * 14 / 10,
                "G1 wastes over 40%");
        assertTrue(scout.weightHeapBytes(HeapRounding.z()) < scout.weightBytes() * 112 / 100, "ZGC wastes under 12%");
    }

    @Test
    void loadingScoutNeedsOneExpertsFloatScratchPerComputeThread() {
        ModelHeapPlan scout = ModelHeapPlan.of(ProductionValuesTest.SCOUT_CONFIG, WeightFormat.Q4, 14);
        assertEquals(14L * 3 * 5120 * 8192 * Float.BYTES, scout.loadScratchBytes());
        assertTrue(scout.visionBytes() > 0, "Scout is multimodal: its vision tower is loaded too");
    }
}
