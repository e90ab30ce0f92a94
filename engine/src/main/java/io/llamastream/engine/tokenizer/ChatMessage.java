package io.llamastream.engine.tokenizer;

import java.util.Objects;

/**
 * One turn of a conversation: a role ({@code system}, {@code user}, {@code assistant}, ...) and its
 * text content.
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (role.isEmpty()) {
            throw new IllegalArgumentException("role must not be empty");
        }
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
