package io.llamastream.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.kafka.ResultEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Whether a result carries the known answer of a demo-tasks case: moderation compares the verdict
 * (safe or not, and the set of categories), translation the text, classification the label,
 * extraction the JSON compared parsed. The parsed {@code result} is used when it has the expected
 * shape, otherwise the raw {@code output} is parsed the same way.
 */
public final class Answers {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Answers() {}

    public static boolean matches(String task, String expected, ResultEvent r) {
        if (expected == null || r == null) {
            return false;
        }
        String output = r.output() == null ? "" : r.output().trim();
        JsonNode result = r.result();
        return switch (task) {
            case "moderate" -> {
                Verdict want = Verdict.parse(expected);
                Verdict got = result != null && result.path("safe").isBoolean()
                        ? new Verdict(result.get("safe").asBoolean(), categories(result.path("categories")))
                        : Verdict.parse(output);
                yield want.equals(got);
            }
            case "classify" -> {
                String label = result != null && result.path("label").isTextual()
                        ? result.get("label").asText()
                        : output;
                yield label.trim()
                        .toLowerCase(Locale.ROOT)
                        .equals(expected.trim().toLowerCase(Locale.ROOT));
            }
            case "extract" -> {
                JsonNode want = parse(expected);
                JsonNode got = result != null && result.isObject() ? result : parse(output);
                yield want != null && want.equals(got);
            }
            default ->
                output.equals(expected.trim())
                        || (result != null
                                && result.path("text").isTextual()
                                && result.get("text").asText().trim().equals(expected.trim()));
        };
    }

    private static TreeSet<String> categories(JsonNode arr) {
        TreeSet<String> out = new TreeSet<>();
        arr.forEach(n -> out.add(n.asText().trim()));
        return out;
    }

    private static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            return null;
        }
    }

    record Verdict(boolean safe, TreeSet<String> categories) {
        static Verdict parse(String text) {
            String[] lines = text.trim().split("\n");
            boolean safe = lines[0].trim().equals("safe");
            List<String> cats = new ArrayList<>();
            if (!safe && lines.length > 1) {
                for (String c : lines[1].split(",")) {
                    if (!c.isBlank()) {
                        cats.add(c.trim());
                    }
                }
            }
            if (!safe && !lines[0].trim().equals("unsafe")) {
                return new Verdict(false, new TreeSet<>(List.of("?" + lines[0])));
            }
            return new Verdict(safe, new TreeSet<>(cats));
        }
    }
}
