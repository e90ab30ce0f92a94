package io.llamastream.operators.tasks;

import io.llamastream.kafka.ContextOverflow;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * One task the pipeline serves: its kind (decoding path and reply parser), optional system prompt,
 * user-message template, default decoding parameters (a request's params override them), what to
 * do when the prompt does not fit the context, whether a session's earlier turns are prepended,
 * and kind-specific settings: the target languages a translation task accepts (code to the name
 * the template uses) and the moderation categories to ignore.
 */
public record TaskDefinition(String name, TaskKind kind, String system, PromptTemplate template, int maxTokens,
                             double temperature, ContextOverflow contextOverflow, boolean useHistory,
                             Map<String, String> languages, List<String> excludedCategories)
        implements Serializable {

    public TaskDefinition {
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
