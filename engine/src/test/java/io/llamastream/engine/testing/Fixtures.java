package io.llamastream.engine.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's golden test data ({@code testdata/}) and reads its JSON. */
public final class Fixtures {
    private Fixtures() {}

    /**
     * The {@code llamastream.fixtures} property when it names a directory, else the nearest
     * {@code testdata} above the working directory (the repository root, seen from any module).
     */
    public static Path root() {
        String prop = System.getProperty("llamastream.fixtures");
        if (prop != null && Files.isDirectory(Path.of(prop))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("testdata");
            if (Files.isDirectory(candidate.resolve("llama4"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("test data not found: llamastream.fixtures=" + prop + " and no testdata/ above "
                + Path.of("").toAbsolutePath());
    }

    public static Path model(String name) {
        return root().resolve("llama4").resolve(name);
    }

    /** A model folder of the Llama 3 family ({@code testdata/llama3/NAME}). */
    public static Path llama3(String name) {
        return root().resolve("llama3").resolve(name);
    }

    /** An int array from a JSON array of numbers, or of objects with a {@code token} field. */
    public static int[] ints(JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = arr.get(i).isObject()
                    ? arr.get(i).get("token").asInt()
                    : arr.get(i).asInt();
        }
        return out;
    }

    public static JsonNode json(Path file) {
        try {
            return new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
