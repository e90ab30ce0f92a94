package io.llamastream.tools.bench;

import io.llamastream.engine.model.Batch;
import io.llamastream.engine.model.TextModel;
import io.llamastream.engine.sampling.Sampler;
import java.util.List;

/**
 * Compares a model's next-token distributions with a reference model's on the same token
 * sequences (teacher-forced, logits of every position): mean KL(reference || candidate) in nats
 * and the fraction of positions where both put the same token first.
 */
public final class Accuracy {
    private Accuracy() {}

    /** Mean KL divergence and top-1 agreement over {@code positions} positions. */
    public record Result(double meanKl, double top1Agreement, int positions) {}

    public static Result compare(TextModel reference, TextModel candidate, List<int[]> sequences) {
        int vocab = reference.config().vocabSize();
        double kl = 0;
        int agree = 0;
        int positions = 0;
        for (int[] seq : sequences) {
            float[] p = reference.forward(new Batch().add(reference.newCache(), seq), true);
            float[] q = candidate.forward(new Batch().add(candidate.newCache(), seq), true);
            for (int t = 0; t < seq.length; t++) {
                kl += klDivergence(p, q, t * vocab, vocab);
                agree += Sampler.argmax(p, t * vocab, vocab) == Sampler.argmax(q, t * vocab, vocab) ? 1 : 0;
                positions++;
            }
        }
        return new Result(kl / positions, (double) agree / positions, positions);
    }

    /**
     * The same measure from logits already computed: {@code positions} rows of {@code vocab}
     * logits each, reference first.
     */
    public static Result compare(float[] reference, float[] candidate, int positions, int vocab) {
        if (reference.length < (long) positions * vocab || candidate.length < (long) positions * vocab) {
            throw new IllegalArgumentException("fewer than " + positions + " rows of " + vocab + " logits");
        }
        double kl = 0;
        int agree = 0;
        for (int t = 0; t < positions; t++) {
            kl += klDivergence(reference, candidate, t * vocab, vocab);
            agree += Sampler.argmax(reference, t * vocab, vocab) == Sampler.argmax(candidate, t * vocab, vocab) ? 1 : 0;
        }
        return new Result(kl / positions, (double) agree / positions, positions);
    }

    /** KL(softmax(p) || softmax(q)) of one row of logits, in nats. */
    public static double klDivergence(float[] p, float[] q, int off, int n) {
        double pMax = Double.NEGATIVE_INFINITY;
        double qMax = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            pMax = Math.max(pMax, p[off + i]);
            qMax = Math.max(qMax, q[off + i]);
        }
        double pSum = 0;
        double qSum = 0;
        for (int i = 0; i < n; i++) {
            pSum += Math.exp(p[off + i] - pMax);
            qSum += Math.exp(q[off + i] - qMax);
        }
        double pLog = pMax + Math.log(pSum);
        double qLog = qMax + Math.log(qSum);
        double kl = 0;
        for (int i = 0; i < n; i++) {
            double lp = p[off + i] - pLog;
            double lq = q[off + i] - qLog;
            kl += Math.exp(lp) * (lp - lq);
        }
        return Math.max(0, kl);
    }
}
