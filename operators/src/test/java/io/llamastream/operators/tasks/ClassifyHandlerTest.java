package io.llamastream.operators.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.engine.sampling.StopReason;
import io.llamastream.engine.scheduler.InferenceRequest;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.kafka.ErrorCode;
import io.llamastream.operators.TestFixtures;
import io.llamastream.operators.TestRequests;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassifyHandlerTest {
    static final ModelVocabulary VOCABULARY = TestFixtures.demoVocabulary();
    static final TaskDefinition TASK = TaskCatalog.builtIn().get("classify");
    static final ClassifyHandler HANDLER = new ClassifyHandler();

    static ValidRequest request(String... labels) {
        return TestRequests.valid("c1", "classify", null, "Great phone.", null, labels, null, 0);
    }

    @Test
    void scoresEachLabelFollowedByEndOfTurnAfterThePrompt() {
        int[] prompt = {7, 8, 9};
        EngineCall call = HANDLER.engineCall(
                TASK, new PreparedRequest(request("positive", "negative"), "u", prompt, 8, false, 0), VOCABULARY);
        assertEquals(2, call.requests().size());
        for (int i = 0; i < 2; i++) {
            InferenceRequest r = call.requests().get(i);
            assertTrue(r.isScoring());
            assertArrayEquals(prompt, r.prompt());
            int[] label = VOCABULARY.tokenizer().encodeOrdinary(i == 0 ? "positive" : "negative");
            int[] continuation = r.scoreContinuation();
            assertEquals(label.length + 1, continuation.length);
            assertArrayEquals(label, Arrays.copyOf(continuation, label.length));
            assertEquals(VOCABULARY.endOfTurn(), continuation[label.length]);
        }
    }

    @Test
    void theMostLikelyLabelWinsAndNothingCountsAsGenerated() {
        ValidRequest r = request("positive", "negative", "neutral");
        List<InferenceResult> scores = List.of(score(-3.0), score(-0.5), score(-2.0));
        TaskReply reply = HANDLER.parse(TASK, r, null, scores, VOCABULARY);
        assertEquals("negative", reply.output());
        assertEquals("negative", reply.result().get("label").asText());
        double p = reply.result().get("probabilities").get("negative").asDouble();
        assertEquals(Math.exp(-0.5) / (Math.exp(-3.0) + Math.exp(-0.5) + Math.exp(-2.0)), p, 1e-12);
        assertEquals(0, reply.completionTokens());
    }

    @Test
    void reservesTheLongestLabelPlusEndOfTurnInsteadOfMaxTokens() {
        ValidRequest r = request("ok", "extraordinarily");
        int longest = VOCABULARY.tokenizer().encodeOrdinary("extraordinarily").length;
        assertEquals(longest + 1, HANDLER.reservedTokens(r, 500, VOCABULARY.tokenizer()));
    }

    @Test
    void rejectsRepeatedLabels() {
        RejectedRequestException e =
                assertThrows(RejectedRequestException.class, () -> HANDLER.validate(TASK, request("yes", "yes")));
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
        assertTrue(e.getMessage().contains("params.labels"), e.getMessage());
    }

    @Test
    void rejectsASingleLabel() {
        assertThrows(RejectedRequestException.class, () -> HANDLER.validate(TASK, request("yes")));
    }

    static InferenceResult score(double logProbability) {
        return new InferenceResult(new int[0], StopReason.EOS, logProbability, 3, 0, 0, 0, 0);
    }
}
