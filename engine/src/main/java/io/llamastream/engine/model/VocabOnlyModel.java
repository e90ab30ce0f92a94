package io.llamastream.engine.model;

import io.llamastream.engine.checkpoint.ModelPath;
import io.llamastream.engine.checkpoint.TextModelConfig;
import io.llamastream.engine.checkpoint.gguf.GgufFile;
import io.llamastream.engine.checkpoint.gguf.GgufModelConfig;
import io.llamastream.engine.checkpoint.gguf.GgufTokenizer;
import io.llamastream.engine.tokenizer.ChatTemplate;
import io.llamastream.engine.tokenizer.PromptFormat;
import io.llamastream.engine.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a model prompts with, read without its weights, like llama.cpp's vocab-only mode: the
 * config (so an unsupported family is refused), the tokenizer and the chat template. A folder
 * holding only {@code config.json}, {@code tokenizer.json} and the template files is enough, as is
 * a GGUF file, whose metadata alone is read.
 */
public record VocabOnlyModel(
        TextModelConfig config, Tokenizer tokenizer, Optional<ChatTemplate> chatTemplate, Path path) {

    public static VocabOnlyModel load(Path model) {
        if (ModelPath.of(model).isGguf()) {
            try (GgufFile gguf = GgufFile.open(model)) {
                Tokenizer tokenizer = GgufTokenizer.read(gguf);
                return new VocabOnlyModel(
                        GgufModelConfig.read(gguf), tokenizer, GgufTokenizer.chatTemplate(gguf, tokenizer), model);
            }
        }
        TextModelConfig config = TextModelConfig.read(model.resolve("config.json"));
        Tokenizer tokenizer = Tokenizer.fromTokenizerJson(model.resolve("tokenizer.json"));
        return new VocabOnlyModel(config, tokenizer, ChatTemplate.forModel(model, tokenizer), model);
    }

    /** The model's own template, else the built-in Llama 4 layout ({@link PromptFormat#builtin}). */
    public PromptFormat promptFormat() {
        return chatTemplate.<PromptFormat>map(t -> t).orElseGet(() -> PromptFormat.builtin(path, tokenizer));
    }
}
