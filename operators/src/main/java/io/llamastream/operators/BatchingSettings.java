package io.llamastream.operators;

import java.io.Serializable;

/**
 * Micro-batching knobs of the inference operator: how many sequences the engine runs together,
 * how long a request may wait for others before a step starts anyway, and the tokens one engine
 * step may process.
 */
public record BatchingSettings(int maxBatchSize, long maxWaitMs, int tokenBudget) implements Serializable {
    public static BatchingSettings defaults() {
        return new BatchingSettings(32, 5, 512);
    }
}
