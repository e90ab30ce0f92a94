package io.llamastream.operators;

import io.llamastream.engine.checkpoint.ModelPath;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.model.ModelRegistry;
import io.llamastream.engine.scheduler.Scheduler;
import io.llamastream.engine.scheduler.SchedulerConfig;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.operators.grammar.Grammar;
import io.llamastream.operators.grammar.JsonSchemaCompiler;
import io.llamastream.operators.grammar.VocabularyIndex;
import io.llamastream.operators.tasks.ModelVocabulary;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One continuous-batching scheduler per TaskManager JVM and settings, shared by every inference
 * subtask (slot) in it, so all subtasks' requests are batched together. A static map keyed by model
 * folder and engine/batching settings counts references; the last {@link #release} closes the
 * scheduler and releases the model to the {@link ModelRegistry}, which keeps it loaded for its
 * keep-alive period: tasks restarted after a failure acquire the same weights without loading them
 * again. Static state is per class loader, so with the engine in the job jar (child-first) one
 * job's slots share; see docs/operations.md for what that means across jobs.
 */
public final class SharedEngine {
    private record Key(Path modelDir, EngineSettings engine, BatchingSettings batching) {}

    private static final Map<Key, SharedEngine> ENGINES = new HashMap<>();
    /** How many compiled schemas (with their cached masks) to keep per engine, least recently used out. */
    private static final int MAX_GRAMMARS = 64;

    private final Key key;
    private final ModelRegistry.Lease lease;
    private final Llama4Model model;
    private final Scheduler scheduler;

    private final Map<String, Grammar> grammars = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Grammar> eldest) {
            return size() > MAX_GRAMMARS;
        }
    };
    private VocabularyIndex vocabularyIndex;
    private final ModelVocabulary vocabulary;
    private int references;

    private SharedEngine(Key key, ModelRegistry.Lease lease, Scheduler scheduler) {
        this.key = key;
        this.lease = lease;
        this.model = lease.model();
        this.scheduler = scheduler;
        this.vocabulary = ModelVocabulary.of(model, this::grammar);
    }

    /** The engine for these settings, loading the model on first use; pair with {@link #release}. */
    public static SharedEngine acquire(String modelDir, EngineSettings engine, BatchingSettings batching) {
        WeightFormat format = weightFormat(engine.weightFormat(), Path.of(modelDir));
        Key key = new Key(Path.of(modelDir).toAbsolutePath().normalize(), engine, batching);
        synchronized (ENGINES) {
            SharedEngine shared = ENGINES.get(key);
            if (shared == null) {
                int threads = engine.threads() > 0 ? engine.threads() : ComputePool.defaultThreads();
                ModelRegistry.Lease lease = ModelRegistry.jvm()
                        .acquire(new ModelRegistry.Key(key.modelDir(), format, threads), engine.kvCacheBytes());
                SchedulerConfig config = SchedulerConfig.defaults()
                        .withMaxSequences(batching.maxBatchSize())
                        .withTokenBudget(batching.tokenBudget())
                        .withKvBudgetBytes(engine.kvCacheBytes())
                        .withPrefixCacheBytes(engine.prefixCacheBytes())
                        .withMaxWaitMs(batching.maxWaitMs());
                try {
                    shared = new SharedEngine(
                            key, lease, new Scheduler(lease.model().textModel(), config));
                } catch (RuntimeException | Error e) {
                    lease.close();
                    throw e;
                }
                ENGINES.put(key, shared);
            }
            shared.references++;
            return shared;
        }
    }

    /** The engine's weight format for a settings value: native, f32, bf16, q8 or q4 (any case). */
    public static WeightFormat weightFormat(String name) {
        try {
            return WeightFormat.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("weight format '" + name + "' is not one of native, f32, bf16, q8, q4");
        }
    }

    /**
     * The weight format {@code model} loads in for a settings value: the named one, or when none is
     * set the model's own: a {@code .gguf} file keeps its tensors' types (converting a Q4_K file to
     * bf16 would triple its memory, to q4 quantize it twice), a folder loads as bf16.
     */
    public static WeightFormat weightFormat(String name, Path model) {
        if (name != null) {
            return weightFormat(name);
        }
        return ModelPath.of(model).isGguf() ? WeightFormat.NATIVE : WeightFormat.BF16;
    }

    public void release() {
        synchronized (ENGINES) {
            if (--references == 0) {
                ENGINES.remove(key);
                scheduler.close();
                lease.close();
            }
        }
    }

    /** The scheduler counters of every engine loaded in this JVM (the demo's summary reads them while its job runs). */
    public static List<Scheduler.Stats> loadedStats() {
        synchronized (ENGINES) {
            return ENGINES.values().stream().map(e -> e.scheduler.stats()).toList();
        }
    }

    /** How many engines are loaded in this JVM (for tests of the sharing). */
    public static int loadedCount() {
        synchronized (ENGINES) {
            return ENGINES.size();
        }
    }

    public Llama4Model model() {
        return model;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /**
     * The grammar for an extraction schema (JSON text), compiled once and shared by every request
     * with the same schema text, so the allowed tokens of its states are computed once; the
     * vocabulary index behind it is built on the first call.
     */
    public synchronized Grammar grammar(String schemaJson) {
        if (vocabularyIndex == null) {
            vocabularyIndex = new VocabularyIndex(model.tokenizer());
        }
        return grammars.computeIfAbsent(
                schemaJson, json -> new Grammar(JsonSchemaCompiler.compile(json), vocabularyIndex));
    }

    /** What the task handlers read from this model: tokenizer, end of turn, end of sequence, grammars. */
    public ModelVocabulary vocabulary() {
        return vocabulary;
    }
}
