package io.llamastream.sql;

import static io.llamastream.sql.LlamastreamModelOptions.*;

import io.llamastream.kafka.ContextOverflow;
import io.llamastream.operators.BatchingSettings;
import io.llamastream.operators.EngineSettings;
import io.llamastream.operators.InputLimits;
import io.llamastream.operators.SharedEngine;
import io.llamastream.operators.grammar.JsonSchemaCompiler;
import io.llamastream.operators.tasks.ClassifyHandler;
import io.llamastream.operators.tasks.TaskCatalog;
import io.llamastream.operators.tasks.TaskDefinition;
import io.llamastream.operators.tasks.TaskKind;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;

/**
 * One {@code CREATE MODEL}'s options, checked and resolved: the task (with a replaced system prompt
 * if given) and its fixed parameters, the engine, batching and input limits of the shared engine,
 * the date chat templates render (null: today) and the per-row deadline (0: none). Unset numbers are -1 so the task's own defaults apply, as for
 * a request without params in the DataStream job. Every error names the option it is about.
 */
public record ModelSettings(
        String modelDir,
        String tasksFile,
        TaskDefinition task,
        String targetLanguage,
        String[] labels,
        String schemaJson,
        int maxTokens,
        double temperature,
        long seed,
        String contextOverflow,
        EngineSettings engine,
        BatchingSettings batching,
        InputLimits limits,
        String dateString,
        long deadlineMs)
        implements Serializable {

    /** Reads and checks the options; {@code model} names the model in every error. */
    public static ModelSettings from(ReadableConfig options, String model) {
        Check check = new Check(model);
        String modelDir = options.get(MODEL_DIR);
        String tasksFile = options.get(TASKS_FILE);
        TaskCatalog catalog;
        try {
            catalog = TaskCatalog.load(tasksFile);
        } catch (RuntimeException e) {
            throw check.fail(TASKS_FILE, e.getMessage());
        }
        String taskName = options.get(TASK);
        TaskDefinition task = catalog.get(taskName);
        if (task == null) {
            throw check.fail(
                    TASK, "'" + taskName + "' is not a task; known tasks: " + String.join(", ", catalog.names()));
        }
        Optional<String> system = options.getOptional(SYSTEM_PROMPT);
        if (system.isPresent()) {
            task = new TaskDefinition(
                    task.name(),
                    task.kind(),
                    system.get(),
                    task.template(),
                    task.maxTokens(),
                    task.temperature(),
                    task.contextOverflow(),
                    task.useHistory(),
                    task.languages(),
                    task.excludedCategories());
        }
        check.onlyFor(options, TARGET_LANGUAGE, task, TaskKind.TRANSLATE);
        check.onlyFor(options, LABELS, task, TaskKind.CLASSIFY);
        check.onlyFor(options, SCHEMA, task, TaskKind.EXTRACT);
        String target = options.get(TARGET_LANGUAGE);
        if (task.kind() == TaskKind.TRANSLATE
                && (target == null || !task.languages().containsKey(target))) {
            throw check.fail(
                    TARGET_LANGUAGE,
                    "must be one of " + task.languages().keySet() + " for task '" + task.name() + "', got "
                            + (target == null ? "nothing" : "'" + target + "'"));
        }
        List<String> labels = options.getOptional(LABELS).orElse(List.of());
        if (task.kind() == TaskKind.CLASSIFY && !ClassifyHandler.labelsAreValid(labels)) {
            throw check.fail(LABELS, "must hold at least 2 distinct, non-blank labels separated by ';', got " + labels);
        }
        String schema = options.get(SCHEMA);
        if (task.kind() == TaskKind.EXTRACT) {
            if (schema == null) {
                throw check.fail(SCHEMA, "is required for task '" + task.name() + "'");
            }
            try {
                JsonSchemaCompiler.compile(schema);
            } catch (IllegalStateException e) {
                throw check.fail(SCHEMA, "is not JSON: " + e.getCause().getMessage());
            } catch (IllegalArgumentException e) {
                throw check.fail(SCHEMA, "is outside the supported subset: " + e.getMessage());
            }
        }
        int maxTokens = options.getOptional(MAX_TOKENS).orElse(-1);
        if (options.getOptional(MAX_TOKENS).isPresent() && maxTokens < 1) {
            throw check.fail(MAX_TOKENS, "must be at least 1, got " + maxTokens);
        }
        double temperature = options.getOptional(TEMPERATURE).orElse(-1.0);
        if (options.getOptional(TEMPERATURE).isPresent() && !(temperature >= 0)) {
            throw check.fail(TEMPERATURE, "must be 0 or more, got " + temperature);
        }
        String overflow = options.get(CONTEXT_OVERFLOW);
        if (overflow != null && ContextOverflow.fromWire(overflow) == null) {
            throw check.fail(
                    CONTEXT_OVERFLOW, "must be reject, truncate_head or truncate_tail, got '" + overflow + "'");
        }
        String weightFormat = options.get(WEIGHT_FORMAT);
        try {
            if (weightFormat != null) {
                SharedEngine.weightFormat(weightFormat);
            }
        } catch (IllegalArgumentException e) {
            throw check.fail(WEIGHT_FORMAT, e.getMessage());
        }
        EngineSettings engine = new EngineSettings(
                check.atLeast(options, ENGINE_THREADS, 0),
                options.get(KV_CACHE_SIZE).getBytes(),
                options.get(PREFIX_CACHE_SIZE).getBytes(),
                weightFormat);
        BatchingSettings batching = new BatchingSettings(
                check.atLeast(options, MAX_BATCH_SIZE, 1),
                options.get(MAX_WAIT).toMillis(),
                check.atLeast(options, TOKEN_BUDGET, 1));
        InputLimits limits = new InputLimits(
                check.atLeast(options, MAX_TEXT_CHARS, 1),
                check.atLeast(options, MAX_IMAGES, 0),
                InputLimits.defaults().maxVideoFrames(),
                options.get(MAX_IMAGE_PIXELS),
                check.atLeast(options, MAX_CONTEXT_TOKENS, 16));
        long deadlineMs = options.getOptional(DEADLINE).map(Duration::toMillis).orElse(0L);
        return new ModelSettings(
                modelDir,
                tasksFile,
                task,
                target,
                labels.toArray(String[]::new),
                schema,
                maxTokens,
                temperature,
                options.get(SEED),
                overflow,
                engine,
                batching,
                limits,
                options.getOptional(DATE_STRING).orElse(catalog.dateString()),
                deadlineMs);
    }

    /** Builds the errors, each naming the model and the option. */
    private record Check(String model) {
        ValidationException fail(ConfigOption<?> option, String problem) {
            return new ValidationException("model " + model + ": option '" + option.key() + "' " + problem);
        }

        void onlyFor(ReadableConfig options, ConfigOption<?> option, TaskDefinition task, TaskKind kind) {
            if (task.kind() != kind && options.getOptional(option).isPresent()) {
                throw fail(
                        option,
                        "applies to " + kind.name().toLowerCase() + " tasks only, and task '" + task.name() + "' is "
                                + task.kind().name().toLowerCase());
            }
        }

        int atLeast(ReadableConfig options, ConfigOption<Integer> option, int min) {
            int value = options.get(option);
            if (value < min) {
                throw fail(option, "must be at least " + min + ", got " + value);
            }
            return value;
        }
    }
}
