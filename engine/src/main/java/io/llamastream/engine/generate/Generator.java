package io.llamastream.engine.generate;

import io.llamastream.engine.decoder.Batch;
import io.llamastream.engine.decoder.KvCache;
import io.llamastream.engine.decoder.TextModel;

/**
 * Generates one sequence at a time: prefills the prompt into a fresh KV cache in one step,
 * then decodes token by token until an end-of-sequence token or {@code max_tokens}.
 */
public final class Generator {
    private final TextModel model;

    public Generator(TextModel model) {
        this.model = model;
    }

    public Generation generate(int[] prompt, SamplingParams params, TokenListener listener) {
        return generate(prompt, null, params, listener);
    }

    /** As {@link #generate(int[], SamplingParams, TokenListener)}, with projected image rows for the prompt's image tokens. */
    public Generation generate(int[] prompt, float[] imageRows, SamplingParams params, TokenListener listener) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        int vocab = model.config().vocabSize();
        Sampler sampler = new Sampler(params);
        KvCache cache = model.newCache();
        long t0 = System.nanoTime();
        float[] logits = model.forward(new Batch().add(cache, prompt, imageRows), false);
        long t1 = System.nanoTime();
        int[] out = new int[params.maxTokens()];
        int n = 0;
        StopReason reason = StopReason.MAX_TOKENS;
        while (true) {
            int next = sampler.sample(logits, 0, vocab);
            out[n++] = next;
            listener.onToken(next);
            if (model.config().isEos(next)) {
                reason = StopReason.EOS;
                break;
            }
            if (n == params.maxTokens()) {
                break;
            }
            logits = model.forward(new Batch().add(cache, new int[] {next}), false);
        }
        long t2 = System.nanoTime();
        return new Generation(java.util.Arrays.copyOf(out, n), reason, prompt.length, 0, t1 - t0, t2 - t1);
    }
}
