package io.llamastream.operators.tasks;

import java.util.Locale;

/**
 * Which prompt format a task's conversation goes through ({@code chat_template} in a tasks file):
 * the checkpoint's own Jinja template ({@code model}: Llama 3.x, Llama Guard 3), the built-in
 * Llama 4 layout ({@code builtin}: what the demo-tasks model was trained on), or, when the file
 * says nothing, the model's template if it carries one and the built-in layout otherwise.
 */
public enum ChatTemplateChoice {
    AUTO,
    MODEL,
    BUILTIN;

    /** {@code model} or {@code builtin}; null for anything else. */
    public static ChatTemplateChoice fromName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "model" -> MODEL;
            case "builtin" -> BUILTIN;
            default -> null;
        };
    }
}
