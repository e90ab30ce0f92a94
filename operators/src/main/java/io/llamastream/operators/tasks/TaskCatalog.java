package io.llamastream.operators.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.llamastream.kafka.ContextOverflow;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tasks the pipeline accepts, by name. The built-in ones, one per {@link TaskKind} (moderate,
 * translate, classify, extract, generate; each kind's handler defines it), use exactly the prompt
 * formats the demo-tasks model was trained on; a tasks
 * file (YAML, or JSON, which YAML reads too) can override fields of a built-in task or add new
 * tasks of any {@link TaskKind}:
 * <pre>
 * tasks:
 *   summarize: {kind: generate, system: "Be brief.", template: "Summarize:\n{text}", max_tokens: 96,
 *               context_overflow: truncate_head, history: false}
 *   moderate:  {excluded_categories: [S7]}
 * </pre>
 * Template placeholders: {@code {text}}, {@code {target_language}} (the language's name),
 * {@code {labels}} ("a, b or c"), {@code {fields}} ("the a and the b") and {@code {keys}}
 * ({@code "a" and "b"}), the last two from the extraction schema's properties.
 * <p>A task's {@code chat_template} is {@code model} (the checkpoint's own Jinja template, e.g.
 * Llama Guard 3 for {@code moderate}, whose user message is then the bare text unless the task
 * names a template) or {@code builtin} (the Llama 4 layout); by default the model's template when
 * it carries one. A top-level {@code date_string} fixes the templates' date (default: today).
 */
public final class TaskCatalog implements Serializable {
    private final Map<String, TaskDefinition> tasks;
    private final String dateString;

    private TaskCatalog(Map<String, TaskDefinition> tasks, String dateString) {
        this.tasks = Collections.unmodifiableMap(new LinkedHashMap<>(tasks));
        this.dateString = dateString;
    }

    /** The five built-in tasks with the demo-tasks model's prompt formats. */
    public static TaskCatalog builtIn() {
        return new TaskCatalog(defaults(), null);
    }

    /** The built-in tasks, overridden and extended by {@code tasksFile}; null or blank means built-ins only. */
    public static TaskCatalog load(String tasksFile) {
        if (tasksFile == null || tasksFile.isBlank()) {
            return builtIn();
        }
        Path file = Path.of(tasksFile);
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tasks file " + file, e);
        }
    }

    /** The built-in tasks overridden by a tasks document (YAML or JSON); {@code origin} names it in errors. */
    public static TaskCatalog parse(String document, String origin) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(document);
        } catch (IOException e) {
            throw new IllegalArgumentException(origin + ": not YAML/JSON: " + e.getMessage(), e);
        }
        JsonNode list = root == null ? null : root.get("tasks");
        if (list == null || !list.isObject()) {
            throw new IllegalArgumentException(origin + ": expected a top-level 'tasks' mapping");
        }
        Map<String, TaskDefinition> tasks = defaults();
        for (Iterator<Map.Entry<String, JsonNode>> it = list.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            tasks.put(e.getKey(), override(tasks.get(e.getKey()), e.getKey(), e.getValue(), origin));
        }
        JsonNode date = root.get("date_string");
        return new TaskCatalog(tasks, date == null || date.isNull() ? null : date.asText());
    }

    public TaskDefinition get(String name) {
        return tasks.get(name);
    }

    /** The {@code date_string} chat templates render, or null for today. */
    public String dateString() {
        return dateString;
    }

    public Set<String> names() {
        return tasks.keySet();
    }

    private static Map<String, TaskDefinition> defaults() {
        Map<String, TaskDefinition> d = new LinkedHashMap<>();
        for (TaskKind kind : TaskKind.values()) {
            TaskDefinition task = kind.handler().builtIn();
            d.put(task.name(), task);
        }
        return d;
    }

    private static TaskDefinition override(TaskDefinition base, String name, JsonNode n, String origin) {
        if (!n.isObject()) {
            throw new IllegalArgumentException(origin + ": task '" + name + "' must be a mapping");
        }
        String where = origin + ": task '" + name + "'";
        TaskKind kind = base == null ? null : base.kind();
        if (n.has("kind")) {
            kind = TaskKind.fromName(n.get("kind").asText());
            if (kind == null) {
                throw new IllegalArgumentException(
                        where + ": unknown kind '" + n.get("kind").asText() + "' (" + TaskKind.fileNames() + ")");
            }
        }
        if (kind == null) {
            throw new IllegalArgumentException(where + ": a new task needs a 'kind'");
        }
        if (base == null && !n.has("template")) {
            throw new IllegalArgumentException(where + ": a new task needs a 'template'");
        }
        ChatTemplateChoice chat = base == null ? ChatTemplateChoice.AUTO : base.chatTemplate();
        if (n.has("chat_template")) {
            chat = ChatTemplateChoice.fromName(n.get("chat_template").asText());
            if (chat == null) {
                throw new IllegalArgumentException(where + ": chat_template must be model or builtin");
            }
        }
        String system = n.has("system") ? n.get("system").asText() : base == null ? null : base.system();
        PromptTemplate template = n.has("template")
                ? new PromptTemplate(n.get("template").asText())
                : chat == ChatTemplateChoice.MODEL
                        ? kind.handler().templateUnderModelFormat(base.template())
                        : base.template();
        int maxTokens = n.has("max_tokens") ? n.get("max_tokens").asInt() : base == null ? 128 : base.maxTokens();
        double temperature =
                n.has("temperature") ? n.get("temperature").asDouble() : base == null ? 0 : base.temperature();
        ContextOverflow overflow = base == null ? ContextOverflow.REJECT : base.contextOverflow();
        if (n.has("context_overflow")) {
            overflow = ContextOverflow.fromWire(n.get("context_overflow").asText());
            if (overflow == null) {
                throw new IllegalArgumentException(
                        where + ": context_overflow must be reject, truncate_head or " + "truncate_tail");
            }
        }
        boolean history = n.has("history") ? n.get("history").asBoolean() : base != null && base.useHistory();
        Map<String, String> languages = base == null ? Map.of() : base.languages();
        if (n.has("languages")) {
            languages = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.get("languages").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                languages.put(e.getKey(), e.getValue().asText());
            }
        }
        List<String> excluded = base == null ? List.of() : base.excludedCategories();
        if (n.has("excluded_categories")) {
            excluded = new ArrayList<>();
            for (JsonNode c : n.get("excluded_categories")) {
                excluded.add(c.asText());
            }
        }
        TaskDefinition task = new TaskDefinition(
                name, kind, system, template, maxTokens, temperature, overflow, history, languages, excluded, chat);
        kind.handler().checkDefinition(task, where);
        return task;
    }
}
