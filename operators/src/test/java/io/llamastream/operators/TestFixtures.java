package io.llamastream.operators;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Locates the shared fixtures (the {@code llamastream.fixtures} property if it names a directory,
 * else the nearest {@code shared/fixtures} above the working directory, as the engine's tests do)
 * and reads the demo-tasks golden cases.
 */
public final class TestFixtures {
    private TestFixtures() {
    }

    public static Path root() {
        String prop = System.getProperty("llamastream.fixtures");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("fixtures");
            if (Files.isDirectory(candidate.resolve("llama4"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared fixtures not found: llamastream.fixtures=" + prop
                + " and no shared/fixtures above " + Path.of("").toAbsolutePath());
    }

    public static Path model(String name) {
        return root().resolve("llama4").resolve(name);
    }

    public static JsonNode json(Path file) {
        try {
            return new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One demo-tasks golden case. */
    public record GoldenCase(int index, String task, String text, JsonNode params, String user, int[] promptIds,
                             int[] greedy, String output, String expected) {
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
            cases.add(new GoldenCase(i++, c.get("task").asText(), c.get("text").asText(), c.get("params"),
                    c.get("user").asText(), ints(c.get("prompt_ids")), ints(c.get("greedy")), c.get("output").asText(),
                    c.get("expected").asText()));
        }
        return cases;
    }

    public static int[] ints(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).isObject() ? arr.get(i).get("token").asInt() : arr.get(i).asInt();
        }
        return out;
    }
}
