package io.llamastream.engine.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared golden fixtures ({@code ../shared/fixtures}) and reads their JSON. */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path root() {
        String prop = System.getProperty("llamastream.fixtures");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "shared", "fixtures");
        if (!Files.isDirectory(p)) {
            p = Path.of("..", "..", "shared", "fixtures");
        }
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("shared fixtures not found (set -Dllamastream.fixtures): " + p.toAbsolutePath());
        }
        return p.toAbsolutePath().normalize();
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
}
