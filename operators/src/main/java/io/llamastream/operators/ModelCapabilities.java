package io.llamastream.operators;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llamastream.engine.checkpoint.ModelPath;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a model can take, read from its {@code config.json} (a GGUF file: text only) without loading weights (the
 * validating operator runs before, and apart from, the engine): its name (the folder's, as the
 * engine reports it) and whether it has a vision encoder ({@code vision_config}).
 */
public record ModelCapabilities(String name, boolean vision) implements Serializable {

    public static ModelCapabilities read(String modelDir) {
        Path dir = Path.of(modelDir).toAbsolutePath().normalize();
        ModelPath model = ModelPath.of(dir);
        if (model.isGguf()) {
            return new ModelCapabilities(model.name(), false);
        }
        try {
            JsonNode config = new ObjectMapper().readTree(Files.readString(dir.resolve("config.json")));
            return new ModelCapabilities(dir.getFileName().toString(), config.hasNonNull("vision_config"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve("config.json"), e);
        }
    }
}
