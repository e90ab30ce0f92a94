package io.llamastream.operators;

import io.llamastream.engine.model.ModelRegistry;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * Ties the {@link ModelRegistry} to the job's user-code class loader when the job jar brought the
 * engine with it. Flink keeps a job's class loader while the job holds slots on the TaskManager,
 * so task failovers reuse it (and the kept-alive model); when the job is cancelled or finishes,
 * Flink runs the release hook registered here, which drops the models and stops their compute
 * threads, so nothing the engine started keeps the job's classes in metaspace. When the engine is
 * on the TaskManager's own class path (Flink's {@code lib/}), the registry outlives the job by
 * design and the hook is not registered: the model then waits out its keep-alive for the next job.
 */
final class ModelReleaseHook {
    static final String NAME = "llamastream-model-registry";

    private ModelReleaseHook() {}

    static void register(RuntimeContext context) {
        if (definedByJob(ModelRegistry.class, context.getUserCodeClassLoader())) {
            context.registerUserCodeClassLoaderReleaseHookIfAbsent(NAME, ModelRegistry::closeJvm);
        }
    }

    /**
     * True when {@code type} comes from the job's jar rather than from the class loader the job's
     * loader was given as parent (the TaskManager's class path).
     */
    static boolean definedByJob(Class<?> type, ClassLoader jobLoader) {
        ClassLoader parent = jobLoader.getParent();
        try {
            return Class.forName(type.getName(), false, parent) != type;
        } catch (ClassNotFoundException e) {
            return true;
        }
    }
}
