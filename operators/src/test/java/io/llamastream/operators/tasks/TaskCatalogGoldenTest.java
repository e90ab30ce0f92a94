package io.llamastream.operators.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.engine.tokenizer.ChatFormat;
import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.operators.TestFixtures;
import io.llamastream.operators.TestFixtures.GoldenCase;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TaskCatalogGoldenTest {
    private static final Tokenizer TOKENIZER =
            Tokenizer.fromTokenizerJson(TestFixtures.model("demo-tasks").resolve("tokenizer.json"));
    private static final TaskCatalog CATALOG = TaskCatalog.builtIn();

    static Stream<GoldenCase> cases() {
        return TestFixtures.demoTasksCases().stream();
    }

    static String render(GoldenCase c) {
        JsonNode p = c.params();
        List<String> labels = new ArrayList<>();
        p.path("labels").forEach(l -> labels.add(l.asText()));
        List<String> keys = new ArrayList<>();
        p.path("schema").path("properties").fieldNames().forEachRemaining(keys::add);
        String lang = p.has("target_language") ? p.get("target_language").asText() : null;
        return UserMessage.render(CATALOG.get(c.task()), c.text(), lang, labels, keys);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void userMessageEqualsGolden(GoldenCase c) {
        assertEquals(c.user(), render(c));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void chatFormatTokensEqualGoldenPromptIds(GoldenCase c) {
        TaskDefinition task = CATALOG.get(c.task());
        assertArrayEquals(c.promptIds(), new ChatFormat(TOKENIZER).encodeUserPrompt(task.system(), render(c)));
    }
}
