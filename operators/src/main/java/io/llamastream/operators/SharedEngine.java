package io.llamastream.operators;

import io.llamastream.engine.model.Llama4Model;
import io.llamastream.engine.weights.WeightFormat;
import io.llamastream.engine.math.ComputePool;
import io.llamastream.engine.scheduler.Scheduler;
import io.llamastream.engine.scheduler.SchedulerConfig;
import io.llamastream.operators.tasks.ModelVocabulary;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * One loaded model and its continuous-batching scheduler per TaskManager JVM, shared by every
 * inference subtask (slot) in it: the weights are mapped once and all subtasks' requests are
 * batched together. A static registry keyed by model folder and engine/batching settings counts
 * references; the last {@link #release} closes the scheduler. Static state is per class loader,
 * so with Flink's default child-first loading one job's slots share, different jobs do not.
 */
public final class SharedEngine {
    private record Key(Path modelDir, EngineSettings engine, BatchingSettings batching) {
    }

    private static final Map<Key, SharedEngine> ENGINES = new HashMap<>();

    private final Key key;
    private final Llama4Model model;
    private final Scheduler scheduler;
    private final ModelVocabulary vocabulary;
    private int references;

    private SharedEngine(Key key, Llama4Model model, Scheduler scheduler) {
        this.key = key;
        this.model = model;
        this.scheduler = scheduler;
        this.vocabulary = ModelVocabulary.of(model);
    }

    /** The engine for these settings, loading the model on first use; pair with {@link #release}. */
    public static SharedEngine acquire(String modelDir, EngineSettings engine, BatchingSettings batching) {
        WeightFormat format = weightFormat(engine.weightFormat());
        Key key = new Key(Path.of(modelDir).toAbsolutePath().normalize(), engine, batching);
        synchronized (ENGINES) {
            SharedEngine shared = ENGINES.get(key);
            if (shared == null) {
                ComputePool pool = engine.threads() > 0 ? new ComputePool(engine.threads()) : ComputePool.shared();
                Llama4Model model = Llama4Model.load(key.modelDir(), pool, format);
                SchedulerConfig config = SchedulerConfig.defaults()
                        .withMaxSequences(batching.maxBatchSize())
                        .withTokenBudget(batching.tokenBudget())
                        .withKvBudgetBytes(engine.kvCacheBytes())
                        .withPrefixCacheBytes(engine.prefixCacheBytes())
                        .withMaxWaitMs(batching.maxWaitMs());
                shared = new SharedEngine(key, model, new Scheduler(model.textModel(), config));
                ENGINES.put(key, shared);
            }
            shared.references++;
            return shared;
        }
    }

    /** The engine's weight format for a settings value: f32, bf16, q8 or q4 (any case). */
    static WeightFormat weightFormat(String name) {
        try {
            return WeightFormat.valueOf(name.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("weight format '" + name + "' is not one of f32, bf16, q8, q4");
        }
    }

    public void release() {
        synchronized (ENGINES) {
            if (--references == 0) {
                ENGINES.remove(key);
                scheduler.close();
            }
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

    /** What the task handlers read from this model (tokenizer, end of turn, token bytes for grammars). */
    public ModelVocabulary vocabulary() {
        return vocabulary;
    }
}
