package io.llamastream.operators.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.operators.TestFixtures;
import io.llamastream.operators.TestRequests;
import java.util.List;
import org.junit.jupiter.api.Test;

class TranslateHandlerTest {
    static final TaskDefinition TASK = TaskCatalog.builtIn().get("translate");
    static final TranslateHandler HANDLER = new TranslateHandler();

    static ValidRequest request(String target) {
        return TestRequests.valid(
                "t1", "translate", null, "The doctor likes the bread.", target, new String[0], null, 0);
    }

    @Test
    void theResultNamesTheTargetLanguageAndTheTranslationWithoutEndOfTurn() {
        TaskReply reply = HANDLER.parse(
                TASK,
                request("fr"),
                null,
                List.of(ModerateHandlerTest.generated("Le docteur aime le pain.")),
                TestFixtures.demoVocabulary());
        assertEquals("Le docteur aime le pain.", reply.output());
        assertEquals("fr", reply.result().get("target_language").asText());
        assertEquals("Le docteur aime le pain.", reply.result().get("text").asText());
    }

    @Test
    void aLanguageTheTaskDoesNotListIsRejected() {
        RejectedRequestException e =
                assertThrows(RejectedRequestException.class, () -> HANDLER.validate(TASK, request("de")));
        assertTrue(e.getMessage().contains("params.target_language"), e.getMessage());
    }

    @Test
    void aTranslateTaskWithoutLanguagesIsRefusedInTheTasksFile() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> TaskCatalog.parse(
                        "tasks:\n  render: {kind: translate, template: \"To {target_language}: {text}\", languages: {}}\n",
                        "f.yaml"));
        assertTrue(e.getMessage().contains("f.yaml: task 'render'"), e.getMessage());
    }
}
