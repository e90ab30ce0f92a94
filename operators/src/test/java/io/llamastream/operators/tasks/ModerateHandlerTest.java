package io.llamastream.operators.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.llamastream.engine.sampling.StopReason;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.engine.scheduler.LogitsProcessor;
import io.llamastream.operators.TestFixtures;
import io.llamastream.operators.TestRequests;
import io.llamastream.operators.postprocess.ReplyFormatException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModerateHandlerTest {
    static final ModelVocabulary VOCABULARY = TestFixtures.demoVocabulary();
    static final ModerateHandler HANDLER = new ModerateHandler();
    static final ValidRequest REQUEST = TestRequests.valid("m1", "moderate", "How do I pick a lock?");

    @Test
    void verdictCarriesTheProbabilityOfUnsafeAsFirstTokenReadBeforeSampling() {
        TaskDefinition task = TaskCatalog.builtIn().get("moderate");
        EngineCall call =
                HANDLER.engineCall(task, new PreparedRequest(REQUEST, "u", new int[] {1, 2}, 16, false, 0), VOCABULARY);
        int unsafe = VOCABULARY.tokenizer().encodeOrdinary("unsafe")[0];
        float[] logits = new float[VOCABULARY.tokenizer().vocabSize()];
        logits[unsafe] = 2f;
        LogitsProcessor probe = call.requests().get(0).processor();
        probe.process(logits, 0, logits.length, new int[0], 0);
        double expected = Math.exp(2) / (Math.exp(2) + (logits.length - 1));

        TaskReply reply = HANDLER.parse(task, REQUEST, call, List.of(generated("unsafe\nS2, S7")), VOCABULARY);

        assertEquals("unsafe\nS2, S7", reply.output());
        assertFalse(reply.result().get("safe").asBoolean());
        assertEquals("[\"S2\",\"S7\"]", reply.result().get("categories").toString());
        assertEquals(expected, reply.result().get("score").asDouble(), 1e-6);
    }

    @Test
    void categoriesTheTaskExcludesAreDropped() {
        TaskDefinition task = TaskCatalog.parse("tasks:\n  moderate: {excluded_categories: [S7]}\n", "t")
                .get("moderate");
        EngineCall call =
                HANDLER.engineCall(task, new PreparedRequest(REQUEST, "u", new int[] {1}, 16, false, 0), VOCABULARY);
        TaskReply reply = HANDLER.parse(task, REQUEST, call, List.of(generated("unsafe\nS2, S7")), VOCABULARY);
        assertEquals("[\"S2\"]", reply.result().get("categories").toString());
    }

    @Test
    void aReplyThatIsNeitherSafeNorUnsafeIsAFormatError() {
        TaskDefinition task = TaskCatalog.builtIn().get("moderate");
        EngineCall call =
                HANDLER.engineCall(task, new PreparedRequest(REQUEST, "u", new int[] {1}, 16, false, 0), VOCABULARY);
        assertThrows(
                ReplyFormatException.class,
                () -> HANDLER.parse(task, REQUEST, call, List.of(generated("maybe")), VOCABULARY));
    }

    /** A generation result for {@code text}, ended by end of turn as the model ends a reply. */
    static InferenceResult generated(String text) {
        int[] ids = VOCABULARY.tokenizer().encodeOrdinary(text);
        int[] tokens = Arrays.copyOf(ids, ids.length + 1);
        tokens[ids.length] = VOCABULARY.endOfTurn();
        return new InferenceResult(tokens, StopReason.EOS, 0, 2, 0, 0, 0, 0);
    }
}
