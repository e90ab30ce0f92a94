package io.llamastream.operators.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TaskKindTest {

    @Test
    void everyKindsBuiltInTaskIsNamedAfterItAndHasThatKind() {
        for (TaskKind kind : TaskKind.values()) {
            TaskDefinition task = kind.handler().builtIn();
            assertEquals(kind.fileName(), task.name());
            assertSame(kind, task.kind());
        }
    }

    @Test
    void theBuiltInCatalogueHasOneTaskPerKindInCatalogueOrder() {
        assertEquals(
                List.of("moderate", "translate", "classify", "extract", "generate"),
                List.copyOf(TaskCatalog.builtIn().names()));
    }

    @Test
    void anUnknownKindInTheTasksFileIsRefusedListingTheKnownOnes() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> TaskCatalog.parse("tasks:\n  x: {kind: summarise, template: \"{text}\"}\n", "f.yaml"));
        assertEquals(
                "f.yaml: task 'x': unknown kind 'summarise' (moderate, translate, classify, extract, generate)",
                e.getMessage());
    }
}
