package io.llamastream.engine.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a model path names: a Hugging Face folder (config.json, tokenizer.json, safetensors) or a
 * single GGUF file, which carries its config and tokenizer in its metadata. Every place that
 * takes a model path (CLI, operators, job) resolves it here, so both kinds work everywhere.
 */
public record ModelPath(Path path, Kind kind) {
    public enum Kind {
        HF_FOLDER,
        GGUF
    }

    /** Resolves {@code path}, refusing one that is neither a folder nor a {@code .gguf} file. */
    public static ModelPath of(Path path) {
        if (Files.isDirectory(path)) {
            return new ModelPath(path, Kind.HF_FOLDER);
        }
        if (Files.isRegularFile(path)
                && path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf")) {
            return new ModelPath(path, Kind.GGUF);
        }
        if (Files.isRegularFile(path)) {
            throw new ModelFormatException(path, "a model is a folder (Hugging Face) or a .gguf file");
        }
        throw new ModelFormatException(path, "model folder or .gguf file not found");
    }

    public boolean isGguf() {
        return kind == Kind.GGUF;
    }

    /** The name results report: the folder's name, or the file's name without {@code .gguf}. */
    public String name() {
        String n = path.toAbsolutePath().normalize().getFileName().toString();
        return isGguf() ? n.substring(0, n.length() - ".gguf".length()) : n;
    }
}
