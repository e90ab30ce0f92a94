package io.llamastream.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.weights.WeightMapping;
import io.llamastream.engine.weights.WeightMatrix;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Where a Q8_0 GGUF's weights live once loaded: read in place from the file's mapping on JDK 22
 * and later, repacked onto the heap before that or with mapping turned off. The build runs this
 * class on both runtimes; {@code GgufTinyModelTest} checks the logits on both.
 */
class MappedGgufLoadTest {
    private static Map<String, Integer> kernelKinds() {
        Llama4Model model =
                Llama4Model.load(Fixtures.model("gguf-tiny").resolve("model-Q8_0.gguf"), ComputePool.shared());
        Map<String, Integer> kinds = new TreeMap<>();
        for (WeightMatrix m : model.textModel().matrices()) {
            kinds.merge(m.kernelKind(), 1, Integer::sum);
        }
        return kinds;
    }

    @Test
    void everyQ8_0MatrixIsMappedWhereTheRuntimeCanMapIt() {
        Map<String, Integer> kinds = kernelKinds();
        if (WeightMapping.unavailableReason().isEmpty()) {
            assertTrue(kinds.getOrDefault("MappedQ8Matrix", 0) > 0, kinds.toString());
            assertEquals(0, kinds.getOrDefault("Q8Matrix", 0), kinds.toString());
        } else {
            assertEquals(0, kinds.getOrDefault("MappedQ8Matrix", 0), kinds.toString());
            assertTrue(kinds.getOrDefault("Q8Matrix", 0) > 0, kinds.toString());
        }
    }

    @Test
    void withMappingTurnedOffEveryQ8_0MatrixIsRepacked() {
        System.setProperty(WeightMapping.PROPERTY, "false");
        try {
            Map<String, Integer> kinds = kernelKinds();
            assertEquals(0, kinds.getOrDefault("MappedQ8Matrix", 0), kinds.toString());
            assertTrue(kinds.getOrDefault("Q8Matrix", 0) > 0, kinds.toString());
        } finally {
            System.clearProperty(WeightMapping.PROPERTY);
        }
    }
}
