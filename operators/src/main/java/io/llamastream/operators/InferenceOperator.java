package io.llamastream.operators;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.sampling.SamplingParams;
import io.llamastream.engine.scheduler.InferenceRequest;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.engine.scheduler.Scheduler;
import io.llamastream.engine.tokenizer.ChatFormat;
import io.llamastream.engine.tokenizer.ChatMessage;
import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.kafka.DeadLetterEvent;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.kafka.ResultEvent;
import io.llamastream.kafka.Timing;
import io.llamastream.kafka.Usage;
import io.llamastream.operators.grammar.JsonGrammarProcessor;
import io.llamastream.operators.metrics.DeadLetterCounters;
import io.llamastream.operators.metrics.InferenceMetrics;
import io.llamastream.operators.postprocess.FirstTokenProbability;
import io.llamastream.operators.postprocess.LabelScores;
import io.llamastream.operators.postprocess.ModerationVerdict;
import io.llamastream.operators.postprocess.ReplyFormatException;
import io.llamastream.operators.tasks.TaskCatalog;
import io.llamastream.operators.tasks.TaskDefinition;
import io.llamastream.operators.tasks.TaskKind;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;


import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The keyed, stateful inference operator (keyed by session, else id). Each request goes to the
 * TaskManager's {@link SharedEngine}, where it is batched with every other subtask's requests; the
 * engine completes it on its own thread and the completion is handed back to this task's thread
 * through the mailbox, where the reply is post-processed per task and emitted.
 *
 * <p>State and guarantees:
 * <ul>
 * <li>Conversation history (keyed): for tasks with history on and requests with a session, the
 * session's earlier turns (user message, reply) are placed before the new user message. Bounded to
 * the last {@value #MAX_HISTORY_TURNS} turns, and older turns are dropped further until history,
 * prompt and reply budget fit the context window.</li>
 * <li>Answered ids (keyed, TTL {@value #ANSWERED_ID_TTL_HOURS} h): a request whose id was already
 * answered, or is in flight, under the same key gets a DUPLICATE_ID dead letter; the first answer
 * stands. (Without a session the key is the id itself, so this covers all id reuse.)</li>
 * <li>In-flight requests (keyed list state, so they move with their key when the job is restored
 * at another parallelism): part of every checkpoint and resubmitted on restore, so with a
 * transactional sink every request yields its output exactly once. Requests of one key run one at
 * a time, in arrival order, so turn 2 sees turn 1.</li>
 * <li>Backpressure: at most {@code 2 x maxBatchSize} requests in flight per subtask; beyond that
 * {@link #processElement} yields to the mailbox (running completions) until one finishes.</li>
 * </ul>
 * Every request ends as exactly one {@link ResultEvent} or one dead letter (DEADLINE_EXCEEDED,
 * INFERENCE_FAILED, DUPLICATE_ID) on {@link DeadLetterOutput#TAG}.
 */
public class InferenceOperator extends AbstractStreamOperator<ResultEvent>
        implements OneInputStreamOperator<PreparedRequest, ResultEvent> {
    static final int MAX_HISTORY_TURNS = 8;
    static final long ANSWERED_ID_TTL_HOURS = 24;
    /** The injected failure fires once per JVM, so the restarted job runs through. */
    private static final AtomicBoolean INJECTED_FAILURE_FIRED = new AtomicBoolean();
    /** Records seen by every inference subtask of this JVM: the injected failure counts them all. */
    private static final java.util.concurrent.atomic.AtomicLong RECORDS_SEEN = new java.util.concurrent.atomic.AtomicLong();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PipelineSettings settings;

    private transient SharedEngine engine;
    private transient ImageEmbedder imageEmbedder;
    private transient TaskCatalog catalog;
    private transient MailboxExecutor mailbox;
    private transient InferenceMetrics metrics;
    private transient DeadLetterCounters deadLetters;
    private transient ListState<PreparedRequest> queued;
    private transient ValueState<String[]> history;
    private transient MapState<String, Boolean> answered;
    /** Per key, requests in arrival order; the head is the one running in the engine. */
    private transient Map<String, ArrayDeque<PreparedRequest>> pending;
    private transient int inFlight;

    /** True once the injected failure has fired in this JVM (the demo reports it; recovery tests assert it). */
    public static boolean injectedFailureFired() {
        return INJECTED_FAILURE_FIRED.get();
    }

    /** Arms the once-per-JVM injected failure again, for a later job in the same JVM. */
    public static void rearmInjectedFailure() {
        INJECTED_FAILURE_FIRED.set(false);
        RECORDS_SEEN.set(0);
    }

    public InferenceOperator(PipelineSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open() throws Exception {
        super.open();
        mailbox = getContainingTask().getMailboxExecutorFactory().createExecutor(getOperatorConfig().getChainIndex());
        catalog = TaskCatalog.load(settings.tasksFile());
        ModelReleaseHook.register(getRuntimeContext());
        engine = SharedEngine.acquire(settings.modelDir(), settings.engine(), settings.batching());
        imageEmbedder = new ImageEmbedder(engine.model(), settings.limits().maxImagePixels());
        pending = new HashMap<>();
        history = getKeyedStateStore().getState(new ValueStateDescriptor<>("history", Types.OBJECT_ARRAY(Types.STRING)));
        MapStateDescriptor<String, Boolean> answeredDescriptor =
                new MapStateDescriptor<>("answered-ids", Types.STRING, Types.BOOLEAN);
        answeredDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofHours(ANSWERED_ID_TTL_HOURS)).build());
        answered = getKeyedStateStore().getMapState(answeredDescriptor);
        metrics = new InferenceMetrics(getMetricGroup(), engine.scheduler(), () -> inFlight);
        deadLetters = new DeadLetterCounters(getMetricGroup());
        ListStateDescriptor<PreparedRequest> queuedDescriptor =
                new ListStateDescriptor<>("in-flight", TypeInformation.of(PreparedRequest.class));
        queued = getKeyedStateStore().getListState(queuedDescriptor);
        resubmitRestored(queuedDescriptor);
    }

    @Override
    public void processElement(StreamRecord<PreparedRequest> element) throws Exception {
        int cap = Math.max(1, settings.batching().maxBatchSize() * 2);
        while (inFlight >= cap) {
            mailbox.yield();
        }
        long seen = RECORDS_SEEN.incrementAndGet();
        if (settings.failAfterRecords() >= 0 && seen > settings.failAfterRecords()
                && INJECTED_FAILURE_FIRED.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure after " + settings.failAfterRecords() + " records");
        }
        PreparedRequest p = element.getValue().withReceivedAt(System.currentTimeMillis());
        ValidRequest r = p.request();
        setCurrentKey(r.routingKey());  // a yield above may have run another key's completion
        ArrayDeque<PreparedRequest> queue = pending.get(r.routingKey());
        boolean inFlightAlready = queue != null && queue.stream().anyMatch(q -> q.request().id().equals(r.id()));
        if (inFlightAlready || answered.contains(r.id())) {
            deadLetter(r, ErrorCode.DUPLICATE_ID, "request id '" + r.id() + "' was already "
                    + (inFlightAlready ? "received and is in progress" : "answered") + " for key '" + r.routingKey() + "'");
            return;
        }
        enqueue(p);
    }

    /** After a restore: every key's queued requests (this subtask's key groups only) start again. */
    private void resubmitRestored(ListStateDescriptor<PreparedRequest> descriptor) throws Exception {
        Map<String, List<PreparedRequest>> restored = new java.util.LinkedHashMap<>();
        getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor,
                (key, state) -> {
                    List<PreparedRequest> list = new ArrayList<>();
                    state.get().forEach(list::add);
                    if (!list.isEmpty()) {
                        restored.put((String) key, list);
                    }
                });
        for (Map.Entry<String, List<PreparedRequest>> e : restored.entrySet()) {
            setCurrentKey(e.getKey());
            ArrayDeque<PreparedRequest> queue = new ArrayDeque<>(e.getValue());
            pending.put(e.getKey(), queue);
            inFlight += queue.size();
            start(queue.peek());
        }
    }

    private void enqueue(PreparedRequest p) throws Exception {
        setCurrentKey(p.request().routingKey());
        queued.add(p);
        ArrayDeque<PreparedRequest> queue = pending.computeIfAbsent(p.request().routingKey(), k -> new ArrayDeque<>());
        queue.add(p);
        inFlight++;
        if (queue.size() == 1) {
            start(p);
        }
    }

    /** Submits the head request of its key to the engine; the completion comes back as a mail. */
    private void start(PreparedRequest p) {
        ValidRequest r = p.request();
        setCurrentKey(r.routingKey());
        TaskDefinition task = catalog.get(r.task());
        CompletableFuture<EngineReply> reply;
        try {
            if (r.deadlineEpochMs() > 0 && System.currentTimeMillis() > r.deadlineEpochMs()) {
                throw new DeadlineExceeded();
            }
            int[] prompt = promptWithHistory(task, p);
            reply = submit(task, p, prompt);
        } catch (DeadlineExceeded e) {
            reply = CompletableFuture.failedFuture(e);
        } catch (Exception e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((result, error) -> {
            try {
                mailbox.execute(() -> complete(p, task, result, error), "inference result " + r.id());
            } catch (RejectedExecutionException closing) {
                // The task is shutting down; the request is still in the last checkpoint's in-flight state.
            }
        });
    }

    private int[] promptWithHistory(TaskDefinition task, PreparedRequest p) throws Exception {
        String[] turns = history.value();
        // Earlier turns are kept as text: a turn with images is sent as it was prepared.
        if (p.request().imagesBase64().length > 0 || !task.useHistory() || p.request().session() == null || turns == null || turns.length == 0) {
            return p.promptIds();
        }
        ChatFormat chat = engine.model().chatFormat();
        int budget = settings.limits().maxContextTokens() - p.maxTokens();
        for (int from = 0; from < turns.length; from += 2) {
            List<ChatMessage> messages = new ArrayList<>();
            if (task.system() != null && !task.system().isEmpty()) {
                messages.add(ChatMessage.system(task.system()));
            }
            for (int i = from; i + 1 < turns.length; i += 2) {
                messages.add(ChatMessage.user(turns[i]));
                messages.add(ChatMessage.assistant(turns[i + 1]));
            }
            messages.add(ChatMessage.user(p.userMessage()));
            int[] prompt = chat.encodeDialog(messages, true);
            if (prompt.length <= budget) {
                return prompt;
            }
        }
        return p.promptIds();
    }

    private CompletableFuture<EngineReply> submit(TaskDefinition task, PreparedRequest p, int[] prompt)
            throws Exception {
        Scheduler scheduler = engine.scheduler();
        Tokenizer tokenizer = engine.model().tokenizer();
        int eot = engine.model().chatFormat().endOfTurnId();
        ValidRequest r = p.request();
        float[] imageRows = imageEmbedder.embed(r.imagesBase64());
        if (task.kind() == TaskKind.CLASSIFY) {
            List<CompletableFuture<InferenceResult>> scores = new ArrayList<>();
            for (String label : r.labels()) {
                int[] labelIds = tokenizer.encodeOrdinary(label);
                int[] continuation = Arrays.copyOf(labelIds, labelIds.length + 1);
                continuation[labelIds.length] = eot;
                scores.add(scheduler.submit(InferenceRequest.score(prompt, continuation).withImageRows(imageRows)).result());
            }
            return CompletableFuture.allOf(scores.toArray(CompletableFuture[]::new))
                    .thenApply(v -> new EngineReply(prompt.length, scores.stream().map(CompletableFuture::join).toList(),
                            Double.NaN));
        }
        double temperature = r.temperature() >= 0 ? r.temperature() : task.temperature();
        SamplingParams params = new SamplingParams(temperature, Math.max(0, r.topK()), r.topP() > 0 ? r.topP() : 1.0,
                0, r.seed(), p.maxTokens());
        InferenceRequest request = InferenceRequest.generate(prompt, params).withImageRows(imageRows);
        FirstTokenProbability unsafe = null;
        if (task.kind() == TaskKind.MODERATE) {
            unsafe = new FirstTokenProbability(tokenizer.encodeOrdinary("unsafe")[0]);
            request = request.withProcessor(unsafe);
        } else if (task.kind() == TaskKind.EXTRACT) {
            request = request.withProcessor(new JsonGrammarProcessor(engine.grammar(r.schemaJson()), eot,
                    p.maxTokens()));
        }
        FirstTokenProbability probe = unsafe;
        return scheduler.submit(request).result()
                .thenApply(res -> new EngineReply(prompt.length, List.of(res), probe == null ? Double.NaN
                        : probe.probability()));
    }

    /** Runs in the mailbox (task thread): post-process, emit, update the key's state, start its next request. */
    private void complete(PreparedRequest p, TaskDefinition task, EngineReply reply, Throwable error) {
        ValidRequest r = p.request();
        setCurrentKey(r.routingKey());
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        long now = System.currentTimeMillis();
        try {
            if (cause instanceof DeadlineExceeded || (r.deadlineEpochMs() > 0 && now > r.deadlineEpochMs())) {
                deadLetter(r, ErrorCode.DEADLINE_EXCEEDED, "deadline " + r.deadlineEpochMs() + " passed before the "
                        + "result was ready (now " + now + ")");
            } else if (cause != null) {
                deadLetter(r, ErrorCode.INFERENCE_FAILED, "engine failed: " + cause);
            } else {
                try {
                    emit(p, task, reply, now);
                } catch (ReplyFormatException e) {
                    deadLetter(r, ErrorCode.INFERENCE_FAILED, e.getMessage());
                }
            }
            answered.put(r.id(), Boolean.TRUE);
        } catch (Exception e) {
            throw new IllegalStateException("keyed state access failed for " + r.id(), e);
        } finally {
            ArrayDeque<PreparedRequest> queue = pending.get(r.routingKey());
            queue.poll();
            inFlight--;
            try {
                setCurrentKey(r.routingKey());
                queued.update(new ArrayList<>(queue));
            } catch (Exception e) {
                throw new IllegalStateException("keyed state access failed for " + r.routingKey(), e);
            }
            if (queue.isEmpty()) {
                pending.remove(r.routingKey());
            } else {
                start(queue.peek());
            }
        }
    }

    private void emit(PreparedRequest p, TaskDefinition task, EngineReply reply, long now) throws Exception {
        ValidRequest r = p.request();
        Tokenizer tokenizer = engine.model().tokenizer();
        InferenceResult first = reply.results().get(0);
        String output;
        JsonNode result;
        int completion;
        if (task.kind() == TaskKind.CLASSIFY) {
            double[] logProbs = reply.results().stream().mapToDouble(InferenceResult::logProbability).toArray();
            LabelScores scores = new LabelScores(List.of(r.labels()), logProbs);
            output = scores.best();
            result = scores.toJson();
            completion = 0;  // scoring generates nothing
        } else {
            int[] tokens = first.tokens();
            int n = tokens.length > 0 && engine.model().config().isEos(tokens[tokens.length - 1]) ? tokens.length - 1
                    : tokens.length;
            output = tokenizer.decode(Arrays.copyOf(tokens, n));
            completion = tokens.length;
            result = switch (task.kind()) {
                case MODERATE -> ModerationVerdict.parse(output, task.excludedCategories(), reply.unsafeProbability())
                        .toJson();
                case TRANSLATE -> JsonNodeFactory.instance.objectNode().put("target_language", r.targetLanguage())
                        .put("text", output);
                case EXTRACT -> parseJson(output);
                default -> JsonNodeFactory.instance.objectNode().put("text", output)
                        .put("stop_reason", first.stopReason().name().toLowerCase());
            };
            if (task.useHistory() && r.session() != null) {
                appendHistory(p.userMessage(), output);
            }
        }
        if (p.truncated() && result instanceof ObjectNode o) {
            o.put("input_truncated", true);
        }
        long queue = 0, prefill = 0, decode = 0;
        int cached = Integer.MAX_VALUE;
        for (InferenceResult res : reply.results()) {
            queue = Math.max(queue, res.queueNanos() / 1_000_000);
            prefill = Math.max(prefill, res.prefillNanos() / 1_000_000);
            decode = Math.max(decode, res.decodeNanos() / 1_000_000);
            cached = Math.min(cached, res.cachedTokens());
        }
        long total = now - p.receivedAtMs();
        metrics.completed(reply.promptTokens(), completion, queue, prefill, decode, total);
        output(new ResultEvent(r.id(), r.task(), ResultEvent.STATUS_OK, output, result,
                new Usage(reply.promptTokens(), Math.min(cached, reply.promptTokens()), completion),
                new Timing(queue, prefill, decode, total), engine.model().name(), r.session()));
    }

    private static JsonNode parseJson(String output) {
        try {
            return JSON.readTree(output);
        } catch (Exception e) {
            throw new ReplyFormatException("extraction reply is not JSON: " + output, e);
        }
    }

    private void appendHistory(String user, String assistant) throws Exception {
        String[] turns = history.value();
        List<String> list = new ArrayList<>(turns == null ? List.of() : Arrays.asList(turns));
        list.add(user);
        list.add(assistant);
        while (list.size() > 2 * MAX_HISTORY_TURNS) {
            list.remove(0);
            list.remove(0);
        }
        history.update(list.toArray(String[]::new));
    }

    private void output(ResultEvent result) {
        output.collect(new StreamRecord<>(result));
    }

    private void deadLetter(ValidRequest r, ErrorCode code, String message) {
        deadLetters.inc(code);
        DeadLetterEvent dead = DeadLetterOutput.of(r, code, message);
        output.collect(DeadLetterOutput.TAG, new StreamRecord<>(dead));
    }


    @Override
    public void finish() throws Exception {
        // End of a bounded input: wait for every in-flight request so none is lost.
        while (inFlight > 0) {
            mailbox.yield();
        }
        super.finish();
    }

    @Override
    public void close() throws Exception {
        if (engine != null) {
            engine.release();
            engine = null;
        }
        super.close();
    }

    /** Raw engine output for one request: one result (or one per label when classifying). */
    private record EngineReply(int promptTokens, List<InferenceResult> results, double unsafeProbability) {
    }

    private static final class DeadlineExceeded extends Exception {
        DeadlineExceeded() {
            super("deadline exceeded", null, false, false);
        }
    }
}
