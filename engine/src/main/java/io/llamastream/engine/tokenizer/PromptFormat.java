package io.llamastream.engine.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How one model turns a conversation into prompt ids, and which token ends its turn. Two kinds
 * exist: the built-in Llama 4 layout ({@link ChatFormat}) and a checkpoint's own Jinja template
 * ({@link ChatTemplate}); callers that build prompts work with either.
 */
public interface PromptFormat {
    /**
     * The prompt for a conversation; with {@code addGenerationPrompt} it ends with the open
     * assistant turn, ready for generation.
     */
    int[] encodeDialog(List<ChatMessage> messages, boolean addGenerationPrompt);

    /** The token the model ends its turn with (its reply stops there). */
    int endOfTurnId();

    /**
     * The format of the model in {@code dir}: its own chat template when it carries one, else the
     * built-in Llama 4 layout. Reads only {@code chat_template.jinja} / {@code tokenizer_config.json}.
     *
     * @throws IllegalArgumentException if the model has no template and its vocabulary lacks Llama 4's control tokens
     */
    static PromptFormat forModel(Path dir, Tokenizer tokenizer) {
        return ChatTemplate.forModel(dir, tokenizer).<PromptFormat>map(t -> t).orElseGet(() -> builtin(dir, tokenizer));
    }

    /**
     * The built-in Llama 4 layout for the model in {@code dir}.
     *
     * @throws IllegalArgumentException naming the folder if its vocabulary lacks Llama 4's control tokens
     */
    static ChatFormat builtin(Path dir, Tokenizer tokenizer) {
        if (!ChatFormat.supports(tokenizer)) {
            throw new IllegalArgumentException(dir + ": no chat template (" + TokenizerConfig.TEMPLATE_FILE
                    + " or 'chat_template' in " + TokenizerConfig.CONFIG_FILE
                    + ") and the vocabulary lacks the built-in Llama 4 format's control tokens");
        }
        return new ChatFormat(tokenizer);
    }

    /** A single-turn prompt: optional system message (null or empty for none), the user message, open assistant turn. */
    default int[] encodeUserPrompt(String system, String user) {
        List<ChatMessage> messages = new ArrayList<>(2);
        if (system != null && !system.isEmpty()) {
            messages.add(ChatMessage.system(system));
        }
        messages.add(ChatMessage.user(user));
        return encodeDialog(messages, true);
    }
}
