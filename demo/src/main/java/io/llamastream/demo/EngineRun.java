package io.llamastream.demo;

import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.kafka.InvalidEventException;
import io.llamastream.operators.ConversationHistory;
import io.llamastream.operators.ImageEmbedder;
import io.llamastream.operators.PipelineSettings;
import io.llamastream.operators.PromptTokenizer;
import io.llamastream.operators.RawRequest;
import io.llamastream.operators.RequestValidator;
import io.llamastream.operators.SharedEngine;
import io.llamastream.operators.postprocess.ReplyFormatException;
import io.llamastream.operators.tasks.EngineCall;
import io.llamastream.operators.tasks.PreparedRequest;
import io.llamastream.operators.tasks.RejectedRequestException;
import io.llamastream.operators.tasks.TaskCatalog;
import io.llamastream.operators.tasks.TaskDefinition;
import io.llamastream.operators.tasks.TaskPromptFormats;
import io.llamastream.operators.tasks.TaskReply;
import io.llamastream.operators.tasks.ValidRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.state.ValueState;

/**
 * The raw-engine side of {@code demo --compare-engine}: the demo's events straight on the engine,
 * without Flink or Kafka. Each event goes through the job's own parse-validate and tokenize code
 * ({@link RequestValidator}, {@link PromptTokenizer}) and its task's handler, is submitted to a
 * {@link SharedEngine} built with the job's settings (same model, weight format and scheduler
 * knobs), and its reply is parsed as the inference operator parses it. Every key's first request
 * is submitted at once; a session's later turns follow their previous turn with its history, as
 * in the job, so prompts and replies are the job's.
 */
final class EngineRun {

    /** Each event's answer (see {@link OutputTracker#answers}), the seconds taken and the tokens counted as the job counts them. */
    record Outcome(Map<DemoSample.Event, String> answers, double seconds, long promptTokens, long completionTokens) {}

    private final PipelineSettings settings;
    private final RequestValidator validator;
    private final PromptTokenizer tokenizer;
    private final TaskCatalog catalog;

    EngineRun(PipelineSettings settings) {
        this.settings = settings;
        this.validator = new RequestValidator(settings).load();
        this.tokenizer = new PromptTokenizer(settings).load();
        this.catalog = TaskCatalog.load(settings.tasksFile());
    }

    /**
     * Runs every event on a fresh scheduler (empty prefix cache; the weights stay loaded between
     * runs) and waits for all of them; the clock runs from the first event's parse to the last reply.
     */
    Outcome run(List<DemoSample.Event> events, long timeoutS) throws InterruptedException {
        SharedEngine engine = SharedEngine.acquire(settings.modelDir(), settings.engine(), settings.batching());
        try {
            return new Pass(engine, events).run(timeoutS);
        } finally {
            engine.release();
        }
    }

    /** One run over the events: the per-key queues, answers and token counts. */
    private final class Pass {
        private final SharedEngine engine;
        private final List<DemoSample.Event> events;
        private final ImageEmbedder images;
        private final Map<DemoSample.Event, String> answers = new ConcurrentHashMap<>();
        private final AtomicLong promptTokens = new AtomicLong();
        private final AtomicLong completionTokens = new AtomicLong();
        private final CountDownLatch pending;

        Pass(SharedEngine engine, List<DemoSample.Event> events) {
            this.engine = engine;
            this.events = events;
            this.images = new ImageEmbedder(engine.model(), settings.limits().maxImagePixels());
            this.pending = new CountDownLatch(events.size());
        }

        Outcome run(long timeoutS) throws InterruptedException {
            long t0 = System.nanoTime();
            Map<String, Session> byKey = new LinkedHashMap<>();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < events.size(); i++) {
                DemoSample.Event e = events.get(i);
                try {
                    ValidRequest valid = validator.validate(new RawRequest("compare", 0, i, e.key(), e.value()));
                    PreparedRequest prepared = tokenizer.prepare(valid);
                    if (!seen.add(valid.routingKey() + '\u0000' + valid.id())) {
                        answer(e, "dead letter " + ErrorCode.DUPLICATE_ID);
                        continue;
                    }
                    byKey.computeIfAbsent(valid.routingKey(), k -> new Session())
                            .queue
                            .add(new Item(e, prepared));
                } catch (InvalidEventException rejected) {
                    answer(e, "dead letter " + rejected.code());
                } catch (RejectedRequestException rejected) {
                    answer(e, "dead letter " + rejected.code());
                }
            }
            byKey.values().forEach(Session::startHead);
            if (!pending.await(timeoutS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the raw engine did not answer every event within " + timeoutS + " s");
            }
            return new Outcome(
                    Map.copyOf(answers), (System.nanoTime() - t0) / 1e9, promptTokens.get(), completionTokens.get());
        }

        private void answer(DemoSample.Event e, String answer) {
            answers.put(e, answer);
            pending.countDown();
        }

        private record Item(DemoSample.Event event, PreparedRequest request) {}

        /** One routing key's requests, run one at a time with the key's conversation history. */
        private final class Session {
            private final ArrayDeque<Item> queue = new ArrayDeque<>();
            private final ConversationHistory history = new ConversationHistory(
                    new Turns(),
                    TaskPromptFormats.of(engine.model(), catalog),
                    settings.limits().maxContextTokens());

            /** Submits the head request; its completion (on the engine's thread) parses it and starts the next. */
            synchronized void startHead() {
                Item head = queue.peek();
                if (head == null) {
                    return;
                }
                PreparedRequest p = head.request();
                TaskDefinition task = catalog.get(p.request().task());
                EngineCall call;
                try {
                    call = task.handler()
                            .engineCall(task, p.withPromptIds(history.prompt(task, p)), engine.vocabulary());
                    call.submit(engine.scheduler(), images.embed(p.request().imagesBase64()))
                            .whenComplete((results, error) -> finish(head, task, call, results, error));
                } catch (Exception e) {
                    finish(head, task, null, null, e);
                }
            }

            private synchronized void finish(
                    Item item, TaskDefinition task, EngineCall call, List<InferenceResult> results, Throwable error) {
                Throwable cause =
                        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                String answer;
                if (cause != null) {
                    answer = "dead letter " + ErrorCode.INFERENCE_FAILED;
                } else {
                    try {
                        TaskReply reply = task.handler()
                                .parse(task, item.request().request(), call, results, engine.vocabulary());
                        history.record(task, item.request(), reply.output());
                        promptTokens.addAndGet(call.prompt().length);
                        completionTokens.addAndGet(reply.completionTokens());
                        answer = OutputTracker.resultAnswer(reply.output());
                    } catch (ReplyFormatException e) {
                        answer = "dead letter " + ErrorCode.INFERENCE_FAILED;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                queue.poll();
                answer(item.event(), answer);
                startHead();
            }
        }
    }

    /** A session's turns, held the way the job's keyed state holds them (one value per key). */
    private static final class Turns implements ValueState<String[]> {
        private String[] value;

        @Override
        public String[] value() {
            return value;
        }

        @Override
        public void update(String[] v) {
            value = v;
        }

        @Override
        public void clear() {
            value = null;
        }
    }
}
