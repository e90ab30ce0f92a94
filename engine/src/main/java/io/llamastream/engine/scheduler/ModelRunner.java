package io.llamastream.engine.scheduler;

import io.llamastream.engine.model.Batch;
import io.llamastream.engine.model.TextModel;

/**
 * Executes a {@link StepPlan} on the model: every entry becomes one segment of a ragged
 * {@link Batch} (a decoding sequence feeds its last token, a prefilling one its next input chunk
 * with the image rows that chunk's image tokens take), so each weight is read once per step. The
 * KV caches grow by the tokens fed; the returned logits hold, per entry in plan order, its
 * {@link StepPlan.Entry#logitRows()} rows of {@code vocabSize} values.
 */
public final class ModelRunner {
    private final TextModel model;

    public ModelRunner(TextModel model) {
        this.model = model;
    }

    public float[] execute(StepPlan plan) {
        Batch batch = new Batch();
        for (StepPlan.Entry e : plan.entries()) {
            Sequence s = e.sequence();
            int[] tokens = s.phase() == Sequence.Phase.DECODE ? new int[] {s.lastToken()} : s.chunk(e.tokens());
            float[] imageRows = s.phase() == Sequence.Phase.DECODE ? null : s.imageRowsForChunk(e.tokens());
            batch.add(s.cache(), tokens, imageRows, e.logitsFrom());
        }
        return model.forward(batch, false);
    }
}
