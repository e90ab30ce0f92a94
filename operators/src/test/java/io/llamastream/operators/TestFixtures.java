package io.llamastream.operators;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.testing.Fixtures;
import io.llamastream.engine.tokenizer.ChatFormat;
import io.llamastream.engine.tokenizer.Tokenizer;
import io.llamastream.operators.grammar.Grammar;
import io.llamastream.operators.grammar.JsonSchemaCompiler;
import io.llamastream.operators.grammar.VocabularyIndex;
import io.llamastream.operators.tasks.ModelVocabulary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared fixtures as the engine's tests find them ({@link Fixtures}), plus the demo-tasks
 * golden cases in the shape the pipeline tests use.
 */
public final class TestFixtures {
    private TestFixtures() {}

    public static Path root() {
        return Fixtures.root();
    }

    public static Path model(String name) {
        return Fixtures.model(name);
    }

    public static JsonNode json(Path file) {
        return Fixtures.json(file);
    }

    /** One demo-tasks golden case. */
    public record GoldenCase(
            int index,
            String task,
            String text,
            JsonNode params,
            String user,
            int[] promptIds,
            int[] greedy,
            String output,
            String expected) {
        @Override
        public String toString() {
            return "case " + index + " (" + task + ")";
        }
    }

    public static List<GoldenCase> demoTasksCases() {
        JsonNode g = json(model("demo-tasks").resolve("golden.json"));
        List<GoldenCase> cases = new ArrayList<>();
        int i = 0;
        for (JsonNode c : g.get("cases")) {
            cases.add(new GoldenCase(
                    i++,
                    c.get("task").asText(),
                    c.get("text").asText(),
                    c.get("params"),
                    c.get("user").asText(),
                    ints(c.get("prompt_ids")),
                    ints(c.get("greedy")),
                    c.get("output").asText(),
                    c.get("expected").asText()));
        }
        return cases;
    }

    /** The demo-tasks model's vocabulary as the task handlers read it, without loading its weights. */
    public static ModelVocabulary demoVocabulary() {
        Path dir = model("demo-tasks");
        Tokenizer tokenizer = Tokenizer.fromTokenizerJson(dir.resolve("tokenizer.json"));
        TextModelConfig config = TextModelConfig.read(dir.resolve("config.json"));
        VocabularyIndex index = new VocabularyIndex(tokenizer);
        return new ModelVocabulary(
                tokenizer,
                new ChatFormat(tokenizer).endOfTurnId(),
                config::isEos,
                json -> new Grammar(JsonSchemaCompiler.compile(json), index));
    }

    public static int[] ints(JsonNode arr) {
        return Fixtures.ints(arr);
    }
}
