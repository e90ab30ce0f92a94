package io.llamastream.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.checkpoint.gguf.GgufFile;
import io.llamastream.engine.checkpoint.gguf.GgufModelConfig;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.testing.LaneSumOrder;
import io.llamastream.engine.weights.StagedMatrix;
import io.llamastream.engine.weights.WeightFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A GGUF's Q8_0 tensors are served from the file's mapping at load and repacked in the background:
 * the model's logits are the same bits before and after the repack, and {@link
 * Llama4Model#repacked} completes when it is done (at once for a model with nothing to repack).
 */
class StagedGgufModelTest {
    private static final Path Q8_0 = Fixtures.model("gguf-tiny/model-Q8_0.gguf");

    @Test
    void logitsAreTheSameBitsFromTheMappingAndAfterTheRepack() {
        ComputePool pool = ComputePool.shared();
        try (GgufFile gguf = GgufFile.open(Q8_0)) {
            GgufDecoderWeights weights = new GgufDecoderWeights(gguf, WeightFormat.NATIVE, pool);
            TextModel tm = TextModel.load(weights, GgufModelConfig.read(gguf), -1, pool, WeightFormat.NATIVE);
            List<StagedMatrix> staged = weights.staged();
            // Every Q8_0 matrix but the embeddings: the LM head, and per layer q, k, v, o, the shared
            // expert's three and the 8 routed experts' three each (split per expert).
            assertEquals(1 + 4 * (4 + 3 + 3 * 8), staged.size());
            assertFalse(staged.stream().anyMatch(StagedMatrix::finished));
            int[] prompt = {1, 5, 9, 200, 17, 3, 88, 41, 12, 7, 19, 23, 29, 31, 37, 43, 47, 53};
            float[] mappedPrefill = tm.forward(new Batch().add(tm.newCache(), prompt), true);

            staged.forEach(StagedMatrix::finish);

            float[] repackedPrefill = tm.forward(new Batch().add(tm.newCache(), prompt), true);
            LaneSumOrder.assertSameSums(mappedPrefill, repackedPrefill, "prefill logits");
        }
    }

    @Test
    void theModelsRepackedFutureCompletesOnceTheBackgroundRepackIsDone() throws Exception {
        Llama4Model model = Llama4Model.load(Q8_0, ComputePool.shared());
        model.repacked().get(60, TimeUnit.SECONDS);
        List<StagedMatrix> staged = model.textModel().matrices().stream()
                .filter(m -> m instanceof StagedMatrix)
                .map(m -> (StagedMatrix) m)
                .toList();
        assertEquals(1 + 4 * (4 + 3 + 3 * 8), staged.size());
        assertTrue(staged.stream().allMatch(StagedMatrix::finished), "a matrix still serves from the mapping");
    }

    @Test
    void aModelWithNothingToRepackIsCompleteAtLoad() {
        Llama4Model model =
                Llama4Model.load(Fixtures.model("gguf-tiny/model-Q8_0.gguf"), ComputePool.shared(), WeightFormat.Q4);
        assertTrue(model.repacked().isDone());
    }
}
