package io.llamastream.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.helm.ModelHeapPlan.Collector;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The chart's heap arithmetic agrees with the engine: the same bytes it counts when it loads a model. */
class ModelHeapPlanTest {

  @ParameterizedTest(name = "{0} in {1}")
  @CsvSource({"demo-tasks, F32", "demo-tasks, BF16", "demo-tasks, Q8", "demo-tasks, Q4", "tiny-vision, Q4",
      "tiny-scout, Q8"})
  void textWeightsAreTheBytesTheEngineCountsWhenItLoadsTheModel(String name, WeightFormat format) {
    Path dir = Fixtures.model(name);
    ModelHeapPlan plan = ModelHeapPlan.of(dir.resolve("config.json"), format, 1);
    try (ComputePool pool = new ComputePool(1)) {
      assertEquals(Llama4Model.load(dir, pool, format).textModel().weightBytes(), plan.textBytes());
    }
  }

  @Test
  void g1HoldsScoutsFourBitExpertsInWholeRegionsAndZgcInTwoMebibytePages() {
    ModelHeapPlan scout = ModelHeapPlan.of(ProductionValuesTest.SCOUT_CONFIG, WeightFormat.Q4, 14);
    // An expert's 4-bit values, [8192, 5120] / 2 = 20 MiB: a 32 MiB G1 region, or 20 MiB of ZGC pages.
    long expertValues = 8192L * 5120 / 2;
    assertEquals(32L << 20, Collector.G1.footprint(expertValues));
    assertEquals(20L << 20, Collector.Z.footprint(expertValues));
    assertTrue(scout.weightHeapBytes(Collector.G1) > scout.weightBytes() * 14 / 10, "G1 wastes over 40%");
    assertTrue(scout.weightHeapBytes(Collector.Z) < scout.weightBytes() * 11 / 10, "ZGC wastes under 10%");
  }

  @Test
  void loadingScoutNeedsOneExpertsFloatScratchPerComputeThread() {
    ModelHeapPlan scout = ModelHeapPlan.of(ProductionValuesTest.SCOUT_CONFIG, WeightFormat.Q4, 14);
    assertEquals(14L * 3 * 5120 * 8192 * Float.BYTES, scout.loadScratchBytes());
    assertTrue(scout.visionBytes() > 0, "Scout is multimodal: its vision tower is loaded too");
  }
}
