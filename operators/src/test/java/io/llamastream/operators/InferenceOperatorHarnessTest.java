package io.llamastream.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.tokenizer.ChatFormat;
import io.llamastream.engine.tokenizer.ChatMessage;
import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.kafka.DeadLetterEvent;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.kafka.ResultEvent;
import io.llamastream.operators.TestFixtures.GoldenCase;
import io.llamastream.operators.tasks.PreparedRequest;
import io.llamastream.operators.tasks.RejectedRequestException;
import io.llamastream.operators.tasks.TaskCatalog;
import io.llamastream.operators.tasks.ValidRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The inference operator alone in Flink's keyed operator test harness, on the demo-tasks model:
 * the harness's mailbox is drained by the test thread, so each test decides when engine
 * completions run, and a snapshot can be taken while a request is still in the engine.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InferenceOperatorHarnessTest {
    static final PipelineSettings SETTINGS = new PipelineSettings(
            TestFixtures.model("demo-tasks").toString(),
            null,
            new BatchingSettings(4, 5, 128),
            new EngineSettings(0, 64L << 20, 8L << 20, "bf16"),
            InputLimits.defaults(),
            0);
    static final Tokenizer TOKENIZER = TestFixtures.demoVocabulary().tokenizer();
    static final TextPromptEncoder ENCODER =
            new TextPromptEncoder(TOKENIZER, InputLimits.defaults().maxContextTokens());
    static final TaskCatalog TASKS = TaskCatalog.builtIn();
    static final GoldenCase TRANSLATION = TestFixtures.demoTasksCases().stream()
            .filter(c -> c.task().equals("translate"))
            .findFirst()
            .orElseThrow();

    /** Held for the whole class, so the harnesses' operators share one loaded model. */
    static SharedEngine engine;

    @BeforeAll
    static void loadModelOnce() {
        engine = SharedEngine.acquire(SETTINGS.modelDir(), SETTINGS.engine(), SETTINGS.batching());
    }

    @AfterAll
    static void releaseModel() {
        engine.release();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, PreparedRequest, ResultEvent> harness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new InferenceOperator(SETTINGS), p -> p.request().routingKey(), Types.STRING);
    }

    static PreparedRequest prepared(ValidRequest r) throws RejectedRequestException {
        return ENCODER.encode(TASKS.get(r.task()), r);
    }

    static PreparedRequest translation(String id) throws RejectedRequestException {
        return prepared(TestRequests.valid(
                id,
                "translate",
                null,
                TRANSLATION.text(),
                TRANSLATION.params().get("target_language").asText(),
                new String[0],
                null,
                0));
    }

    /** Runs engine completions on this (the task's) thread until {@code count} records were emitted in all. */
    static void awaitOutputs(KeyedOneInputStreamOperatorTestHarness<String, PreparedRequest, ResultEvent> h, int count)
            throws Exception {
        while (h.getOutput().size() + deadLetters(h).size() < count) {
            h.getTaskMailbox().take(TaskMailbox.MIN_PRIORITY).run();
        }
    }

    static List<DeadLetterEvent> deadLetters(
            KeyedOneInputStreamOperatorTestHarness<String, PreparedRequest, ResultEvent> h) {
        List<DeadLetterEvent> dead = new ArrayList<>();
        var side = h.getSideOutput(DeadLetterOutput.TAG); // null until the first dead letter
        if (side != null) {
            side.forEach(r -> dead.add(r.getValue()));
        }
        return dead;
    }

    @Test
    void aRequestComesOutAsOneResultWithTheGoldenAnswer() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(translation("t-1")));
            awaitOutputs(h, 1);
            List<ResultEvent> results = h.extractOutputValues();
            assertEquals(1, results.size());
            assertEquals("t-1", results.get(0).id());
            assertEquals(TRANSLATION.expected(), results.get(0).output());
        }
    }

    @Test
    void anInFlightRequestIsRestoredFromASnapshotAndAnsweredOnce() throws Exception {
        OperatorSubtaskState snapshot;
        try (var before = harness()) {
            before.open();
            before.processElement(new StreamRecord<>(translation("t-2")));
            // No mail has run, so the completion is not applied: the request is in flight in the snapshot.
            snapshot = before.snapshot(1L, 1L);
            assertEquals(0, before.getOutput().size());
        }
        try (var after = harness()) {
            after.setup();
            after.initializeState(snapshot);
            after.open();
            awaitOutputs(after, 1);
            List<ResultEvent> results = after.extractOutputValues();
            assertEquals(1, results.size());
            assertEquals("t-2", results.get(0).id());
            assertEquals(TRANSLATION.expected(), results.get(0).output());
            assertEquals(List.of(), deadLetters(after));
        }
    }

    @Test
    void anAnsweredRequestIsNotInTheNextSnapshot() throws Exception {
        OperatorSubtaskState snapshot;
        try (var before = harness()) {
            before.open();
            before.processElement(new StreamRecord<>(translation("t-3")));
            awaitOutputs(before, 1);
            snapshot = before.snapshot(1L, 1L);
        }
        try (var after = harness()) {
            after.setup();
            after.initializeState(snapshot);
            after.open();
            after.processElement(new StreamRecord<>(translation("t-4")));
            awaitOutputs(after, 1);
            assertEquals(
                    List.of("t-4"),
                    after.extractOutputValues().stream().map(ResultEvent::id).toList());
        }
    }

    @Test
    void anIdAlreadyInFlightUnderItsKeyIsDeadLetteredAsDuplicate() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(translation("t-5")));
            h.processElement(new StreamRecord<>(translation("t-5")));
            awaitOutputs(h, 2);
            assertEquals(1, h.extractOutputValues().size());
            List<DeadLetterEvent> dead = deadLetters(h);
            assertEquals(1, dead.size());
            assertEquals(ErrorCode.DUPLICATE_ID, dead.get(0).errorCode());
            assertTrue(
                    dead.get(0).message().contains("in progress"), dead.get(0).message());
        }
    }

    @Test
    void anIdAnsweredBeforeIsDeadLetteredAsDuplicate() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(translation("t-6")));
            awaitOutputs(h, 1);
            h.processElement(new StreamRecord<>(translation("t-6")));
            List<DeadLetterEvent> dead = deadLetters(h);
            assertEquals(1, dead.size());
            assertEquals(ErrorCode.DUPLICATE_ID, dead.get(0).errorCode());
            assertTrue(dead.get(0).message().contains("answered"), dead.get(0).message());
        }
    }

    @Test
    void aRequestPastItsDeadlineIsDeadLetteredWithoutRunning() throws Exception {
        try (var h = harness()) {
            h.open();
            ValidRequest late = TestRequests.valid(
                    "t-7", "generate", null, "Hello", null, new String[0], null, System.currentTimeMillis() - 1);
            h.processElement(new StreamRecord<>(prepared(late)));
            awaitOutputs(h, 1);
            assertEquals(0, h.extractOutputValues().size());
            assertEquals(ErrorCode.DEADLINE_EXCEEDED, deadLetters(h).get(0).errorCode());
        }
    }

    @Test
    void aSessionsSecondTurnWaitsForTheFirstAndIsPromptedWithIt() throws Exception {
        String first = "Translate the following text to French:\nThe doctor likes the bread.";
        String second = "Translate the following text to English:\nLa fille trouve le livre.";
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(
                    prepared(TestRequests.valid("s-1", "generate", "session-a", first, null, new String[0], null, 0))));
            h.processElement(new StreamRecord<>(prepared(
                    TestRequests.valid("s-2", "generate", "session-a", second, null, new String[0], null, 0))));
            awaitOutputs(h, 2);
            List<ResultEvent> results = h.extractOutputValues();
            assertEquals(
                    List.of("s-1", "s-2"), results.stream().map(ResultEvent::id).toList());
            ChatFormat chat = new ChatFormat(TOKENIZER);
            int dialog = chat.encodeDialog(
                            List.of(
                                    ChatMessage.user(first),
                                    ChatMessage.assistant(results.get(0).output()),
                                    ChatMessage.user(second)),
                            true)
                    .length;
            assertEquals(dialog, results.get(1).usage().promptTokens());
        }
    }
}
