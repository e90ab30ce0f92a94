package io.llamastream.operators;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.kafka.DeadLetterEvent;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.kafka.ResultEvent;
import io.llamastream.kafka.Timing;
import io.llamastream.kafka.Usage;
import io.llamastream.operators.metrics.DeadLetterCounters;
import io.llamastream.operators.metrics.InferenceMetrics;
import io.llamastream.operators.postprocess.ReplyFormatException;
import io.llamastream.operators.tasks.EngineCall;
import io.llamastream.operators.tasks.ModelVocabulary;
import io.llamastream.operators.tasks.PreparedRequest;
import io.llamastream.operators.tasks.TaskCatalog;
import io.llamastream.operators.tasks.TaskDefinition;
import io.llamastream.operators.tasks.TaskPromptFormats;
import io.llamastream.operators.tasks.TaskReply;
import io.llamastream.operators.tasks.ValidRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The keyed, stateful inference operator (keyed by session, else id): lifecycle, keyed state and
 * queueing; what each task asks of the engine and how its reply is read is the task's
 * {@link io.llamastream.operators.tasks.TaskHandler}. Each request goes to the TaskManager's
 * {@link SharedEngine}, where it is batched with every other subtask's requests; the engine
 * completes it on its own thread and the completion is handed back to this task's thread through
 * the mailbox, where the reply is parsed and emitted.
 *
 * <p>State and guarantees:
 * <ul>
 * <li>Conversation history (keyed, {@link ConversationHistory}): a session's earlier turns are
 * placed before the new user message for tasks with history on.</li>
 * <li>Answered ids (keyed, TTL {@value #ANSWERED_ID_TTL_HOURS} h): a request whose id was already
 * answered, or is in flight, under the same key gets a DUPLICATE_ID dead letter; the first answer
 * stands. (Without a session the key is the id itself, so this covers all id reuse.)</li>
 * <li>In-flight requests (keyed list state, so they move with their key when the job is restored
 * at another parallelism): part of every checkpoint and resubmitted on restore, so with a
 * transactional sink every request yields its output exactly once. Requests of one key run one at
 * a time, in arrival order ({@link KeyedRequestQueue}).</li>
 * <li>Backpressure: at most {@code 2 x maxBatchSize} requests in flight per subtask; beyond that
 * {@link #processElement} yields to the mailbox (running completions) until one finishes.</li>
 * </ul>
 * Every request ends as exactly one {@link ResultEvent} or one dead letter (DEADLINE_EXCEEDED,
 * INFERENCE_FAILED, DUPLICATE_ID) on {@link DeadLetterOutput#TAG}.
 */
public class InferenceOperator extends AbstractStreamOperator<ResultEvent>
        implements OneInputStreamOperator<PreparedRequest, ResultEvent> {
    static final long ANSWERED_ID_TTL_HOURS = 24;

    private final PipelineSettings settings;

    private transient SharedEngine engine;
    private transient ModelVocabulary vocabulary;
    private transient ImageEmbedder imageEmbedder;
    private transient TaskCatalog catalog;
    private transient MailboxExecutor mailbox;
    private transient InferenceMetrics metrics;
    private transient DeadLetterCounters deadLetters;
    private transient ListState<PreparedRequest> inFlightState;
    private transient ConversationHistory history;
    private transient MapState<String, Boolean> answered;
    private transient KeyedRequestQueue queue;

    public InferenceOperator(PipelineSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open() throws Exception {
        super.open();
        mailbox = getContainingTask()
                .getMailboxExecutorFactory()
                .createExecutor(getOperatorConfig().getChainIndex());
        catalog = TaskCatalog.load(settings.tasksFile());
        ModelReleaseHook.register(getRuntimeContext());
        engine = SharedEngine.acquire(settings.modelDir(), settings.engine(), settings.batching());
        vocabulary = engine.vocabulary();
        imageEmbedder = new ImageEmbedder(engine.model(), settings.limits().maxImagePixels());
        queue = new KeyedRequestQueue(settings.batching().maxBatchSize() * 2);
        history = new ConversationHistory(
                getKeyedStateStore().getState(new ValueStateDescriptor<>("history", Types.OBJECT_ARRAY(Types.STRING))),
                TaskPromptFormats.of(engine.model(), catalog),
                settings.limits().maxContextTokens());
        MapStateDescriptor<String, Boolean> answeredDescriptor =
                new MapStateDescriptor<>("answered-ids", Types.STRING, Types.BOOLEAN);
        answeredDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofHours(ANSWERED_ID_TTL_HOURS))
                .build());
        answered = getKeyedStateStore().getMapState(answeredDescriptor);
        metrics = new InferenceMetrics(getMetricGroup(), engine.scheduler(), queue::size);
        deadLetters = new DeadLetterCounters(getMetricGroup());
        ListStateDescriptor<PreparedRequest> inFlightDescriptor =
                new ListStateDescriptor<>("in-flight", TypeInformation.of(PreparedRequest.class));
        inFlightState = getKeyedStateStore().getListState(inFlightDescriptor);
        resubmitRestored(inFlightDescriptor);
    }

    @Override
    public void processElement(StreamRecord<PreparedRequest> element) throws Exception {
        while (queue.isFull()) {
            mailbox.yield();
        }
        PreparedRequest p = element.getValue().withReceivedAt(System.currentTimeMillis());
        ValidRequest r = p.request();
        setCurrentKey(r.routingKey()); // a yield above may have run another key's completion
        boolean inFlightAlready = queue.contains(r.routingKey(), r.id());
        if (inFlightAlready || answered.contains(r.id())) {
            deadLetter(
                    r,
                    ErrorCode.DUPLICATE_ID,
                    "request id '" + r.id() + "' was already "
                            + (inFlightAlready ? "received and is in progress" : "answered") + " for key '"
                            + r.routingKey() + "'");
            return;
        }
        inFlightState.add(p);
        if (queue.add(p)) {
            start(p);
        }
    }

    /** After a restore: every key's queued requests (this subtask's key groups only) start again. */
    private void resubmitRestored(ListStateDescriptor<PreparedRequest> descriptor) throws Exception {
        Map<String, List<PreparedRequest>> restored = new LinkedHashMap<>();
        getKeyedStateBackend()
                .applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor, (key, state) -> {
                    List<PreparedRequest> list = new ArrayList<>();
                    state.get().forEach(list::add);
                    if (!list.isEmpty()) {
                        restored.put((String) key, list);
                    }
                });
        for (Map.Entry<String, List<PreparedRequest>> e : restored.entrySet()) {
            start(queue.restore(e.getKey(), e.getValue()));
        }
    }

    /** Submits the head request of its key to the engine; the completion comes back as a mail. */
    private void start(PreparedRequest p) {
        ValidRequest r = p.request();
        setCurrentKey(r.routingKey());
        TaskDefinition task = catalog.get(r.task());
        EngineCall call = null;
        CompletableFuture<List<InferenceResult>> results;
        try {
            if (r.deadlineEpochMs() > 0 && System.currentTimeMillis() > r.deadlineEpochMs()) {
                throw new DeadlineExceeded();
            }
            call = task.handler().engineCall(task, p.withPromptIds(history.prompt(task, p)), vocabulary);
            results = call.submit(engine.scheduler(), imageEmbedder.embed(r.imagesBase64()));
        } catch (Exception e) {
            results = CompletableFuture.failedFuture(e);
        }
        EngineCall submitted = call;
        results.whenComplete((done, error) -> {
            try {
                mailbox.execute(() -> complete(p, task, submitted, done, error), "inference result " + r.id());
            } catch (RejectedExecutionException closing) {
                // The task is shutting down; the request is still in the last checkpoint's in-flight state.
            }
        });
    }

    /** Runs in the mailbox (task thread): parse, emit, update the key's state, start its next request. */
    private void complete(
            PreparedRequest p, TaskDefinition task, EngineCall call, List<InferenceResult> results, Throwable error)
            throws Exception {
        ValidRequest r = p.request();
        setCurrentKey(r.routingKey());
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        long now = System.currentTimeMillis();
        if (cause instanceof DeadlineExceeded || (r.deadlineEpochMs() > 0 && now > r.deadlineEpochMs())) {
            deadLetter(
                    r,
                    ErrorCode.DEADLINE_EXCEEDED,
                    "deadline " + r.deadlineEpochMs() + " passed before the " + "result was ready (now " + now + ")");
        } else if (cause != null) {
            deadLetter(r, ErrorCode.INFERENCE_FAILED, "engine failed: " + cause);
        } else {
            try {
                TaskReply reply = task.handler().parse(task, r, call, results, vocabulary);
                history.record(task, p, reply.output());
                emit(p, call, results, reply, now);
            } catch (ReplyFormatException e) {
                deadLetter(r, ErrorCode.INFERENCE_FAILED, e.getMessage());
            }
        }
        answered.put(r.id(), Boolean.TRUE);
        PreparedRequest next = queue.finishHead(r.routingKey());
        inFlightState.update(queue.remaining(r.routingKey()));
        if (next != null) {
            start(next);
        }
    }

    private void emit(PreparedRequest p, EngineCall call, List<InferenceResult> results, TaskReply reply, long now) {
        ValidRequest r = p.request();
        int promptTokens = call.prompt().length;
        EngineTiming timing = EngineTiming.of(results, promptTokens);
        if (p.truncated() && reply.result() instanceof ObjectNode o) {
            o.put("input_truncated", true);
        }
        long total = now - p.receivedAtMs();
        metrics.completed(
                promptTokens, reply.completionTokens(), timing.queueMs(), timing.prefillMs(), timing.decodeMs(), total);
        output.collect(new StreamRecord<>(new ResultEvent(
                r.id(),
                r.task(),
                ResultEvent.STATUS_OK,
                reply.output(),
                reply.result(),
                new Usage(promptTokens, timing.cachedTokens(), reply.completionTokens()),
                new Timing(timing.queueMs(), timing.prefillMs(), timing.decodeMs(), total),
                engine.model().name(),
                r.session())));
    }

    private void deadLetter(ValidRequest r, ErrorCode code, String message) {
        deadLetters.inc(code);
        DeadLetterEvent dead = DeadLetterOutput.of(r, code, message);
        output.collect(DeadLetterOutput.TAG, new StreamRecord<>(dead));
    }

    @Override
    public void finish() throws Exception {
        // End of a bounded input: wait for every in-flight request so none is lost.
        while (queue.size() > 0) {
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

    private static final class DeadlineExceeded extends Exception {
        DeadlineExceeded() {
            super("deadline exceeded", null, false, false);
        }
    }
}
