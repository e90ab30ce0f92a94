package io.llamastream.engine.scheduler;

import io.llamastream.engine.kv.KvCache;
import io.llamastream.engine.kv.KvPagePool;
import io.llamastream.engine.kv.PrefixCache;
import io.llamastream.engine.model.TextModel;
import io.llamastream.engine.sampling.StopReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Continuous batching over one model, in three parts per step as vLLM's v1 engine has them:
 * {@link #plan()} admits waiting requests and decides which {@link Sequence}s feed how many tokens
 * (decode tokens first, then prefill chunks fill the rest of the token budget); a
 * {@link ModelRunner} executes that {@link StepPlan} as one ragged forward pass, so each weight is
 * read once per step; {@link #apply} hands each sequence its logits and advances its phase.
 * Prompts start from the longest cached prefix. KV memory comes in pages from one budgeted
 * {@link KvPagePool}: new requests wait while it is spent, and when running sequences outgrow it
 * the youngest is preempted (its pages freed, its prompt and reply so far recomputed later), so
 * sequences wait but are never corrupted. One daemon thread drives the loop; results complete on
 * it. {@link #stepped} makes one without the thread, for a caller that drives the steps itself.
 */
public final class Scheduler implements AutoCloseable {
    private final TextModel model;
    private final SchedulerConfig config;
    private final PrefixCache prefixCache;
    private final KvPagePool kvPool;
    private final ModelRunner runner;
    private final ConcurrentLinkedQueue<Sequence> incoming = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final Thread loop;
    private final AtomicLong preemptions = new AtomicLong();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong stepTokens = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();
    private final AtomicLong prefilledTokens = new AtomicLong();
    private volatile int queueDepth;
    private volatile int lastBatchSequences;
    private volatile boolean closed;

    public Scheduler(TextModel model, SchedulerConfig config) {
        this(model, config, true);
    }

    private Scheduler(TextModel model, SchedulerConfig config, boolean withLoop) {
        this.model = model;
        this.config = config;
        int page = KvPagePool.pageSizeFor(model.config(), config.pageSize());
        this.prefixCache = new PrefixCache(page, config.prefixCacheBytes());
        this.kvPool = new KvPagePool(model.config(), page, config.kvBudgetBytes());
        this.runner = new ModelRunner(model);
        if (!withLoop) {
            this.loop = null;
            return;
        }
        this.loop = new Thread(this::run, "llamastream-scheduler");
        this.loop.setDaemon(true);
        // Not the creator's (a Flink task's) class loader: this thread must not keep a job's loader alive.
        this.loop.setContextClassLoader(Scheduler.class.getClassLoader());
        this.loop.start();
    }

    /**
     * A scheduler without its loop thread: the caller runs each step as {@code plan()}, then
     * {@code runner().execute(plan)}, then {@code apply(plan, logits)}, all on one thread.
     */
    public static Scheduler stepped(TextModel model, SchedulerConfig config) {
        return new Scheduler(model, config, false);
    }

    public TextModel model() {
        return model;
    }

    /** The runner that executes this scheduler's plans. */
    public ModelRunner runner() {
        return runner;
    }

    /**
     * Runs one request by itself (the CLI, tests): a one-sequence scheduler without a KV budget or
     * prefix cache, so a lone request takes exactly the path batched ones do.
     */
    public static InferenceResult runAlone(TextModel model, InferenceRequest request) {
        SchedulerConfig alone = SchedulerConfig.defaults()
                .withMaxSequences(1)
                .withKvBudgetBytes(Long.MAX_VALUE / 2)
                .withPrefixCacheBytes(0);
        try (Scheduler s = new Scheduler(model, alone)) {
            return s.submit(request).result().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    public RequestHandle submit(InferenceRequest request) {
        if (closed) {
            throw new IllegalStateException("scheduler is closed");
        }
        int total = request.prompt().length
                + (request.isScoring()
                        ? request.scoreContinuation().length
                        : request.params().maxTokens());
        if (new KvCache(model.config(), kvPool).pagesToGrow(total) > kvPool.capacityPages()) {
            throw new IllegalArgumentException("request needs " + total + " positions, more than the KV budget of "
                    + config.kvBudgetBytes() + " bytes holds");
        }
        RequestHandle handle = new RequestHandle();
        incoming.add(new Sequence(request, handle, model.config(), model.imageTokenId(), System.nanoTime()));
        if (loop != null) {
            LockSupport.unpark(loop);
        }
        return handle;
    }

    private void run() {
        while (!closed) {
            try {
                StepPlan plan = plan();
                if (plan.isEmpty()) {
                    LockSupport.parkNanos(this, plan.waitNanos() > 0 ? plan.waitNanos() : 50_000_000L);
                    continue;
                }
                apply(plan, runner.execute(plan));
            } catch (Throwable t) {
                // A failing step fails the requests in it, never the loop.
                running.forEach(s -> s.fail(t));
                running.clear();
            }
        }
        failAll(new IllegalStateException("scheduler closed"));
    }

    /** Fails every request not yet done: running, waiting and just submitted. */
    private void failAll(Throwable error) {
        running.forEach(s -> s.fail(error));
        running.clear();
        waiting.forEach(s -> s.fail(error));
        waiting.clear();
        for (Sequence s; (s = incoming.poll()) != null; ) {
            s.fail(error);
        }
    }

    /**
     * Plans the next step: admits waiting requests into the running batch, then gives each running
     * sequence its tokens, decode first, within the token budget, preempting the youngest while the
     * step's KV growth does not fit. An idle engine holds a batch that is not yet full until its
     * oldest request has waited {@code maxWaitMs}: the plan is then empty, with the time left.
     */
    public StepPlan plan() {
        long waitNanos = admit();
        if (running.isEmpty()) {
            return StepPlan.idle(waitNanos);
        }
        List<StepPlan.Entry> entries = entries();
        while (pagesNeeded(entries) > kvPool.freePages() && running.size() > 1) {
            preempt(running.get(running.size() - 1));
            entries = entries();
        }
        return new StepPlan(entries, 0);
    }

    /**
     * Advances every planned sequence by the step's outcome ({@code logits} as the runner returned
     * them for {@code plan}), then retires the finished and the cancelled.
     */
    public void apply(StepPlan plan, float[] logits) {
        steps.incrementAndGet();
        stepTokens.addAndGet(plan.tokens());
        lastBatchSequences = plan.entries().size();
        int vocab = model.config().vocabSize();
        int row = 0;
        for (StepPlan.Entry e : plan.entries()) {
            Sequence s = e.sequence();
            if (s.phase() == Sequence.Phase.PREFILL) {
                prefilledTokens.addAndGet(e.tokens());
            }
            generatedTokens.addAndGet(s.consume(e.tokens(), logits, row * vocab, e.logitRows(), vocab, prefixCache));
            row += e.logitRows();
        }
        for (Iterator<Sequence> it = running.iterator(); it.hasNext(); ) {
            Sequence s = it.next();
            if (s.isCancelled()) {
                s.finish(StopReason.CANCELLED);
            }
            if (s.phase() == Sequence.Phase.DONE) {
                it.remove();
            }
        }
    }

    /** Moves waiting requests into the running batch; returns the nanoseconds an idle engine still holds them. */
    private long admit() {
        for (Sequence s; (s = incoming.poll()) != null; ) {
            waiting.add(s);
        }
        if (running.isEmpty() && !waiting.isEmpty() && waiting.size() < config.maxSequences()) {
            long left = waiting.peek().submitted() + config.maxWaitMs() * 1_000_000L - System.nanoTime();
            if (left > 0) {
                queueDepth = waiting.size();
                return left;
            }
        }
        // Pages the running prefills still need: a newcomer must fit beside them.
        long committed = 0;
        for (Sequence s : running) {
            committed += s.cache().pagesToGrow(s.inputLength());
        }
        while (!waiting.isEmpty() && running.size() < config.maxSequences()) {
            Sequence s = waiting.peek();
            if (s.isCancelled()) {
                waiting.poll();
                s.finish(StopReason.CANCELLED);
                continue;
            }
            KvCache cache = new KvCache(model.config(), kvPool);
            long need = cache.pagesToGrow(s.inputLength());
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

    /** Decode tokens first, then prefill chunks, within the token budget. */
    private List<StepPlan.Entry> entries() {
        List<StepPlan.Entry> entries = new ArrayList<>();
        int budget = config.tokenBudget();
        for (Sequence s : running) {
            if (s.phase() == Sequence.Phase.DECODE && budget > 0) {
                entries.add(new StepPlan.Entry(s, 1, 0));
                budget--;
            }
        }
        for (Sequence s : running) {
            if (s.phase() == Sequence.Phase.PREFILL && budget > 0) {
                int n = s.nextChunk(budget, model.config().attentionChunkSize());
                entries.add(new StepPlan.Entry(s, n, s.logitsFromInChunk(n)));
                budget -= n;
            }
        }
        return entries;
    }

    private static long pagesNeeded(List<StepPlan.Entry> entries) {
        long pages = 0;
        for (StepPlan.Entry e : entries) {
            KvCache cache = e.sequence().cache();
            pages += cache.pagesToGrow(cache.length() + e.tokens());
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
        return new Stats(
                steps.get(),
                stepTokens.get(),
                generatedTokens.get(),
                prefilledTokens.get(),
                queueDepth,
                lastBatchSequences,
                preemptions.get(),
                kvPool.usedBytes());
    }

    /** A snapshot of the scheduler's counters. */
    public record Stats(
            long steps,
            long stepTokens,
            long generatedTokens,
            long prefilledTokens,
            int queueDepth,
            int lastBatchSequences,
            long preemptions,
            long kvBytesInUse) {}

    @Override
    public void close() {
        closed = true;
        if (loop == null) {
            failAll(new IllegalStateException("scheduler closed"));
            return;
        }
        LockSupport.unpark(loop);
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
