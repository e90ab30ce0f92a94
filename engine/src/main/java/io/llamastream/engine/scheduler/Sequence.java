package io.llamastream.engine.scheduler;

import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.kv.PrefixCache;
import io.llamastream.engine.math.FloatKernels;
import io.llamastream.engine.sampling.Sampler;
import io.llamastream.engine.sampling.StopReason;
import java.util.Arrays;

/**
 * One request's progress through the {@link Scheduler}, in an explicit {@link Phase}: waiting
 * for admission (or readmission after a preemption), prefilling its input in chunks, decoding one
 * token per step, done. Its input is the prompt, plus the forced continuation for a scoring
 * request; after a preemption it is the prompt plus the reply so far but its last token (decode
 * feeds that), recomputed from scratch. Only the scheduler's thread touches it.
 */
public final class Sequence {
    /** Where a sequence is in its life; the scheduler moves it along. */
    public enum Phase {
        WAITING,
        PREFILL,
        DECODE,
        DONE
    }

    private final InferenceRequest request;
    private final RequestHandle handle;
    private final TextModelConfig config;
    private final int imageTokenId;
    private final long submitted;
    /** Prompt positions before the first image token: only those may use the prefix cache. */
    private final int cacheable;

    private Phase phase = Phase.WAITING;
    private int[] input;
    private KvCache cache;
    private Sampler sampler;
    private int fed;
    private int cached;
    private int[] generated;
    private int count;
    private double logProbability;
    private long admitted;
    private long firstToken;

    Sequence(InferenceRequest request, RequestHandle handle, TextModelConfig config, int imageTokenId, long submitted) {
        this.request = request;
        this.handle = handle;
        this.config = config;
        this.imageTokenId = imageTokenId;
        this.submitted = submitted;
        if (request.isScoring()) {
            int[] c = request.scoreContinuation();
            input = Arrays.copyOf(request.prompt(), request.prompt().length + c.length);
            System.arraycopy(c, 0, input, request.prompt().length, c.length);
        } else {
            input = request.prompt();
            generated = new int[request.params().maxTokens()];
            sampler = new Sampler(request.params());
        }
        int firstImage = input.length;
        if (request.imageRows() != null) {
            for (int i = 0; i < input.length; i++) {
                if (input[i] == imageTokenId) {
                    firstImage = i;
                    break;
                }
            }
        }
        cacheable = Math.min(firstImage, request.prompt().length);
    }

    public Phase phase() {
        return phase;
    }

    public InferenceRequest request() {
        return request;
    }

    /** Input positions already in the KV cache (restored from the prefix cache or computed). */
    public int fed() {
        return fed;
    }

    /** Input positions still to prefill. */
    public int remainingInput() {
        return input.length - fed;
    }

    /** Tokens generated so far. */
    public int generatedCount() {
        return count;
    }

    RequestHandle handle() {
        return handle;
    }

    long submitted() {
        return submitted;
    }

    KvCache cache() {
        return cache;
    }

    boolean isCancelled() {
        return handle.isCancelled();
    }

    /** KV positions its input needs in all. */
    int inputLength() {
        return input.length;
    }

    /** Admits it with fresh KV pages: its input starts after the longest cached prefix. */
    void start(KvCache fresh, PrefixCache prefix) {
        cache = fresh;
        if (admitted == 0) {
            admitted = System.nanoTime();
        }
        // Positions whose logits are needed must be computed, never restored.
        int firstLogit =
                request.isScoring() ? request.prompt().length - 1 : Math.min(input.length - 1, request.prompt().length);
        cached = prefix.restore(Arrays.copyOf(input, Math.min(cacheable, firstLogit)), 0, cache);
        fed = cached;
        phase = Phase.PREFILL;
    }

    /** Frees its pages and waits again; it recomputes its prompt and reply so far when readmitted. */
    void suspend() {
        cache.release();
        cache = null;
        fed = 0;
        cached = 0;
        if (request.isScoring()) {
            logProbability = 0;
        } else if (count > 0) {
            input = Arrays.copyOf(request.prompt(), request.prompt().length + count - 1);
            System.arraycopy(generated, 0, input, request.prompt().length, count - 1);
        }
        phase = Phase.WAITING;
    }

    /** The token a decode step feeds: the last one generated. */
    int lastToken() {
        return generated[count - 1];
    }

    /** The next {@code n} input tokens to prefill. */
    int[] chunk(int n) {
        return Arrays.copyOfRange(input, fed, fed + n);
    }

    /** Length of the next prefill chunk: within budget, never across an attention-chunk boundary. */
    int nextChunk(int budget, int attentionChunk) {
        int n = Math.min(budget, input.length - fed);
        if (attentionChunk != Integer.MAX_VALUE) {
            n = Math.min(n, (fed / attentionChunk + 1) * attentionChunk - fed);
        }
        return n;
    }

    /** Within the chunk [fed, fed+n): the first row whose logits are needed ({@code n}: none). */
    int logitsFromInChunk(int n) {
        if (!request.isScoring() && count > 0) {
            return n; // replaying after a preemption: the next token is already known
        }
        int firstNeeded = request.isScoring() ? request.prompt().length - 1 : input.length - 1;
        int from = firstNeeded - fed;
        if (from >= n) {
            return n;
        }
        return Math.max(0, from);
    }

    /** The projected image rows for the image tokens in the chunk [fed, fed+n), or null. */
    float[] imageRowsForChunk(int n) {
        float[] rows = request.imageRows();
        if (rows == null) {
            return null;
        }
        int before = 0;
        for (int i = 0; i < fed; i++) {
            before += input[i] == imageTokenId ? 1 : 0;
        }
        int inChunk = 0;
        for (int i = fed; i < fed + n; i++) {
            inChunk += input[i] == imageTokenId ? 1 : 0;
        }
        int hidden = config.hiddenSize();
        return inChunk == 0 ? null : Arrays.copyOfRange(rows, before * hidden, (before + inChunk) * hidden);
    }

    /**
     * Takes one step's outcome: {@code n} input tokens (or the one decode token) went into the KV
     * cache and {@code rows} rows of logits from {@code offset} belong to it. Advances the phase;
     * returns how many tokens it generated (0 or 1).
     */
    int consume(int n, float[] logits, int offset, int rows, int vocab, PrefixCache prefix) {
        if (phase == Phase.PREFILL) {
            int start = fed;
            fed += n;
            if (start < cacheable) {
                prefix.offer(
                        input, Math.min(fed, cacheable), Math.min(fed, cacheable) - Math.min(start, cacheable), cache);
            }
            if (request.isScoring()) {
                accumulateScore(start, n, logits, offset, rows, vocab);
                if (fed == input.length) {
                    finish(StopReason.EOS);
                }
                return 0;
            }
            if (fed < input.length) {
                return 0;
            }
            phase = Phase.DECODE;
            if (count > 0) {
                return 0; // replayed after a preemption: decode feeds the last token next
            }
            firstToken = System.nanoTime();
        }
        return choose(logits, offset, vocab);
    }

    private void accumulateScore(int start, int n, float[] logits, int offset, int rows, int vocab) {
        int p = request.prompt().length;
        for (int r = 0; r < rows; r++) {
            int position = start + n - rows + r;
            int target = position + 1 - p;
            if (target < 0 || target >= request.scoreContinuation().length) {
                continue;
            }
            logProbability +=
                    FloatKernels.logSoftmaxAt(logits, offset + r * vocab, vocab, request.scoreContinuation()[target]);
        }
    }

    private int choose(float[] logits, int offset, int vocab) {
        if (request.processor() != null) {
            request.processor().process(logits, offset, vocab, generated, count);
        }
        int next = sampler.sample(logits, offset, vocab);
        generated[count++] = next;
        request.listener().onToken(next);
        if (config.isEos(next)) {
            finish(StopReason.EOS);
        } else if (count == generated.length) {
            finish(StopReason.MAX_TOKENS);
        }
        return 1;
    }

    /** Completes the request (once), returning its pages. */
    void finish(StopReason reason) {
        if (phase == Phase.DONE) {
            return;
        }
        phase = Phase.DONE;
        long now = System.nanoTime();
        long admittedAt = admitted == 0 ? now : admitted;
        long first = firstToken == 0 ? now : firstToken;
        int[] tokens = generated == null ? new int[0] : Arrays.copyOf(generated, count);
        if (cache != null) {
            cache.release();
            cache = null;
        }
        handle.result()
                .complete(new InferenceResult(
                        tokens,
                        reason,
                        logProbability,
                        input.length,
                        cached,
                        admittedAt - submitted,
                        first - admittedAt,
                        now - first));
    }

    /** Fails the request (the step it was in threw, or the scheduler closed), returning its pages. */
    void fail(Throwable error) {
        phase = Phase.DONE;
        if (cache != null) {
            cache.release();
            cache = null;
        }
        handle.result().completeExceptionally(error);
    }
}
