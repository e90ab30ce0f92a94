package io.llamastream.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.llamastream.engine.weights.WeightFormat;
import org.junit.jupiter.api.Test;

/** A {@code .gguf} file is a model path for the operators as a folder is. */
class GgufModelPathTest {
    private static final String GGUF =
            TestFixtures.model("gguf-tiny").resolve("model-Q4_K_M.gguf").toString();

    @Test
    void capabilitiesOfAGgufAreItsNameAndTextOnly() {
        ModelCapabilities c = ModelCapabilities.read(GGUF);
        assertEquals("model-Q4_K_M", c.name());
        assertFalse(c.vision());
    }

    @Test
    void theSharedEngineLoadsAGgufInItsNativeTypes() {
        SharedEngine e =
                SharedEngine.acquire(GGUF, new EngineSettings(0, 64L << 20, 0, "native"), BatchingSettings.defaults());
        try {
            assertEquals(WeightFormat.NATIVE, e.model().textModel().format());
            assertEquals("model-Q4_K_M", e.model().name());
        } finally {
            e.release();
        }
    }

    @Test
    void withNoFormatSetTheSharedEngineKeepsTheGgufsTypes() {
        SharedEngine e = SharedEngine.acquire(GGUF, EngineSettings.defaults(), BatchingSettings.defaults());
        try {
            assertEquals(WeightFormat.NATIVE, e.model().textModel().format());
        } finally {
            e.release();
        }
    }
}
