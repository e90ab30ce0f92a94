package io.llamastream.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Locates the shared fixtures and loads the big tokenizers once per test JVM (o200k takes ~1 s). */
final class Fixtures {
    record Golden(String text, int[] ids, String decoded) {
        boolean hasSpecialText() {
            return text.contains("<|");
        }

        @Override
        public String toString() {
            String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
            return "\"" + shown.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "\"";
        }
    }

    private static Tokenizer o200k;
    private static Tokenizer small;

    private Fixtures() {
    }

    /**
     * The fixtures directory: the {@code llamastream.fixtures} property when it points at one,
     * else the nearest {@code shared/fixtures} above the working directory. The fallback exists
     * because the pom derives the property from the project root, which is wrong when the project
     * is a git worktree that does not sit beside {@code shared/}.
     */
    static Path dir() {
        String property = System.getProperty("llamastream.fixtures");
        if (property != null && Files.isDirectory(Path.of(property))) {
            return Path.of(property);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("fixtures");
            if (Files.isDirectory(candidate.resolve("tokenizer"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("fixtures not found: llamastream.fixtures=" + property
                + " is not a directory and no shared/fixtures lies above " + Path.of("").toAbsolutePath());
    }

    static Path file(String relative) {
        return dir().resolve(relative);
    }

    static synchronized Tokenizer o200k() {
        if (o200k == null) {
            o200k = Tokenizer.fromTokenizerJson(file("tokenizer/o200k-llama4-tokenizer.json"));
        }
        return o200k;
    }

    static synchronized Tokenizer smallBpe() {
        if (small == null) {
            small = Tokenizer.fromTokenizerJson(file("tokenizer/small-bpe-tokenizer.json"));
        }
        return small;
    }

    static JsonNode json(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Golden> goldens(String relative) {
        List<Golden> out = new ArrayList<>();
        for (JsonNode c : json(file(relative)).get("cases")) {
            out.add(new Golden(c.get("text").asText(), ids(c.get("ids")), c.get("decoded").asText()));
        }
        return out;
    }

    static int[] ids(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).asInt();
        }
        return ids;
    }

    /** Every model folder that ships a tokenizer.json. */
    static List<Path> modelTokenizers() {
        try (Stream<Path> dirs = Files.list(file("llama4"))) {
            return dirs.map(d -> d.resolve("tokenizer.json")).filter(Files::exists).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
