package io.llamastream.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.weights.HeapRounding;
import io.llamastream.engine.weights.MemoryPlan;
import io.llamastream.engine.weights.WeightFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the engine's {@link MemoryPlan} says of Scout from its published config.json alone (the
 * arithmetic the chart's production values are checked by): its q4 weights, the collector's rounding
 * of them, its vision tower, and the scratch its load converts experts through.
 */
class ScoutMemoryPlanTest {
    static final long MIB = 1L << 20;

    /** The figures docs/operations.md gives for Scout (109B parameters, the 0.9B of its vision tower kept bf16). */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"BF16, 202.37", "Q8, 115.40", "Q4, 65.70"})
    void scoutsWeightsWithItsVisionTowerTakeTheDocumentedGibibytes(WeightFormat format, double gib) {
        MemoryPlan scout = Llama4Model.memoryPlan(ProductionValuesTest.SCOUT_CONFIG, format, 0, 14);
        assertEquals(gib, scout.weightBytes() / (double) ProductionValuesTest.GIB, 0.005);
    }

    @Test
    void g1HoldsScoutsFourBitExpertsInWholeRegionsAndZgcInTwoMebibytePages() {
        MemoryPlan scout = Llama4Model.memoryPlan(ProductionValuesTest.SCOUT_CONFIG, WeightFormat.Q4, 0, 14);
        // An expert's 4-bit values, [8192, 5120] / 2 = 20 MiB and a header: a 32 MiB G1 region, or 22 MiB of ZGC pages.
        long expertValues = 8192L * 5120 / 2;
        assertEquals(32 * MIB, HeapRounding.g1(32 * MIB).footprint(expertValues));
        assertEquals(22 * MIB, HeapRounding.z().footprint(expertValues));
        assertTrue(
                scout.weightHeapBytes(HeapRounding.g1(32 * MIB)) > scout.weightBytes() * 14 / 10, "G1 wastes over 40%");
        assertTrue(scout.weightHeapBytes(HeapRounding.z()) < scout.weightBytes() * 112 / 100, "ZGC wastes under 12%");
    }

    @Test
    void loadingScoutsBf16ExpertsIntoQ4NeedsOneBandOfThirtyTwoInputRowsPerComputeThread() {
        long perThread = Llama4Model.memoryPlan(ProductionValuesTest.SCOUT_CONFIG, WeightFormat.Q4, 0, 14)
                        .overheadBytes()
                - Llama4Model.memoryPlan(ProductionValuesTest.SCOUT_CONFIG, WeightFormat.Q4, 0, 13)
                        .overheadBytes();
        // The engine's 64 MiB allowance per thread, and 32 rows of gate_up_proj [5120, 16384] in bf16: 1 MiB.
        assertEquals(64 * MIB + 32L * 16384 * 2, perThread);
    }
}
