package io.llamastream.operators.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llamastream.kafka.ContextOverflow;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskCatalogFileTest {

    @Test
    void fileAddsANewTaskWithItsOwnTemplateAndDecoding() {
        TaskCatalog c = TaskCatalog.parse("""
                tasks:
                  summarize:
                    kind: generate
                    system: Be brief.
                    template: "Summarize:\\n{text}"
                    max_tokens: 42
                    context_overflow: truncate_tail
                """, "test");
        TaskDefinition t = c.get("summarize");
        assertEquals(TaskKind.GENERATE, t.kind());
        assertEquals("Be brief.", t.system());
        assertEquals(42, t.maxTokens());
        assertEquals(ContextOverflow.TRUNCATE_TAIL, t.contextOverflow());
        assertEquals("Summarize:\nhello", UserMessage.render(t, "hello", null, null, null));
        assertTrue(c.names().contains("moderate"), "built-ins stay");
    }

    @Test
    void fileOverridesOnlyTheGivenFieldsOfABuiltInTask() {
        TaskCatalog c = TaskCatalog.parse("{\"tasks\": {\"moderate\": {\"excluded_categories\": [\"S7\"]}}}", "t");
        TaskDefinition t = c.get("moderate");
        assertEquals(List.of("S7"), t.excludedCategories());
        assertEquals(ModerateHandler.TEMPLATE, t.template().text());
    }

    @Test
    void newTaskWithoutKindIsRejectedNamingIt() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> TaskCatalog.parse("tasks:\n  foo:\n    template: x\n", "f.yaml"));
        assertTrue(e.getMessage().contains("'foo'"), e.getMessage());
    }

    @Test
    void substitutedTextIsNotExpandedAgain() {
        TaskDefinition t = TaskCatalog.builtIn().get("classify");
        String m = UserMessage.render(t, "{labels}", null, List.of("a", "b"), null);
        assertTrue(m.endsWith("Review: {labels}"), m);
        assertTrue(m.contains("as a or b."), m);
    }
}
