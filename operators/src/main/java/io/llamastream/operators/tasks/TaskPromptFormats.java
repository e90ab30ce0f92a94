package io.llamastream.operators.tasks;

import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.tokenizer.ChatFormat;
import io.llamastream.engine.tokenizer.ChatTemplate;
import io.llamastream.engine.tokenizer.PromptFormat;
import io.llamastream.engine.tokenizer.Tokenizer;
import java.util.Optional;

/**
 * The prompt formats one model offers (its own chat template, rendered with the tasks file's
 * {@code date_string}, and the built-in Llama 4 layout when its vocabulary has the control tokens)
 * and which one each task uses, by its {@link ChatTemplateChoice}. {@link #check} refuses a
 * catalog asking for a format the model lacks when the job starts, not at the first event.
 */
public final class TaskPromptFormats {
    private final PromptFormat template;
    private final PromptFormat builtin;
    private final String modelName;

    private TaskPromptFormats(PromptFormat template, PromptFormat builtin, String modelName) {
        this.template = template;
        this.builtin = builtin;
        this.modelName = modelName;
    }

    /** {@code dateString} null means today (UTC) at each prompt. */
    public static TaskPromptFormats of(
            Optional<ChatTemplate> template, Tokenizer tokenizer, String dateString, String modelName) {
        return new TaskPromptFormats(
                template.map(t -> t.withDate(dateString)).orElse(null),
                ChatFormat.supports(tokenizer) ? new ChatFormat(tokenizer) : null,
                modelName);
    }

    /** The formats of a loaded model for {@code catalog}'s tasks, checked. */
    public static TaskPromptFormats of(Llama4Model model, TaskCatalog catalog) {
        return of(model.chatTemplate(), model.tokenizer(), catalog.dateString(), model.name())
                .check(catalog);
    }

    /** The built-in Llama 4 layout only (a model without a template). */
    public static TaskPromptFormats builtinOnly(Tokenizer tokenizer) {
        return new TaskPromptFormats(null, new ChatFormat(tokenizer), "the model");
    }

    /**
     * The format {@code task} uses.
     *
     * @throws IllegalStateException naming the task and the model if the model lacks it
     */
    public PromptFormat forTask(TaskDefinition task) {
        PromptFormat f = switch (task.chatTemplate()) {
            case MODEL -> template;
            case BUILTIN -> builtin;
            case AUTO -> template != null ? template : builtin;
        };
        if (f == null) {
            throw new IllegalStateException("task '" + task.name() + "' uses "
                    + (task.chatTemplate() == ChatTemplateChoice.MODEL
                            ? "the model's chat template, but " + modelName + " carries none"
                            : "the built-in Llama 4 chat format, but the vocabulary of " + modelName
                                    + " lacks its control tokens")
                    + " (set chat_template: model or builtin in the tasks file)");
        }
        return f;
    }

    /** Checks every task of {@code catalog} has its format. */
    public TaskPromptFormats check(TaskCatalog catalog) {
        catalog.names().forEach(name -> forTask(catalog.get(name)));
        return this;
    }
}
