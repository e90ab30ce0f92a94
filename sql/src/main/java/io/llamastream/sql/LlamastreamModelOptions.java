package io.llamastream.sql;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * The {@code WITH (...)} options of {@code CREATE MODEL ... WITH ('provider' = 'llamastream')}: the
 * model folder, the task and its parameters, and the same engine, batching and input-limit settings
 * as the DataStream job (same defaults). Numbers, sizes and durations are typed, so Flink's own
 * parser rejects a bad value naming the option; the rest is checked by {@link ModelSettings}.
 */
public final class LlamastreamModelOptions {
    private LlamastreamModelOptions() {}

    public static final ConfigOption<String> MODEL_DIR = ConfigOptions.key("model.dir")
            .stringType()
            .noDefaultValue()
            .withDescription(
                    "Model folder (config.json, tokenizer.json, safetensors) or a .gguf file, readable on every TaskManager.");

    public static final ConfigOption<String> TASK = ConfigOptions.key("task")
            .stringType()
            .noDefaultValue()
            .withDescription("moderate, translate, classify, extract, generate, or a task of 'tasks-file'.");

    public static final ConfigOption<String> TASKS_FILE = ConfigOptions.key("tasks-file")
            .stringType()
            .noDefaultValue()
            .withDescription("Optional tasks file (YAML/JSON) overriding or adding tasks, as for the DataStream job.");

    public static final ConfigOption<String> TARGET_LANGUAGE = ConfigOptions.key("target-language")
            .stringType()
            .noDefaultValue()
            .withDescription("translate: the target language code, one of the task's languages.");

    public static final ConfigOption<List<String>> LABELS = ConfigOptions.key("labels")
            .stringType()
            .asList()
            .noDefaultValue()
            .withDescription("classify: at least two distinct labels, separated by ';'.");

    public static final ConfigOption<String> SCHEMA = ConfigOptions.key("schema")
            .stringType()
            .noDefaultValue()
            .withDescription("extract: the JSON schema of the reply (the supported subset).");

    public static final ConfigOption<String> SYSTEM_PROMPT = ConfigOptions.key("system-prompt")
            .stringType()
            .noDefaultValue()
            .withDescription("Replaces the task's system prompt.");

    public static final ConfigOption<Integer> MAX_TOKENS = ConfigOptions.key("max-tokens")
            .intType()
            .noDefaultValue()
            .withDescription("Reply budget in tokens; the task's own by default.");

    public static final ConfigOption<Double> TEMPERATURE = ConfigOptions.key("temperature")
            .doubleType()
            .noDefaultValue()
            .withDescription("Sampling temperature (0 = greedy); the task's own by default.");

    public static final ConfigOption<Long> SEED =
            ConfigOptions.key("seed").longType().defaultValue(0L).withDescription("Sampling seed.");

    public static final ConfigOption<String> CONTEXT_OVERFLOW = ConfigOptions.key("context-overflow")
            .stringType()
            .noDefaultValue()
            .withDescription("reject, truncate_head or truncate_tail; the task's own by default.");

    public static final ConfigOption<String> WEIGHT_FORMAT = ConfigOptions.key("weight-format")
            .stringType()
            .noDefaultValue()
            .withDescription("Weights in memory: native, f32, bf16, q8 or q4; by default native for a .gguf file"
                    + " (its types as stored), bf16 for a folder.");

    public static final ConfigOption<Integer> ENGINE_THREADS = ConfigOptions.key("engine.threads")
            .intType()
            .defaultValue(0)
            .withDescription("Compute threads of the shared engine; 0 = available cores.");

    public static final ConfigOption<MemorySize> KV_CACHE_SIZE = ConfigOptions.key("engine.kv-cache-size")
            .memoryType()
            .defaultValue(MemorySize.parse("1g"))
            .withDescription("KV cache budget of the engine.");

    public static final ConfigOption<MemorySize> PREFIX_CACHE_SIZE = ConfigOptions.key("engine.prefix-cache-size")
            .memoryType()
            .defaultValue(MemorySize.parse("256m"))
            .withDescription("Prefix cache budget of the engine.");

    public static final ConfigOption<Integer> MAX_BATCH_SIZE = ConfigOptions.key("batching.max-batch-size")
            .intType()
            .defaultValue(32)
            .withDescription("Sequences the engine runs together.");

    public static final ConfigOption<Duration> MAX_WAIT = ConfigOptions.key("batching.max-wait")
            .durationType()
            .defaultValue(Duration.ofMillis(5))
            .withDescription("How long a row may wait for others before a step.");

    public static final ConfigOption<Integer> TOKEN_BUDGET = ConfigOptions.key("batching.token-budget")
            .intType()
            .defaultValue(512)
            .withDescription("Tokens one engine step may process.");

    public static final ConfigOption<Integer> MAX_CONTEXT_TOKENS = ConfigOptions.key("limits.max-context-tokens")
            .intType()
            .defaultValue(8192)
            .withDescription("Context window a prompt plus its reply must fit.");

    public static final ConfigOption<Integer> MAX_TEXT_CHARS = ConfigOptions.key("limits.max-text-chars")
            .intType()
            .defaultValue(32_768)
            .withDescription("Longest text accepted, in characters (longer: TEXT_TOO_LONG).");

    public static final ConfigOption<Integer> MAX_IMAGES = ConfigOptions.key("limits.max-images")
            .intType()
            .defaultValue(8)
            .withDescription("Most images per row (more: TOO_MANY_IMAGES).");

    public static final ConfigOption<Long> MAX_IMAGE_PIXELS = ConfigOptions.key("limits.max-image-pixels")
            .longType()
            .defaultValue(50_000_000L)
            .withDescription("Largest decoded image (larger: IMAGE_TOO_LARGE).");

    public static final ConfigOption<String> DATE_STRING = ConfigOptions.key("date-string")
            .stringType()
            .noDefaultValue()
            .withDescription("The date a checkpoint's chat template renders (its date_string, e.g. '26 Jul 2024'); "
                    + "default: the tasks file's date_string, else today (UTC).");

    public static final ConfigOption<Duration> DEADLINE = ConfigOptions.key("deadline")
            .durationType()
            .noDefaultValue()
            .withDescription("Per-row deadline from arrival; a later result is DEADLINE_EXCEEDED.");
}
