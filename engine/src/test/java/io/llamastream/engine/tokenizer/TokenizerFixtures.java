package io.llamastream.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import io.llamastream.engine.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Loads the big tokenizers once per test JVM (o200k takes ~1 s). */
final class TokenizerFixtures {
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
    private static Tokenizer llama3;

    private TokenizerFixtures() {}

    static Path file(String relative) {
        return Fixtures.root().resolve(relative);
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

    /** The Llama 3 split pattern with a small BPE and Llama 3's special tokens. */
    static synchronized Tokenizer llama3() {
        if (llama3 == null) {
            llama3 = Tokenizer.fromTokenizerJson(file("llama3/llama3-tiny/tokenizer.json"));
        }
        return llama3;
    }

    static List<Golden> goldens(String relative) {
        return goldens(relative, "cases");
    }

    /** The goldens under {@code key} (a model's golden.json keeps them in {@code tokenizer_cases}). */
    static List<Golden> goldens(String relative, String key) {
        List<Golden> out = new ArrayList<>();
        for (JsonNode c : Fixtures.json(file(relative)).get(key)) {
            out.add(new Golden(
                    c.get("text").asText(),
                    Fixtures.ints(c.get("ids")),
                    c.get("decoded").asText()));
        }
        return out;
    }

    /** Every model folder that ships a tokenizer.json. */
    static List<Path> modelTokenizers() {
        try (Stream<Path> dirs = Files.list(file("llama4"))) {
            return dirs.map(d -> d.resolve("tokenizer.json"))
                    .filter(Files::exists)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
