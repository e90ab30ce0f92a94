package io.llamastream.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.weights.WeightFormat;
import org.junit.jupiter.api.Test;

class SharedEngineTest {
    @Test
    void weightFormatNamesMapToTheEngineFormats() {
        assertEquals(WeightFormat.BF16, SharedEngine.weightFormat("bf16"));
        assertEquals(WeightFormat.Q8, SharedEngine.weightFormat("Q8"));
        assertEquals(WeightFormat.Q4, SharedEngine.weightFormat("q4"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SharedEngine.weightFormat("fp4"))
                .getMessage()
                .contains("fp4"));
    }

    @Test
    void withNoFormatSetAGgufFileKeepsItsTypesAndAFolderLoadsAsBf16() {
        var gguf = TestFixtures.model("gguf-tiny").resolve("model-Q4_K_M.gguf");
        var folder = TestFixtures.model("demo-tasks");
        assertEquals(WeightFormat.NATIVE, SharedEngine.weightFormat(null, gguf));
        assertEquals(WeightFormat.BF16, SharedEngine.weightFormat(null, folder));
        assertEquals(WeightFormat.Q8, SharedEngine.weightFormat("q8", gguf));
        assertEquals(WeightFormat.NATIVE, SharedEngine.weightFormat("native", folder));
    }

    @Test
    void slotsWithTheSameSettingsShareOneEngineAndQ8WeightsAreSmaller() {
        String model = TestFixtures.model("demo-tasks").toString();
        EngineSettings q8 = new EngineSettings(0, 64L << 20, 0, "q8");
        SharedEngine a = SharedEngine.acquire(model, q8, BatchingSettings.defaults());
        SharedEngine b = SharedEngine.acquire(model, q8, BatchingSettings.defaults());
        SharedEngine other = SharedEngine.acquire(model, EngineSettings.defaults(), BatchingSettings.defaults());
        try {
            assertSame(a, b);
            assertNotSame(a, other);
            assertEquals(WeightFormat.Q8, a.model().textModel().format());
            assertTrue(
                    a.model().textModel().weightBytes()
                            < other.model().textModel().weightBytes() * 0.7,
                    a.model().textModel().weightBytes() + " vs bf16 "
                            + other.model().textModel().weightBytes());
        } finally {
            a.release();
            b.release();
            other.release();
        }
    }
}
