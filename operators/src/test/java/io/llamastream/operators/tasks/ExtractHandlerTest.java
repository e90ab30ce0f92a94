package io.llamastream.operators.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.operators.TestFixtures;
import io.llamastream.operators.TestRequests;
import io.llamastream.operators.grammar.JsonGrammarProcessor;
import io.llamastream.operators.postprocess.ReplyFormatException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExtractHandlerTest {
    static final ModelVocabulary VOCABULARY = TestFixtures.demoVocabulary();
    static final TaskDefinition TASK = TaskCatalog.builtIn().get("extract");
    static final ExtractHandler HANDLER = new ExtractHandler();
    static final String SCHEMA =
            "{\"type\":\"object\",\"properties\":{\"product\":{\"type\":\"string\"}}," + "\"required\":[\"product\"]}";

    static ValidRequest request(String schema) {
        return TestRequests.valid("e1", "extract", null, "I bought a kettle.", null, new String[0], schema, 0);
    }

    @Test
    void theReplyIsGeneratedUnderTheSchemasGrammarWithinTheReplyBudget() {
        EngineCall call = HANDLER.engineCall(
                TASK, new PreparedRequest(request(SCHEMA), "u", new int[] {1, 2}, 24, false, 0), VOCABULARY);
        assertEquals(1, call.requests().size());
        assertInstanceOf(JsonGrammarProcessor.class, call.requests().get(0).processor());
        assertEquals(24, call.requests().get(0).params().maxTokens());
    }

    @Test
    void theParsedJsonIsTheResult() {
        TaskReply reply = HANDLER.parse(
                TASK,
                request(SCHEMA),
                null,
                List.of(ModerateHandlerTest.generated("{\"product\": \"kettle\"}")),
                VOCABULARY);
        assertEquals("kettle", reply.result().get("product").asText());
        assertEquals("{\"product\": \"kettle\"}", reply.output());
    }

    @Test
    void aReplyThatIsNotJsonIsAFormatError() {
        assertThrows(
                ReplyFormatException.class,
                () -> HANDLER.parse(
                        TASK,
                        request(SCHEMA),
                        null,
                        List.of(ModerateHandlerTest.generated("{\"product\": ")),
                        VOCABULARY));
    }

    @Test
    void aRequestWithoutSchemaIsRejected() {
        RejectedRequestException e =
                assertThrows(RejectedRequestException.class, () -> HANDLER.validate(TASK, request(null)));
        assertTrue(e.getMessage().contains("'params.schema' is missing"), e.getMessage());
    }

    @Test
    void aSchemaOutsideTheSupportedSubsetIsRejected() {
        RejectedRequestException e = assertThrows(
                RejectedRequestException.class,
                () -> HANDLER.validate(TASK, request("{\"type\":\"object\",\"patternProperties\":{}}")));
        assertTrue(e.getMessage().contains("supported subset"), e.getMessage());
    }
}
