package io.llamastream.operators.tasks;

import io.llamastream.kafka.ContextOverflow;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * One task the pipeline serves: its kind (decoding path and reply parser), optional system prompt,
 * user-message template, default decoding parameters (a request's params override them), what to
 * do when the prompt does not fit the context, whether a session's earlier turns are prepended,
 * kind-specific settings (the target languages a translation task accepts, code to the name the
 * template uses, and the moderation categories to ignore) and which chat format the conversation
 * goes through ({@link ChatTemplateChoice}).
 */
public record TaskDefinition(
        String name,
        TaskKind kind,
        String system,
        PromptTemplate template,
        int maxTokens,
        double temperature,
        ContextOverflow contextOverflow,
        boolean useHistory,
        Map<String, String> languages,
        List<String> excludedCategories,
        ChatTemplateChoice chatTemplate)
        implements Serializable {

    /** A task in the default format ({@link ChatTemplateChoice#AUTO}). */
    public TaskDefinition(
            String name,
            TaskKind kind,
            String system,
            PromptTemplate template,
            int maxTokens,
            double temperature,
            ContextOverflow contextOverflow,
            boolean useHistory,
            Map<String, String> languages,
            List<String> excludedCategories) {
        this(
                name,
                kind,
                system,
                template,
                maxTokens,
                temperature,
                contextOverflow,
                useHistory,
                languages,
                excludedCategories,
                ChatTemplateChoice.AUTO);
    }

    public TaskDefinition {
        chatTemplate = chatTemplate == null ? ChatTemplateChoice.AUTO : chatTemplate;
        languages = languages == null ? Map.of() : Map.copyOf(languages);
        excludedCategories = excludedCategories == null ? List.of() : List.copyOf(excludedCategories);
        if (maxTokens < 1) {
            throw new IllegalArgumentException("task '" + name + "': max_tokens must be >= 1, got " + maxTokens);
        }
        if (temperature < 0) {
            throw new IllegalArgumentException("task '" + name + "': temperature must be >= 0, got " + temperature);
        }
    }

    /** The handler of this task's kind. */
    public TaskHandler handler() {
        return kind.handler();
    }
}
