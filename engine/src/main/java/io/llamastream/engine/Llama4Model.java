package io.llamastream.engine;

import io.llamastream.engine.decoder.TextModel;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.Checkpoint;
import io.llamastream.engine.model.TextModelConfig;
import io.llamastream.engine.safetensors.ModelFormatException;
import io.llamastream.engine.tokenizer.ChatFormat;
import io.llamastream.engine.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Llama 4 model folder loaded for inference: configuration, text decoder weights, tokenizer
 * and chat format. This is the one entry point callers use; the vision tower, when the folder
 * has one, is loaded separately by the media encoders.
 */
public final class Llama4Model {
    private final Path dir;
    private final String name;
    private final TextModelConfig config;
    private final TextModel textModel;
    private final Tokenizer tokenizer;
    private final ChatFormat chatFormat;

    private Llama4Model(Path dir, TextModelConfig config, TextModel textModel, Tokenizer tokenizer) {
        this.dir = dir;
        this.name = dir.toAbsolutePath().normalize().getFileName().toString();
        this.config = config;
        this.textModel = textModel;
        this.tokenizer = tokenizer;
        this.chatFormat = new ChatFormat(tokenizer);
    }

    /** Loads {@code dir} with the shared compute pool; failures name the file and the problem. */
    public static Llama4Model load(Path dir) {
        return load(dir, ComputePool.shared());
    }

    public static Llama4Model load(Path dir, ComputePool pool) {
        if (!Files.isDirectory(dir)) {
            throw new ModelFormatException(dir, "model folder not found");
        }
        TextModelConfig config = TextModelConfig.read(dir.resolve("config.json"));
        Tokenizer tokenizer = Tokenizer.fromTokenizerJson(dir.resolve("tokenizer.json"));
        int imageToken = tokenizer.hasToken("<|patch|>") ? tokenizer.tokenId("<|patch|>") : -1;
        TextModel text;
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            text = TextModel.load(checkpoint, config, imageToken, pool);
        }
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new ModelFormatException(dir.resolve("tokenizer.json"), "has " + tokenizer.vocabSize()
                    + " tokens but the model's vocabulary is " + config.vocabSize());
        }
        return new Llama4Model(dir, config, text, tokenizer);
    }

    public Path dir() {
        return dir;
    }

    /** The folder's name, reported as the model in results. */
    public String name() {
        return name;
    }

    public TextModelConfig config() {
        return config;
    }

    public TextModel textModel() {
        return textModel;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ChatFormat chatFormat() {
        return chatFormat;
    }
}
