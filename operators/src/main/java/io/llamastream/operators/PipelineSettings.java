package io.llamastream.operators;

import java.io.Serializable;

/**
 * Everything the operators need: the model folder (read on every TaskManager), an optional
 * tasks file overriding the built-in task definitions, batching, engine and input limits, an
 * optional per-request deadline, and {@code failAfterRecords} (the demo's and tests' injected
 * failure: the inference operators of a JVM throw once after they have seen that many records
 * between them, -1 for never).
 */
public record PipelineSettings(String modelDir, String tasksFile, BatchingSettings batching, EngineSettings engine,
                               InputLimits limits, long defaultDeadlineMs, long failAfterRecords)
        implements Serializable {
}
