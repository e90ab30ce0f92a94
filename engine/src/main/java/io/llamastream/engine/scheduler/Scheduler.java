package io.llamastream.engine.scheduler;

import io.llamastream.engine.kv.PrefixCache;
import io.llamastream.engine.model.Batch;
import io.llamastream.engine.kv.KvPagePool;
import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.model.TextModel;
import io.llamastream.engine.sampling.Sampler;
import io.llamastream.engine.math.FloatKernels;
import io.llamastream.engine.sampling.StopReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Continuous batching over one model: requests join the running batch at the next step; each
 * step decodes one token for every running sequence first, then fills the rest of the token
 * budget with prefill chunks, and runs all of it as one ragged forward pass so each weight is
 * read once per step. Prompts start from the longest cached prefix. KV memory comes in pages
 * from one budgeted {@link KvPagePool}: new requests wait while it is spent, and when running
 * sequences outgrow it the youngest is preempted (its pages freed, its prompt and reply so far
 * recomputed later), so sequences wait but are never corrupted. One daemon thread drives the
 * loop; results complete on it.
 */
public final class Scheduler implements AutoCloseable {
    private final TextModel model;
    private final SchedulerConfig config;
    private final PrefixCache prefixCache;
    private final ConcurrentLinkedQueue<Sequence> incoming = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final Thread loop;
    private final KvPagePool kvPool;
    private final AtomicLong preemptions = new AtomicLong();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong stepTokens = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();
    private final AtomicLong prefilledTokens = new AtomicLong();
    private volatile int queueDepth;
    private volatile int lastBatchSequences;
    private volatile boolean closed;

    public Scheduler(TextModel model, SchedulerConfig config) {
        this.model = model;
        this.config = config;
        int block = KvPagePool.pageSizeFor(model.config(), config.pageSize());
        this.prefixCache = new PrefixCache(block, config.prefixCacheBytes());
        this.kvPool = new KvPagePool(model.config(), block, config.kvBudgetBytes());
        this.loop = new Thread(this::run, "llamastream-scheduler");
        this.loop.setDaemon(true);
        // Not the creator's (a Flink task's) class loader: this thread must not keep a job's loader alive.
        this.loop.setContextClassLoader(Scheduler.class.getClassLoader());
        this.loop.start();
    }

    public TextModel model() {
        return model;
    }

    /**
     * Runs one request by itself (the CLI, tests): a one-sequence scheduler without a KV budget or
     * prefix cache, so a lone request takes exactly the path batched ones do.
     */
    public static InferenceResult runAlone(TextModel model, InferenceRequest request) {
        SchedulerConfig alone = SchedulerConfig.defaults().withMaxSequences(1).withKvBudgetBytes(Long.MAX_VALUE / 2)
                .withPrefixCacheBytes(0);
        try (Scheduler s = new Scheduler(model, alone)) {
            return s.submit(request).result().join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    public RequestHandle submit(InferenceRequest request) {
        if (closed) {
            throw new IllegalStateException("scheduler is closed");
        }
        int total = request.prompt().length + (request.isScoring() ? request.scoreContinuation().length : request.params().maxTokens());
        if (new KvCache(model.config(), kvPool).pagesToGrow(total) > kvPool.capacityPages()) {
            throw new IllegalArgumentException("request needs " + total + " positions, more than the KV budget of "
                    + config.kvBudgetBytes() + " bytes holds");
        }
        RequestHandle handle = new RequestHandle();
        incoming.add(new Sequence(request, handle, System.nanoTime()));
        LockSupport.unpark(loop);
        return handle;
    }

    private void run() {
        while (!closed) {
            try {
                long waitNanos = admit();
                if (running.isEmpty()) {
                    LockSupport.parkNanos(this, waitNanos > 0 ? waitNanos : 50_000_000L);
                    continue;
                }
                step();
            } catch (Throwable t) {
                // A failing step fails the requests in it, never the loop.
                for (Sequence s : running) {
                    if (s.cache != null) {
                        s.cache.release();
                    }
                    s.handle.result().completeExceptionally(t);
                }
                running.clear();
            }
        }
        Throwable closedError = new IllegalStateException("scheduler closed");
        for (Sequence s : running) {
            s.handle.result().completeExceptionally(closedError);
        }
        for (Sequence s; (s = incoming.poll()) != null; ) {
            s.handle.result().completeExceptionally(closedError);
        }
        waiting.forEach(s -> s.handle.result().completeExceptionally(closedError));
    }

    /**
     * Moves waiting requests into the running batch. An idle engine holds a batch that is not yet
     * full until its oldest request has waited {@code maxWaitMs}; returns the nanoseconds left to
     * wait (0 when it admitted or need not wait).
     */
    private long admit() {
        for (Sequence s; (s = incoming.poll()) != null; ) {
            waiting.add(s);
        }
        if (running.isEmpty() && !waiting.isEmpty() && waiting.size() < config.maxSequences()) {
            long left = waiting.peek().submitted + config.maxWaitMs() * 1_000_000L - System.nanoTime();
            if (left > 0) {
                queueDepth = waiting.size();
                return left;
            }
        }
        // Pages the running prefills still need: a newcomer must fit beside them.
        long committed = 0;
        for (Sequence s : running) {
            committed += s.cache.pagesToGrow(s.input.length);
        }
        while (!waiting.isEmpty() && running.size() < config.maxSequences()) {
            Sequence s = waiting.peek();
            if (s.handle.isCancelled()) {
                waiting.poll();
                s.finish(StopReason.CANCELLED);
                continue;
            }
            KvCache cache = new KvCache(model.config(), kvPool);
            long need = cache.pagesToGrow(s.input.length);
            if (committed + need > kvPool.freePages() && !running.isEmpty()) {
                break;
            }
            waiting.poll();
            committed += need;
            s.start(cache, prefixCache);
            running.add(s);
        }
        queueDepth = waiting.size();
        return 0;
    }

    private void step() {
        List<Sequence> plan = new ArrayList<>();
        List<Integer> chunkLengths = new ArrayList<>();
        planStep(plan, chunkLengths);
        // Grow only within the budget: preempt the youngest sequence until the step fits.
        while (pagesNeeded(plan, chunkLengths) > kvPool.freePages() && running.size() > 1) {
            preempt(running.get(running.size() - 1));
            plan.clear();
            chunkLengths.clear();
            planStep(plan, chunkLengths);
        }
        Batch batch = new Batch();
        List<Sequence> inBatch = plan;
        for (int i = 0; i < plan.size(); i++) {
            Sequence s = plan.get(i);
            int n = chunkLengths.get(i);
            if (s.decoding()) {
                batch.add(s.cache, new int[] {s.lastToken()});
            } else {
                int[] tokens = Arrays.copyOfRange(s.input, s.fed, s.fed + n);
                batch.add(s.cache, tokens, s.imageRowsFor(s.fed, n, model.imageTokenId(), model.config().hiddenSize()),
                        s.logitsFromInChunk(n));
            }
        }
        float[] logits = model.forward(batch, false);
        steps.incrementAndGet();
        stepTokens.addAndGet(batch.tokens());
        lastBatchSequences = inBatch.size();
        int vocab = model.config().vocabSize();
        int row = 0;
        for (int i = 0; i < inBatch.size(); i++) {
            Sequence s = inBatch.get(i);
            int rows = batch.rowCount(i) - batch.logitsFrom(i);
            s.consume(chunkLengths.get(i), logits, row * vocab, rows, vocab, prefixCache);
            row += rows;
        }
        for (Iterator<Sequence> it = running.iterator(); it.hasNext(); ) {
            Sequence s = it.next();
            if (s.handle.isCancelled() && !s.done) {
                s.finish(StopReason.CANCELLED);
            }
            if (s.done) {
                it.remove();
            }
        }
    }

    /** Decode tokens first, then prefill chunks, within the token budget. */
    private void planStep(List<Sequence> plan, List<Integer> chunkLengths) {
        int budget = config.tokenBudget();
        for (Sequence s : running) {
            if (s.decoding() && budget > 0) {
                plan.add(s);
                chunkLengths.add(1);
                budget--;
            }
        }
        for (Sequence s : running) {
            if (!s.decoding() && budget > 0) {
                int n = s.nextChunk(budget, model.config().attentionChunkSize());
                plan.add(s);
                chunkLengths.add(n);
                budget -= n;
            }
        }
    }

    private static long pagesNeeded(List<Sequence> plan, List<Integer> chunkLengths) {
        long pages = 0;
        for (int i = 0; i < plan.size(); i++) {
            pages += plan.get(i).cache.pagesToGrow(plan.get(i).cache.length() + chunkLengths.get(i));
        }
        return pages;
    }

    private void preempt(Sequence s) {
        running.remove(s);
        s.suspend();
        waiting.addFirst(s);
        preemptions.incrementAndGet();
    }

    public PrefixCache.Stats prefixCacheStats() {
        return prefixCache.stats();
    }

    /** Counters for metrics: steps run, tokens processed, generated and prefilled, queue and batch size. */
    public Stats stats() {
        return new Stats(steps.get(), stepTokens.get(), generatedTokens.get(), prefilledTokens.get(), queueDepth,
                lastBatchSequences, preemptions.get(), kvPool.usedBytes());
    }

    /** A snapshot of the scheduler's counters. */
    public record Stats(long steps, long stepTokens, long generatedTokens, long prefilledTokens, int queueDepth,
                        int lastBatchSequences, long preemptions, long kvBytesInUse) {
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(loop);
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One request's progress through prefill and decode. */
    private final class Sequence {
        final InferenceRequest request;
        final RequestHandle handle;
        final long submitted;
        /**
         * Tokens to prefill: the prompt, plus the scored continuation for scoring requests; after
         * a preemption, the prompt plus the reply so far but its last token (decode feeds that).
         */
        int[] input;
        /** Prompt positions before the first image token: only those may use the prefix cache. */
        final int cacheable;
        KvCache cache;
        Sampler sampler;
        int fed;
        int cached;
        int[] generated;
        int count;
        double logProbability;
        long admitted;
        long firstToken;
        boolean done;

        Sequence(InferenceRequest request, RequestHandle handle, long submitted) {
            this.request = request;
            this.handle = handle;
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
                    if (input[i] == model.imageTokenId()) {
                        firstImage = i;
                        break;
                    }
                }
            }
            cacheable = Math.min(firstImage, request.prompt().length);
        }

        void start(KvCache fresh, PrefixCache prefix) {
            cache = fresh;
            if (admitted == 0) {
                admitted = System.nanoTime();
            }
            // Positions whose logits are needed must be computed, never restored.
            int firstLogit = request.isScoring() ? request.prompt().length - 1 : Math.min(input.length - 1, request.prompt().length);
            cached = prefix.restore(Arrays.copyOf(input, Math.min(cacheable, firstLogit)), 0, cache);
            fed = cached;
        }

        /** Frees the pages; the sequence will recompute its prompt and reply so far when readmitted. */
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
        }

        boolean decoding() {
            return fed == input.length && !request.isScoring();
        }

        int lastToken() {
            return generated[count - 1];
        }

        /** Length of the next prefill chunk: within budget, never across an attention-chunk boundary. */
        int nextChunk(int budget, int attentionChunk) {
            int n = Math.min(budget, input.length - fed);
            if (attentionChunk != Integer.MAX_VALUE) {
                n = Math.min(n, (fed / attentionChunk + 1) * attentionChunk - fed);
            }
            return n;
        }

        /** Within a chunk [fed, fed+n): the first row whose logits are needed. */
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

        float[] imageRowsFor(int from, int n, int imageToken, int hidden) {
            float[] rows = request.imageRows();
            if (rows == null) {
                return null;
            }
            int before = 0;
            for (int i = 0; i < from; i++) {
                before += input[i] == imageToken ? 1 : 0;
            }
            int inChunk = 0;
            for (int i = from; i < from + n; i++) {
                inChunk += input[i] == imageToken ? 1 : 0;
            }
            return inChunk == 0 ? null : Arrays.copyOfRange(rows, before * hidden, (before + inChunk) * hidden);
        }

        void consume(int n, float[] logits, int offset, int rows, int vocab, PrefixCache prefix) {
            if (!decoding()) {
                int start = fed;
                fed += n;
                prefilledTokens.addAndGet(n);
                if (start < cacheable) {
                    prefix.offer(input, Math.min(fed, cacheable), Math.min(fed, cacheable) - Math.min(start, cacheable), cache);
                }
                if (request.isScoring()) {
                    accumulateScore(start, n, logits, offset, rows, vocab);
                    if (fed == input.length) {
                        finish(StopReason.EOS);
                    }
                    return;
                }
                if (fed < input.length || count > 0) {
                    return;
                }
                firstToken = System.nanoTime();
            }
            choose(logits, offset, vocab);
        }

        private void accumulateScore(int start, int n, float[] logits, int offset, int rows, int vocab) {
            int p = request.prompt().length;
            for (int r = 0; r < rows; r++) {
                int position = start + n - rows + r;
                int target = position + 1 - p;
                if (target < 0 || target >= request.scoreContinuation().length) {
                    continue;
                }
                logProbability += FloatKernels.logSoftmaxAt(logits, offset + r * vocab, vocab, request.scoreContinuation()[target]);
            }
        }

        private void choose(float[] logits, int offset, int vocab) {
            if (request.processor() != null) {
                request.processor().process(logits, offset, vocab, generated, count);
            }
            int next = sampler.sample(logits, offset, vocab);
            generated[count++] = next;
            generatedTokens.incrementAndGet();
            request.listener().onToken(next);
            if (model.config().isEos(next)) {
                finish(StopReason.EOS);
            } else if (count == generated.length) {
                finish(StopReason.MAX_TOKENS);
            }
        }

        void finish(StopReason reason) {
            if (done) {
                return;
            }
            done = true;
            long now = System.nanoTime();
            long admittedAt = admitted == 0 ? now : admitted;
            long first = firstToken == 0 ? now : firstToken;
            int[] tokens = generated == null ? new int[0] : Arrays.copyOf(generated, count);
            if (cache != null) {
                cache.release();
                cache = null;
            }
            handle.result().complete(new InferenceResult(tokens, reason, logProbability, input.length, cached,
                    admittedAt - submitted, first - admittedAt, now - first));
        }
    }
}
