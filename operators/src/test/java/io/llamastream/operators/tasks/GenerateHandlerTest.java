package io.llamastream.operators.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llamastream.engine.sampling.StopReason;
import io.llamastream.engine.scheduler.InferenceResult;
import io.llamastream.operators.TestFixtures;
import io.llamastream.operators.TestRequests;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenerateHandlerTest {
    static final ModelVocabulary VOCABULARY = TestFixtures.demoVocabulary();
    static final TaskDefinition TASK = TaskCatalog.builtIn().get("generate");
    static final GenerateHandler HANDLER = new GenerateHandler();
    static final ValidRequest REQUEST = TestRequests.valid("g1", "generate", "Tell me a story.");

    @Test
    void aReplyCutByTheBudgetSaysSoAndKeepsAllItsTokens() {
        int[] tokens = VOCABULARY.tokenizer().encodeOrdinary("Once upon a");
        TaskReply reply = HANDLER.parse(
                TASK,
                REQUEST,
                null,
                List.of(new InferenceResult(tokens, StopReason.MAX_TOKENS, 0, 4, 0, 0, 0, 0)),
                VOCABULARY);
        assertEquals("Once upon a", reply.result().get("text").asText());
        assertEquals("max_tokens", reply.result().get("stop_reason").asText());
        assertEquals(tokens.length, reply.completionTokens());
    }

    @Test
    void theEndOfTurnTokenCountsAsGeneratedButIsNotInTheText() {
        InferenceResult ended = ModerateHandlerTest.generated("The end.");
        TaskReply reply = HANDLER.parse(TASK, REQUEST, null, List.of(ended), VOCABULARY);
        assertEquals("The end.", reply.output());
        assertEquals("eos", reply.result().get("stop_reason").asText());
        assertEquals(ended.tokens().length, reply.completionTokens());
    }

    @Test
    void aRequestsOwnDecodingParametersOverrideTheTasksTemperature() {
        ValidRequest hot = new ValidRequest(
                "requests",
                0,
                0,
                new byte[0],
                "g2",
                "generate",
                null,
                "x",
                null,
                new String[0],
                null,
                12,
                0.7,
                0.9,
                40,
                5,
                0,
                null,
                new String[0]);
        EngineCall call =
                HANDLER.engineCall(TASK, new PreparedRequest(hot, "x", new int[] {1}, 12, false, 0), VOCABULARY);
        var params = call.requests().get(0).params();
        assertEquals(0.7, params.temperature());
        assertEquals(40, params.topK());
        assertEquals(0.9, params.topP());
        assertEquals(5, params.seed());
        assertEquals(12, params.maxTokens());
    }
}
