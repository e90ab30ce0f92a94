package io.llamastream.operators;

import java.io.Serializable;

/**
 * Everything the operators need: the model folder (read on every TaskManager), an optional
 * tasks file overriding the built-in task definitions, batching, engine and input limits, and an
 * optional per-request deadline.
 */
public record PipelineSettings(
        String modelDir,
        String tasksFile,
        BatchingSettings batching,
        EngineSettings engine,
        InputLimits limits,
        long defaultDeadlineMs)
        implements Serializable {}
